/**
 * The web listener offers the RSA and the ECDSA certificate of the PKI: a
 * client that can do ECDHE-ECDSA gets the cheap ECDSA handshake, an RSA-only
 * one still connects; both certificates are in every CertificateDescription
 * (the eID-Client compares the server certificate with commCertificates).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCertificateDescription } from '../../../src/pki/cvc/certificate-description.js';
import { PKI_FILES, terminalFiles } from '../../../src/pki/layout.js';
import { startTestServer, type TestServer } from '../../support/server.js';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
}, 120_000);
afterAll(async () => ts?.close());

function peer(o: { ciphers?: string; maxVersion?: 'TLSv1.2' | 'TLSv1.3' }): Promise<PeerCertificate> {
  const port = Number(new URL(ts.web).port);
  return new Promise((resolve, reject) => {
    const s = connect(
      { host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'localhost', ...o },
      () => {
        resolve(s.getPeerCertificate());
        s.end();
      },
    );
    s.once('error', reject);
  });
}

describe('web listener certificates', () => {
  it('ECDHE-ECDSA clients get the ECDSA certificate, RSA-only clients the RSA one', async () => {
    const ecdsa = await peer({ ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256', maxVersion: 'TLSv1.2' });
    expect(ecdsa.asn1Curve ?? ecdsa.nistCurve).toBeTruthy();
    const rsa = await peer({ ciphers: 'ECDHE-RSA-AES128-GCM-SHA256', maxVersion: 'TLSv1.2' });
    expect(rsa.bits).toBe(3072);
    const tls13 = await peer({});
    expect(tls13.raw.equals(ecdsa.raw)).toBe(true);
  });

  it('both certificates are in the commCertificates of the CertificateDescriptions', () => {
    const hashes = decodeCertificateDescription(
      readFileSync(join(ts.pkiDir, terminalFiles('demo-portal').description)),
    ).commCertificates?.map((h) => h.toString('hex'));
    for (const f of [PKI_FILES.tlsCert, PKI_FILES.tlsEcCert]) {
      const der = new X509Certificate(readFileSync(join(ts.pkiDir, f))).raw;
      expect(hashes).toContain(createHash('sha256').update(der).digest('hex'));
    }
  });
});
