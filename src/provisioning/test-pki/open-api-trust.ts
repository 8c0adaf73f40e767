/**
 * The trust material of the Open API in a test PKI (docs/open-api.md): a
 * Master List Signer issued by the CSCA (ICAO 9303-12 §9: KeyUsage
 * digitalSignature, ExtendedKeyUsage id-icao-cscaMasterListSigningKey), the
 * CSCA Master List it signs, and the empty public card revocation list
 * signed by the CSCA. `neid pki init` writes them with the rest of the PKI;
 * `ensureOpenApiTrust` adds them to a test PKI written before they existed.
 */
import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { curveOfKey, generateEcKeyPair, loadPrivateKey } from '../../crypto/keys.js';
import { PKI_FILES } from '../../pki/layout.js';
import { signPublicCardRevocationList } from '../../pki/revocation/public-card-revocation-list.js';
import { issueCertificate } from '../../pki/x509/certificate.js';
import { signMasterList } from '../../pki/x509/master-list.js';
import { derFromPem } from '../../pki/x509/pem.js';
import { PkiWriter } from './create.js';

const DAY = 86_400_000;

export interface OpenApiTrustOptions {
  readonly cscaCert: Buffer;
  readonly cscaKey: KeyObject;
  readonly now: Date;
}

export function writeOpenApiTrust(w: PkiWriter, o: OpenApiTrustOptions): void {
  const curve = curveOfKey(o.cscaKey);
  const mls = generateEcKeyPair(curve);
  const mlsCert = issueCertificate({
    subject: { C: 'TW', O: 'Ministry of the Interior', OU: 'TEST', CN: 'TEST Master List Signer Taiwan' },
    issuer: o.cscaCert,
    notBefore: o.now,
    notAfter: new Date(o.now.getTime() + 3 * 365 * DAY),
    subjectPublicKey: mls.publicKey,
    issuerKey: o.cscaKey,
    keyUsage: ['digitalSignature'],
    extKeyUsage: ['cscaMasterListSigning'],
  });
  w.pem(PKI_FILES.mlsCert, mlsCert);
  w.key(PKI_FILES.mlsKey, mls.privateKey);
  w.write(
    PKI_FILES.masterList,
    signMasterList({
      cscaCerts: [o.cscaCert],
      signerCert: mlsCert,
      signerKey: mls.privateKey,
      hash: curve.hash,
      signingTime: o.now,
    }),
  );
  w.write(
    PKI_FILES.publicCardRevocationList,
    signPublicCardRevocationList(
      { thisUpdate: o.now, nextUpdate: new Date(o.now.getTime() + 365 * DAY), revoked: [] },
      { cert: o.cscaCert, key: o.cscaKey },
    ),
  );
}

/**
 * Writes the Open API trust material into a PKI directory that lacks it and
 * holds the CSCA key (a test PKI of an earlier version). Returns true when it
 * wrote anything.
 */
export function ensureOpenApiTrust(dir: string, now = new Date()): boolean {
  const missing = [PKI_FILES.masterList, PKI_FILES.publicCardRevocationList].some(
    (f) => !existsSync(join(dir, f)),
  );
  if (!missing || !existsSync(join(dir, PKI_FILES.cscaKey))) return false;
  writeOpenApiTrust(new PkiWriter(dir), {
    cscaCert: derFromPem(readFileSync(join(dir, PKI_FILES.cscaCert), 'utf8')),
    cscaKey: loadPrivateKey(readFileSync(join(dir, PKI_FILES.cscaKey), 'utf8')),
    now,
  });
  return true;
}
