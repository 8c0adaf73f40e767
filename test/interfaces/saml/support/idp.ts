/**
 * A test server with the SAML IdP mounted and a registry of test SPs written
 * to a temp dir: each SP gets its own keys (never the IdP's), its metadata
 * file (our builder, or samlify's own), and an eService entry.
 */
import { generateKeyPairSync, type KeyObject, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { mountSamlIdp, type SamlIdp } from '../../../../src/interfaces/saml/idp.js';
import {
  buildSpMetadata,
  type SpMetadataSpec,
} from '../../../../src/interfaces/saml/metadata/sp-metadata-builder.js';
import { issueCertificate } from '../../../../src/pki/x509/certificate.js';
import { pemFromDer } from '../../../../src/pki/x509/pem.js';
import { startTestServer, type TestServer } from '../../../support/server.js';

export interface KeyPair {
  readonly key: KeyObject;
  readonly keyPem: string;
  readonly cert: X509Certificate;
  readonly certPem: string;
}

export function keyPair(key: KeyObject, cn: string): KeyPair {
  const now = new Date();
  const subject = { CN: cn };
  const der = issueCertificate({
    subject,
    issuer: subject,
    notBefore: now,
    notAfter: new Date(now.getTime() + 86_400_000 * 30),
    subjectPublicKey: key,
    issuerKey: key,
    keyUsage: ['digitalSignature', 'keyEncipherment'],
  });
  return {
    key,
    keyPem: key.export({ format: 'pem', type: 'pkcs8' }) as string,
    cert: new X509Certificate(der),
    certPem: pemFromDer(der),
  };
}

let rsaEnc: KeyObject | undefined;
let rsaSig: KeyObject | undefined;
/** One RSA-3072 SP encryption key and one RSA-2048 SP signing key per test file (generation is slow). */
export const spRsaEncryptionKey = () =>
  (rsaEnc ??= generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey);
export const spRsaSigningKey = () =>
  (rsaSig ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
export const ecKey = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;

export interface TestSpSpec {
  readonly id: string;
  readonly mnemonic: string;
  readonly approvedFields?: readonly string[];
  readonly approvedFunctions?: readonly string[];
  readonly saml: {
    readonly algorithms?: 'tr-03116-4' | 'legacy';
    readonly nameIdFormat?: 'transient' | 'persistent';
    readonly requireSignedRequests?: boolean;
    readonly resultStyle?: 'auto' | 'tr-03130' | 'status';
  };
  /** The metadata XML; default: our builder from `metadata`. */
  readonly metadataXml?: string;
  readonly metadata?: SpMetadataSpec;
}

export interface SamlTestServer {
  readonly ts: TestServer;
  readonly idp: SamlIdp;
  readonly dir: string;
  readonly idpMetadata: string;
}

const DEFAULT_FIELDS = [
  'chineseName',
  'romanizedName',
  'dateOfBirth',
  'householdAddress',
  'householdArea',
  'sex',
  'photo',
  'placeOfBirth',
  'issueDate',
];

export async function startSamlServer(
  sps: readonly TestSpSpec[],
  extra: Record<string, unknown> = {},
): Promise<SamlTestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'neid-saml-'));
  const eServices = sps.map((sp) => {
    const file = `${sp.id}.xml`;
    writeFileSync(join(dir, file), sp.metadataXml ?? buildSpMetadata(sp.metadata!));
    return {
      id: sp.id,
      displayName: { zh: `測試 ${sp.id}`, en: `Test ${sp.id}` },
      purpose: { zh: '測試', en: 'Testing' },
      approvedFields: sp.approvedFields ?? DEFAULT_FIELDS,
      approvedFunctions: sp.approvedFunctions ?? ['ageVerification', 'placeVerification'],
      terminal: { mnemonic: sp.mnemonic },
      maxOpenSessions: 20,
      saml: { metadata: `./${file}`, ...sp.saml },
    };
  });
  const registry = join(dir, 'relying-parties.yaml');
  writeFileSync(registry, stringify({ eServices }));
  let idp: SamlIdp | undefined;
  const ts = await startTestServer({
    relyingParties: registry,
    mount: (s) => {
      idp = mountSamlIdp(s);
    },
    ...extra,
  });
  return { ts, idp: idp!, dir, idpMetadata: idp!.metadata.xml };
}
