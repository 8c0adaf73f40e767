import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { describe, expect, it } from 'vitest';
import {
  derFromPem,
  issueCertificate,
  issueClientCertificate,
  pemFromDer,
  selfSignedTlsCertificate,
  X509Error,
} from '../../../src/pki/x509/index.js';
import { DAY, NOW } from './pki-fixture.js';

const rsaKey = () => generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey;

/** Starts a TLS server with cert/key, connects with `ca` and the given identity, returns the client-seen result. */
async function handshake(opts: {
  cert: string;
  key: string;
  ca: string;
  host: string;
  servername?: string;
  clientCert?: { cert: string; key: string; ca: string };
}): Promise<{ authorized: boolean; peerCN?: string }> {
  const server = createServer({
    cert: opts.cert,
    key: opts.key,
    ...(opts.clientCert ? { requestCert: true, rejectUnauthorized: true, ca: opts.clientCert.ca } : {}),
  });
  server.on('secureConnection', (s) => {
    s.end('ok');
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise((resolve, reject) => {
      const socket = connect({
        host: opts.host,
        port,
        ca: opts.ca,
        ...(opts.servername ? { servername: opts.servername } : {}),
        ...(opts.clientCert ? { cert: opts.clientCert.cert, key: opts.clientCert.key } : {}),
      });
      socket.on('secureConnect', () => {
        socket.once('data', () => {
          resolve({ authorized: socket.authorized });
          socket.end();
        });
      });
      socket.on('error', reject);
    });
  } finally {
    await new Promise((r) => server.close(r));
  }
}

describe('TLS certificates', () => {
  const key = rsaKey();
  const der = selfSignedTlsCertificate({ commonName: 'N_eID-Server', key, days: 30 });
  const cert = pemFromDer(der);
  const keyPem = key.export({ type: 'pkcs8', format: 'pem' }).toString();

  it('PEM round-trips', () => {
    expect(derFromPem(cert).equals(der)).toBe(true);
    expect(() => derFromPem('nothing here')).toThrow(X509Error);
  });

  it('has the defaults: RSA-3072, SAN IP:127.0.0.1 + DNS:localhost, serverAuth', () => {
    const x = new X509Certificate(der);
    expect(x.publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(x.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(x.verify(x.publicKey)).toBe(true);
  });

  it('node accepts it for a connection to 127.0.0.1 (default checkServerIdentity)', async () => {
    expect(await handshake({ cert, key: keyPem, ca: cert, host: '127.0.0.1' })).toEqual({ authorized: true });
  });

  it('node accepts it for servername localhost', async () => {
    expect(
      await handshake({ cert, key: keyPem, ca: cert, host: '127.0.0.1', servername: 'localhost' }),
    ).toEqual({
      authorized: true,
    });
  });

  it('node rejects a name the certificate does not carry', async () => {
    await expect(
      handshake({ cert, key: keyPem, ca: cert, host: '127.0.0.1', servername: 'eid.example.tw' }),
    ).rejects.toThrow(/Hostname\/IP does not match/);
  });

  it('works with an EC server key too', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const ecCert = pemFromDer(
      selfSignedTlsCertificate({ commonName: 'ec', key: ec, ips: ['127.0.0.1'], days: 1 }),
    );
    const ecKeyPem = ec.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(await handshake({ cert: ecCert, key: ecKeyPem, ca: ecCert, host: '127.0.0.1' })).toEqual({
      authorized: true,
    });
  });

  it('client certificates (self-signed and CA-issued) authenticate to a server requiring them', async () => {
    const clientKey = rsaKey();
    const clientKeyPem = clientKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const selfSigned = issueClientCertificate({
      subject: 'SOAP client',
      publicKey: clientKey,
      issuerKey: clientKey,
      days: 1,
    });
    expect(new X509Certificate(selfSigned).keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    const ssPem = pemFromDer(selfSigned);
    const r1 = await handshake({
      cert,
      key: keyPem,
      ca: cert,
      host: '127.0.0.1',
      clientCert: { cert: ssPem, key: clientKeyPem, ca: ssPem },
    });
    expect(r1.authorized).toBe(true);

    const caKey = rsaKey();
    const caCert = issueCertificate({
      subject: { C: 'TW', O: 'Test', CN: 'Client CA' },
      issuer: { C: 'TW', O: 'Test', CN: 'Client CA' },
      notBefore: new Date(NOW - DAY),
      notAfter: new Date(NOW + DAY),
      subjectPublicKey: caKey,
      issuerKey: caKey,
      ca: { pathLen: 0 },
      keyUsage: ['keyCertSign', 'cRLSign'],
    });
    const issued = issueClientCertificate({
      subject: { C: 'TW', O: 'Test', CN: 'eService 1' },
      publicKey: clientKey,
      issuerKey: caKey,
      issuerCert: caCert,
      days: 1,
    });
    const r2 = await handshake({
      cert,
      key: keyPem,
      ca: cert,
      host: '127.0.0.1',
      clientCert: { cert: pemFromDer(issued), key: clientKeyPem, ca: pemFromDer(caCert) },
    });
    expect(r2.authorized).toBe(true);
    expect(() =>
      issueClientCertificate({ subject: 'x', publicKey: clientKey, issuerKey: caKey, days: 1 }),
    ).toThrow(X509Error);
  });
});
