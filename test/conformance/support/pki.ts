/**
 * PKI material for the non-authentic card profiles of TR-03130-4 §4.2.1.4:
 * a second Document Signer of the test CSCA that the CSCA's CRL lists as
 * revoked (EIDCARD_10), and a Document Signer of a CSCA the server does not
 * know (EIDCARD_11).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { curveByName } from '../../../src/crypto/curves.js';
import { generateEcKeyPair, loadPrivateKey } from '../../../src/crypto/keys.js';
import { PKI_FILES, type PkiManifest } from '../../../src/pki/layout.js';
import { issueCertificate } from '../../../src/pki/x509/certificate.js';
import { issueCrl } from '../../../src/pki/x509/crl.js';
import { derFromPem } from '../../../src/pki/x509/pem.js';
import { PkiWriter } from '../../../src/provisioning/test-pki/create.js';
import type { Signer } from './cards.js';

const DAY = 86_400_000;
const REVOKED_SERIAL = 0x5eedn;

function pkiCurve(pkiDir: string) {
  const m = JSON.parse(readFileSync(join(pkiDir, PKI_FILES.manifest), 'utf8')) as PkiManifest;
  return curveByName(m.curve);
}

/** Issues a Document Signer under the PKI's CSCA and puts it on the CSCA's CRL (call before the server starts). */
export function revokedDocumentSigner(pkiDir: string): Signer {
  const csca = derFromPem(readFileSync(join(pkiDir, PKI_FILES.cscaCert), 'utf8'));
  const cscaKey = loadPrivateKey(readFileSync(join(pkiDir, PKI_FILES.cscaKey), 'utf8'));
  const ds = generateEcKeyPair(pkiCurve(pkiDir));
  const now = new Date();
  const cert = issueCertificate({
    subject: { C: 'TW', O: 'Ministry of the Interior', OU: 'TEST', CN: 'TEST Document Signer (revoked)' },
    issuer: csca,
    serial: REVOKED_SERIAL,
    notBefore: now,
    notAfter: new Date(now.getTime() + 365 * DAY),
    subjectPublicKey: ds.publicKey,
    issuerKey: cscaKey,
    keyUsage: ['digitalSignature'],
  });
  new PkiWriter(pkiDir).write(
    PKI_FILES.cscaCrl,
    issueCrl({
      issuerCert: csca,
      issuerKey: cscaKey,
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + 30 * DAY),
      crlNumber: 2n,
      revoked: [{ serial: REVOKED_SERIAL, date: now }],
    }),
  );
  return { cert, key: ds.privateKey };
}

/** A Document Signer of a CSCA the server does not trust. */
export function foreignDocumentSigner(pkiDir: string): Signer {
  const curve = pkiCurve(pkiDir);
  const csca = generateEcKeyPair(curve);
  const ds = generateEcKeyPair(curve);
  const now = new Date();
  const name = { C: 'TW', O: 'Elsewhere', CN: 'Unknown CSCA' };
  const cscaCert = issueCertificate({
    subject: name,
    issuer: name,
    notBefore: now,
    notAfter: new Date(now.getTime() + 365 * DAY),
    subjectPublicKey: csca.publicKey,
    issuerKey: csca.privateKey,
    ca: { pathLen: 0 },
    keyUsage: ['keyCertSign', 'cRLSign'],
  });
  const cert = issueCertificate({
    subject: { C: 'TW', O: 'Elsewhere', CN: 'Unknown Document Signer' },
    issuer: cscaCert,
    notBefore: now,
    notAfter: new Date(now.getTime() + 365 * DAY),
    subjectPublicKey: ds.publicKey,
    issuerKey: csca.privateKey,
    keyUsage: ['digitalSignature'],
  });
  return { cert, key: ds.privateKey };
}
