/**
 * The test PKI's organisation-certificate CA, after the Taiwanese ones that
 * issue the certificates an organisation files its Secure API application
 * with (seed 004 第陸章 壹.一): 工商憑證 (MOEACA), 組織憑證 (XCA), 政府機關憑證
 * (GCA). Their subjects carry the organisation identifier — 統一編號, or the
 * agency code — in serialNumber (X.520 2.5.4.5); so do these. Written: the CA
 * (RSA, as theirs), its CRL listing the revoked sample, and two sample
 * organisation certificates of 統一編號 12345675 with their keys (one valid,
 * one revoked), for tests and for trying the online filing by hand.
 */
import type { KeyObject } from 'node:crypto';
import { PKI_FILES } from '../../pki/layout.js';
import { issueCertificate, randomSerial } from '../../pki/x509/certificate.js';
import { issueCrl } from '../../pki/x509/crl.js';
import type { PkiWriter } from './create.js';

const DAY = 86_400_000;
export const SAMPLE_ORGANISATION_ID = '12345675';

export function writeOrganisationCa(w: PkiWriter, o: { rsa: () => KeyObject; now: Date }): void {
  const { now } = o;
  const caKey = o.rsa();
  const caName = { C: 'TW', O: 'N_eID-Server TEST', CN: 'TEST Organisation Certificate CA' };
  const ca = issueCertificate({
    subject: caName,
    issuer: caName,
    notBefore: now,
    notAfter: new Date(now.getTime() + 10 * 365 * DAY),
    subjectPublicKey: caKey,
    issuerKey: caKey,
    ca: { pathLen: 0 },
    keyUsage: ['keyCertSign', 'cRLSign'],
  });
  w.pem(PKI_FILES.orgCaCert, ca);
  w.key(PKI_FILES.orgCaKey, caKey);
  const sample = (cert: string, key: string, cn: string): bigint => {
    const k = o.rsa();
    const serial = randomSerial();
    w.pem(
      cert,
      issueCertificate({
        subject: { C: 'TW', O: '範例科技股份有限公司', CN: cn, serialNumber: SAMPLE_ORGANISATION_ID },
        issuer: ca,
        serial,
        notBefore: now,
        notAfter: new Date(now.getTime() + 2 * 365 * DAY),
        subjectPublicKey: k,
        issuerKey: caKey,
        keyUsage: ['digitalSignature', 'nonRepudiation'],
      }),
    );
    w.key(key, k);
    return serial;
  };
  sample(PKI_FILES.orgSampleCert, PKI_FILES.orgSampleKey, '範例科技股份有限公司');
  const revoked = sample(PKI_FILES.orgRevokedCert, PKI_FILES.orgRevokedKey, '範例科技股份有限公司 (revoked)');
  w.write(
    PKI_FILES.orgCrl,
    issueCrl({
      issuerCert: ca,
      issuerKey: caKey,
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + 30 * DAY),
      crlNumber: 1n,
      revoked: [{ serial: revoked, date: now }],
    }),
  );
}
