/**
 * JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of the admin API's bodies.
 * Request bodies are validated against exactly these (validate.ts); unknown
 * members are refused, so a typo never silently drops a value.
 */
import { FUNCTION_IDS } from '../../../profile/authorization.js';
import { FIELD_IDS } from '../../../profile/fields.js';
import {
  APPLICATION_STATUSES,
  ASSESSMENT_REASONS,
  ELIGIBILITY,
  REJECTION_REASONS,
} from '../../../registry/model.js';
import { ROLES } from '../../../registry/roles.js';

type Schema = Record<string, unknown>;
const str = (max = 200, extra: Schema = {}): Schema => ({
  type: 'string',
  minLength: 1,
  maxLength: max,
  ...extra,
});
const obj = (properties: Record<string, Schema>, required: string[] = [], extra: Schema = {}): Schema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
  ...extra,
});
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const list = (items: Schema, maxItems = 100, extra: Schema = {}): Schema => ({
  type: 'array',
  items,
  maxItems,
  ...extra,
});
const https = str(2000, { format: 'uri', pattern: '^https://' });

const LocalizedText = obj({ zh: str(), en: str() }, ['zh', 'en']);
const EServiceId = str(63, { pattern: '^[a-z0-9][a-z0-9-]{1,62}$' });

const ApplicationForm = obj(
  {
    competentAuthority: ref('LocalizedText'),
    agencyCode: str(20),
    agencyName: ref('LocalizedText'),
    taxId: str(8, { pattern: '^[0-9]{8}$', description: '統一編號' }),
    industryCode: str(10, { pattern: '^[0-9A-Za-z]{1,10}$' }),
    address: str(300),
    purpose: str(2000),
    plannedTestDate: str(10, { format: 'date' }),
    hostAddresses: list(str(45), 64, { minItems: 1 }),
    subnetMask: str(45),
    eligibility: { enum: [...ELIGIBILITY] },
    contact: obj(
      {
        name: str(100),
        phone: str(40, { pattern: '^[0-9+()#\\- ]{4,40}$' }),
        email: str(254, { format: 'email' }),
      },
      ['name', 'phone', 'email'],
    ),
  },
  [
    'competentAuthority',
    'agencyCode',
    'agencyName',
    'taxId',
    'industryCode',
    'address',
    'purpose',
    'plannedTestDate',
    'hostAddresses',
    'contact',
  ],
  { description: 'The form of seed 004 表8 「New eID 加密區 API 介接申請書」' },
);

const Fields = list({ enum: [...FIELD_IDS] }, FIELD_IDS.length, { uniqueItems: true });
const Functions = list({ enum: [...FUNCTION_IDS] }, FUNCTION_IDS.length, { uniqueItems: true });

const EServiceProfile = obj(
  {
    id: EServiceId,
    displayName: ref('LocalizedText'),
    purpose: ref('LocalizedText'),
    url: str(2000, { format: 'uri', pattern: '^https?://' }),
    terminalMnemonic: str(9, { pattern: '^[A-Z0-9]{1,9}$' }),
    terminalSubjectUrl: https,
    maxOpenSessions: { type: 'integer', minimum: 1, maximum: 100000 },
  },
  ['id', 'displayName', 'purpose'],
);

const Jwk = { type: 'object', required: ['kty'], properties: { kty: { enum: ['EC', 'RSA'] } } };
const OidcRegistration = obj({
  client: obj(
    {
      clientId: str(200, { pattern: '^[A-Za-z0-9._~-]+$' }),
      redirectUris: list(str(2000, { format: 'uri' }), 20, { minItems: 1 }),
      profile: { enum: ['oidc', 'fapi2'] },
      tokenEndpointAuthMethod: {
        enum: [
          'private_key_jwt',
          'tls_client_auth',
          'self_signed_tls_client_auth',
          'client_secret_basic',
          'none',
        ],
      },
      jwks: obj({ keys: list(Jwk, 10, { minItems: 1 }) }, ['keys']),
      clientSecret: str(200, { minLength: 32 }),
      idTokenSignedResponseAlg: { enum: ['PS256', 'ES256'] },
      idTokenEncryption: obj(
        { alg: { enum: ['RSA-OAEP-256', 'ECDH-ES'] }, enc: { enum: ['A256GCM', 'A128GCM'] } },
        ['alg'],
      ),
      tlsClientCertificateSubject: str(500),
      tlsClientCa: str(100000, { description: 'PEM CA certificate(s)' }),
      sector: str(200),
    },
    ['clientId', 'redirectUris'],
  ),
  registration: obj(
    {
      initialAccessTokenSha256: str(64, { pattern: '^[0-9a-fA-F]{64}$' }),
      profile: { enum: ['oidc', 'fapi2'] },
      sector: str(200),
    },
    ['initialAccessTokenSha256'],
  ),
});

export const SCHEMAS: Record<string, Schema> = {
  LocalizedText,
  ApplicationForm,
  EServiceProfile,
  ApplicationCreate: obj(
    {
      eServiceId: EServiceId,
      eService: ref('EServiceProfile'),
      form: ref('ApplicationForm'),
      requestedFields: Fields,
      requestedFunctions: Functions,
    },
    ['eServiceId', 'form', 'requestedFields', 'requestedFunctions'],
  ),
  ApplicationPatch: obj({
    form: ref('ApplicationForm'),
    requestedFields: Fields,
    requestedFunctions: Functions,
  }),
  Approval: obj({ text: str(2000) }),
  Review: obj({ note: str(2000, { description: 'the findings' }), assessment: ref('Assessment') }),
  // The reviewer's half of 表8 (受理機關審核資料).
  Assessment: obj(
    {
      result: { enum: ['provide', 'cannot-provide'], description: '提供 / 無法提供' },
      reasons: list({ enum: [...ASSESSMENT_REASONS] }, 3, {
        uniqueItems: true,
        description:
          '無法提供原因: form-incomplete (表單填寫不完整或錯誤), line-mismatch (線路/號碼不符), other',
      }),
      text: str(2000, { description: 'the reason "other", or remarks' }),
      plannedTestDate: str(10, { format: 'date', description: '預計測試日期' }),
      plannedConnectionDate: str(10, { format: 'date', description: '預計連線日期' }),
      applicantNetworks: list(str(43), 32, {
        description:
          'the applicant’s addresses in CIDR (a.b.c.d/nn): its SOAP and admin-API calls come from these',
      }),
      ministryNetworks: list(str(43), 32, { description: 'the Ministry’s side in CIDR' }),
    },
    ['result'],
  ),
  Submission: obj({
    signature: str(98304, {
      description:
        'detached CMS SignedData (base64 DER or PEM) over GET /applications/{id}/canonical, made with an organisation certificate',
    }),
  }),
  PaperReceipt: obj({ note: str(2000, { description: 'e.g. the letter number' }) }),
  ChangeRequest: obj({ note: str(2000, { description: 'what the applicant must change' }) }, ['note']),
  LockRelease: obj({ subject: str(210, { pattern: '^(account|address):.+$' }) }, ['subject']),
  Rejection: obj({ reason: { enum: [...REJECTION_REASONS] }, text: str(2000) }, ['reason']),
  StatusChange: obj({ reason: str(2000) }),
  EServicePatch: obj({
    displayName: ref('LocalizedText'),
    purpose: ref('LocalizedText'),
    url: { anyOf: [str(2000, { format: 'uri', pattern: '^https?://' }), { type: 'null' }] },
    terminalSubjectUrl: { anyOf: [https, { type: 'null' }] },
    commCertificates: list(str(20000), 10),
    maxOpenSessions: { type: 'integer', minimum: 1, maximum: 100000 },
    networks: list(str(43), 32, {
      description: 'CIDR blocks its SOAP and admin-API calls may come from (表8 網路位址); empty: anywhere',
    }),
  }),
  SamlRegistration: obj(
    {
      metadataXml: str(16 * 1024 * 1024),
      metadataUrl: str(2000, { format: 'uri', pattern: '^https?://' }),
      nameIdFormat: { enum: ['transient', 'persistent'] },
      algorithms: { enum: ['tr-03116-4', 'legacy'] },
      requireSignedRequests: { type: 'boolean' },
      resultStyle: { enum: ['auto', 'tr-03130', 'status'] },
    },
    [],
    { oneOf: [{ required: ['metadataXml'] }, { required: ['metadataUrl'] }] },
  ),
  OidcRegistration,
  SoapSettings: obj({ requestCounter: { enum: ['strict', 'increasing'] } }, ['requestCounter']),
  SoapCertificateAdd: obj(
    { usage: { enum: ['tls-client', 'signing'] }, certificate: str(20000, { description: 'PEM' }) },
    ['usage', 'certificate'],
  ),
  AccountCreate: obj(
    {
      name: str(100),
      roles: list({ enum: [...ROLES] }, ROLES.length, { minItems: 1, uniqueItems: true }),
      kind: { enum: ['service', 'person'], description: 'person: an invitation to log in with their card' },
      eServices: list(EServiceId, 100, { uniqueItems: true, description: 'an applicant’s own eServices' }),
    },
    ['name', 'roles'],
  ),
  AccountPatch: obj({
    roles: list({ enum: [...ROLES] }, ROLES.length, { minItems: 1, uniqueItems: true }),
    status: { enum: ['active', 'disabled'] },
    eServices: list(EServiceId, 100, { uniqueItems: true }),
  }),
  CredentialCreate: obj({ publicJwk: Jwk }, ['publicJwk']),
  CertificateImport: obj(
    { certificate: str(16384, { contentEncoding: 'base64', pattern: '^[A-Za-z0-9+/=\\s]+$' }) },
    ['certificate'],
  ),
  ApplicationStatus: { enum: [...APPLICATION_STATUSES] },
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details; `pointer` / `errors` name the offending field(s)',
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      instance: { type: 'string' },
      pointer: { type: 'string' },
      errors: list(obj({ pointer: { type: 'string' }, detail: { type: 'string' } }), 100),
    },
  },
};
