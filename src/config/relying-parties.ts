/**
 * The eService registry (config/relying-parties.yaml): every relying party,
 * what the Ministry approved it to read (Secure API field-level authorization,
 * seed 004 壹.一–二 表8) and its front-end settings. The same registry serves
 * SOAP, SAML and OIDC. Field names are those of src/profile/fields.ts.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { FUNCTION_IDS, type FunctionId, isFunctionId } from '../profile/authorization.js';
import { FIELD_IDS, type FieldId, isFieldId } from '../profile/fields.js';
import { ConfigError } from './errors.js';
import { Reader } from './validate.js';


export interface LocalizedText {
  readonly zh: string;
  readonly en: string;
}

export interface SamlSettings {
  /** SP metadata file (absolute path). */
  readonly metadata: string;
  readonly nameIdFormat: 'transient' | 'persistent';
  /** Algorithms: TR-03116-4 set by default; 'legacy' (rsa-sha256, aes-cbc, rsa-oaep-mgf1p) only on explicit opt-in. */
  readonly algorithms: 'tr-03116-4' | 'legacy';
  readonly requireSignedRequests: boolean;
}

export interface SoapSettings {
  /** PEM file of the eService's TLS client certificate (mutual TLS) — also its WS-Security signing certificate unless given. */
  readonly clientCertificate: string;
  readonly signingCertificate?: string;
}

export interface OidcSettings {
  readonly clientId: string;
  readonly redirectUris: readonly string[];
  readonly profile: 'oidc' | 'fapi2';
  readonly tokenEndpointAuthMethod: 'private_key_jwt' | 'tls_client_auth' | 'client_secret_basic' | 'none';
  /** JWKS file of the client (private_key_jwt, id_token encryption). */
  readonly jwks?: string;
  readonly clientSecret?: string;
  readonly idTokenSignedResponseAlg: 'PS256' | 'ES256';
  readonly idTokenEncryption?: { readonly alg: string; readonly enc: string };
  readonly tlsClientCertificateSubject?: string;
  /** Sector identifier for pairwise subjects; defaults to the eService id. */
  readonly sector?: string;
}

export interface EService {
  readonly id: string;
  readonly displayName: LocalizedText;
  readonly purpose: LocalizedText;
  readonly url?: string;
  /** Fields the Ministry approved; a request beyond them is refused before any card contact. */
  readonly approvedFields: readonly FieldId[];
  readonly approvedFunctions: readonly FunctionId[];
  /** Holder mnemonic in the terminal certificate's CHR (TW + mnemonic + sequence). */
  readonly terminalMnemonic: string;
  readonly maxOpenSessions: number;
  readonly saml?: SamlSettings;
  readonly soap?: SoapSettings;
  readonly oidc?: OidcSettings;
}

export interface Registry {
  readonly file: string;
  readonly eServices: readonly EService[];
  get(id: string): EService | undefined;
}

const text = (r: Reader): LocalizedText => {
  r.only(['zh', 'en']);
  return { zh: r.at('zh').string(), en: r.at('en').string() };
};

function readEService(r: Reader, baseDir: string): EService {
  r.only(['id', 'displayName', 'purpose', 'url', 'approvedFields', 'approvedFunctions', 'terminal', 'maxOpenSessions', 'saml', 'soap', 'oidc']);
  const id = r.at('id').string();
  if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(id)) throw new ConfigError(`${r.path}.id "${id}" must be lower-case letters, digits and dashes`);
  const fields = r.at('approvedFields').strings();
  for (const f of fields) {
    if (!isFieldId(f)) throw new ConfigError(`${r.path}.approvedFields: unknown field "${f}" (known: ${FIELD_IDS.join(', ')})`);
  }
  const funcs = r.at('approvedFunctions').strings();
  for (const f of funcs) {
    if (!isFunctionId(f)) {
      throw new ConfigError(`${r.path}.approvedFunctions: unknown function "${f}" (known: ${FUNCTION_IDS.join(', ')})`);
    }
  }
  const term = r.at('terminal').only(['mnemonic']);
  const mnemonic = term.at('mnemonic').string(id.replace(/[^a-z0-9]/g, '').slice(0, 9).toUpperCase());
  if (!/^[A-Z0-9]{1,9}$/.test(mnemonic)) throw new ConfigError(`${r.path}.terminal.mnemonic must be 1-9 capital letters or digits`);
  const file = (x: Reader) => resolve(baseDir, x.string());
  const saml = r.at('saml');
  const soap = r.at('soap');
  const oidc = r.at('oidc');
  const url = r.at('url').present ? r.at('url').url(undefined, ['https:', 'http:']) : undefined;
  return {
    id,
    displayName: text(r.at('displayName')),
    purpose: text(r.at('purpose')),
    ...(url ? { url } : {}),
    approvedFields: fields as FieldId[],
    approvedFunctions: funcs as FunctionId[],
    terminalMnemonic: mnemonic,
    maxOpenSessions: r.at('maxOpenSessions').int(50, 1, 100_000),
    ...(saml.present
      ? {
          saml: (() => {
            saml.only(['metadata', 'nameIdFormat', 'algorithms', 'requireSignedRequests']);
            return {
              metadata: file(saml.at('metadata')),
              nameIdFormat: saml.at('nameIdFormat').oneOf(['transient', 'persistent'] as const, 'transient'),
              algorithms: saml.at('algorithms').oneOf(['tr-03116-4', 'legacy'] as const, 'tr-03116-4'),
              requireSignedRequests: saml.at('requireSignedRequests').bool(true),
            };
          })(),
        }
      : {}),
    ...(soap.present
      ? {
          soap: (() => {
            soap.only(['clientCertificate', 'signingCertificate']);
            const signing = soap.at('signingCertificate');
            return {
              clientCertificate: file(soap.at('clientCertificate')),
              ...(signing.present ? { signingCertificate: file(signing) } : {}),
            };
          })(),
        }
      : {}),
    ...(oidc.present ? { oidc: readOidc(oidc, file) } : {}),
  };
}

function readOidc(r: Reader, file: (x: Reader) => string): OidcSettings {
  r.only([
    'clientId',
    'redirectUris',
    'profile',
    'tokenEndpointAuthMethod',
    'jwks',
    'clientSecret',
    'idTokenSignedResponseAlg',
    'idTokenEncryption',
    'tlsClientCertificateSubject',
    'sector',
  ]);
  const redirectUris = r.at('redirectUris').list().map((u) => u.url(undefined, ['https:', 'http:']));
  if (redirectUris.length === 0) throw new ConfigError(`${r.path}.redirectUris must list at least one URI`);
  const enc = r.at('idTokenEncryption');
  const profile = r.at('profile').oneOf(['oidc', 'fapi2'] as const, 'oidc');
  const method = r
    .at('tokenEndpointAuthMethod')
    .oneOf(['private_key_jwt', 'tls_client_auth', 'client_secret_basic', 'none'] as const, profile === 'fapi2' ? 'private_key_jwt' : 'client_secret_basic');
  if (profile === 'fapi2' && method !== 'private_key_jwt' && method !== 'tls_client_auth') {
    throw new ConfigError(`${r.path}: a FAPI 2.0 client must use private_key_jwt or tls_client_auth`);
  }
  const jwks = r.at('jwks');
  const secret = r.at('clientSecret').optionalString();
  const subject = r.at('tlsClientCertificateSubject').optionalString();
  const sector = r.at('sector').optionalString();
  return {
    clientId: r.at('clientId').string(),
    redirectUris,
    profile,
    tokenEndpointAuthMethod: method,
    ...(jwks.present ? { jwks: file(jwks) } : {}),
    ...(secret ? { clientSecret: secret } : {}),
    idTokenSignedResponseAlg: r.at('idTokenSignedResponseAlg').oneOf(['PS256', 'ES256'] as const, 'PS256'),
    ...(enc.present ? { idTokenEncryption: { alg: enc.at('alg').string(), enc: enc.at('enc').string() } } : {}),
    ...(subject ? { tlsClientCertificateSubject: subject } : {}),
    ...(sector ? { sector } : {}),
  };
}

export function parseRegistry(yamlText: string, file: string): Registry {
  let doc: unknown;
  try {
    doc = parse(yamlText);
  } catch (e) {
    throw new ConfigError(`${file}: not valid YAML: ${(e as Error).message}`);
  }
  const root = new Reader(file, '', doc).only(['eServices']);
  const eServices = root.at('eServices').list().map((r) => readEService(r, dirname(file)));
  const ids = new Set<string>();
  const mnemonics = new Set<string>();
  for (const e of eServices) {
    if (ids.has(e.id)) throw new ConfigError(`${file}: eService id "${e.id}" appears twice`);
    if (mnemonics.has(e.terminalMnemonic)) throw new ConfigError(`${file}: terminal mnemonic "${e.terminalMnemonic}" appears twice`);
    ids.add(e.id);
    mnemonics.add(e.terminalMnemonic);
  }
  const byId = new Map(eServices.map((e) => [e.id, e]));
  return { file, eServices, get: (id) => byId.get(id) };
}

export function loadRegistry(file: string): Registry {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return parseRegistry(text, resolve(file));
}
