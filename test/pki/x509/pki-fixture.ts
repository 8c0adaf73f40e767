/** Test PKI for passive authentication: CSCA, Document Signer, CRL and EF.CardSecurity. */
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OID } from '../../../src/asn1/oids.js';
import { curveByName, type HashName } from '../../../src/crypto/curves.js';
import { generateEcKeyPair } from '../../../src/crypto/keys.js';
import { encodeSecurityInfos, type SecurityInfo } from '../../../src/pki/security-infos.js';
import { issueCertificate, issueCrl, type NameSpec, signCms } from '../../../src/pki/x509/index.js';

export const DAY = 86_400_000;
export const NOW = Date.now();

export interface Profile {
  readonly curve: string;
  readonly hash: HashName;
}

export const PROFILES: readonly Profile[] = [
  { curve: 'brainpoolP256r1', hash: 'sha256' },
  { curve: 'prime256v1', hash: 'sha256' },
  { curve: 'brainpoolP384r1', hash: 'sha384' },
];

export const CSCA_NAME: NameSpec = {
  C: 'TW',
  O: 'Ministry of the Interior',
  CN: 'CSCA Taiwan',
  serialNumber: '001',
};
export const DS_NAME: NameSpec = {
  C: 'TW',
  O: 'Ministry of the Interior',
  OU: 'eID',
  CN: 'Document Signer 1',
};

export function ecKey(curve: string): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: curve });
}

/** SecurityInfos with PACEInfo, CAInfo, CA domain parameters, CA public key, TAInfo and EIDSecurityInfo. */
export function sampleSecurityInfos(curveName = 'brainpoolP256r1'): Buffer {
  const curve = curveByName(curveName);
  const caKey = generateEcKeyPair(curve);
  const dg = (n: number) => createHash('sha256').update(`DG${n}`).digest();
  const infos: SecurityInfo[] = [
    { kind: 'pace', protocol: OID.idPaceEcdhGmAesCbcCmac128, version: 2, parameterId: curve.standardizedId },
    { kind: 'ca', protocol: OID.idCaEcdhAesCbcCmac128, version: 2, keyId: 41 },
    { kind: 'caDomainParameters', protocol: OID.idCaEcdh, parameterId: curve.standardizedId, keyId: 41 },
    { kind: 'caPublicKey', protocol: OID.idPkEcdh, curve, point: caKey.publicPoint, keyId: 41 },
    { kind: 'ta', version: 2 },
    { kind: 'eidSecurity', hash: 'sha256', dataGroupHashes: new Map([1, 2, 4].map((n) => [n, dg(n)])) },
  ];
  return encodeSecurityInfos(infos);
}

export interface Pki {
  readonly profile: Profile;
  readonly csca: { cert: Buffer; key: KeyObject };
  readonly ds: { cert: Buffer; key: KeyObject };
  readonly crl: Buffer;
  readonly content: Buffer;
  readonly cardSecurity: Buffer;
}

export interface PkiOptions {
  readonly revokeDs?: boolean;
  readonly dsNotAfter?: Date;
  readonly contentType?: string;
}

export function makePki(profile: Profile, opts: PkiOptions = {}): Pki {
  const { hash } = profile;
  const cscaKeys = ecKey(profile.curve);
  const dsKeys = ecKey(profile.curve);
  const cscaCert = issueCertificate({
    subject: CSCA_NAME,
    issuer: CSCA_NAME,
    serial: 1n,
    notBefore: new Date(NOW - DAY),
    notAfter: new Date(NOW + 3650 * DAY),
    subjectPublicKey: cscaKeys.publicKey,
    issuerKey: cscaKeys.privateKey,
    hash,
    ca: { pathLen: 0 },
    keyUsage: ['keyCertSign', 'cRLSign'],
  });
  const dsSerial = 0x0102030405n;
  const dsCert = issueCertificate({
    subject: DS_NAME,
    issuer: cscaCert,
    serial: dsSerial,
    notBefore: new Date(NOW - DAY),
    notAfter: opts.dsNotAfter ?? new Date(NOW + 365 * DAY),
    subjectPublicKey: dsKeys.publicKey,
    issuerKey: cscaKeys.privateKey,
    hash,
    keyUsage: ['digitalSignature'],
  });
  const revoked = [{ serial: 0x77n, date: new Date(NOW - 2 * DAY) }];
  if (opts.revokeDs) revoked.push({ serial: dsSerial, date: new Date(NOW - 3600_000) });
  const crl = issueCrl({
    issuerCert: cscaCert,
    issuerKey: cscaKeys.privateKey,
    thisUpdate: new Date(NOW - 3600_000),
    nextUpdate: new Date(NOW + 30 * DAY),
    crlNumber: 7n,
    revoked,
    hash,
  });
  const content = sampleSecurityInfos(profile.curve);
  const cardSecurity = signCms({
    contentType: opts.contentType ?? OID.idSecurityObject,
    content,
    signerCert: dsCert,
    signerKey: dsKeys.privateKey,
    hash,
  });
  return {
    profile,
    csca: { cert: cscaCert, key: cscaKeys.privateKey },
    ds: { cert: dsCert, key: dsKeys.privateKey },
    crl,
    content,
    cardSecurity,
  };
}

/** A scratch directory under the OS temp dir; call cleanup() when done. */
export function scratch(): {
  dir: string;
  file: (name: string, data?: string | Buffer) => string;
  cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'neid-x509-'));
  return {
    dir,
    file: (name, data) => {
      const p = join(dir, name);
      if (data !== undefined) writeFileSync(p, data);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs openssl; returns stdout (stderr folded in on failure via the thrown error). */
export function openssl(args: readonly string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function flip(buf: Buffer, index: number): Buffer {
  const out = Buffer.from(buf);
  out[index] = out[index]! ^ 0x01;
  return out;
}
