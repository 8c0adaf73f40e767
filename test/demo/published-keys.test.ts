/** The published demo SP keys: a warning on every start, a refusal under NODE_ENV=production. */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkPublishedKeys,
  PUBLISHED_DEMO_CERTIFICATES,
  PublishedKeyError,
} from '../../src/demo/published-keys.js';
import { issueCertificate } from '../../src/pki/x509/certificate.js';
import { ROOT } from '../support/cli.js';

const demoCert = new X509Certificate(readFileSync(join(ROOT, 'metadata/demo-portal/signing.pem')));
const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
const subject = { CN: 'own SP' };
const ownCert = new X509Certificate(
  issueCertificate({
    subject,
    issuer: subject,
    notBefore: new Date(),
    notAfter: new Date(Date.now() + 86_400_000),
    subjectPublicKey: key,
    issuerKey: key,
    keyUsage: ['digitalSignature'],
  }),
);

describe('published demo keys', () => {
  it('knows exactly the certificates in metadata/demo-portal (regenerated keys need new fingerprints)', () => {
    const files = readdirSync(join(ROOT, 'metadata/demo-portal')).filter(
      (f) => f.endsWith('.pem') && !f.endsWith('.key.pem'),
    );
    const onDisk = files.map(
      (f) => new X509Certificate(readFileSync(join(ROOT, 'metadata/demo-portal', f))).fingerprint256,
    );
    expect(new Set(onDisk)).toEqual(PUBLISHED_DEMO_CERTIFICATES);
  });

  it('names the eServices registered with them; refuses them in production', () => {
    const sps = [
      { eServiceId: 'demo-portal', certificates: [demoCert] },
      { eServiceId: 'ministry', certificates: [ownCert] },
    ];
    expect(checkPublishedKeys(sps, false)).toEqual(['demo-portal']);
    expect(() => checkPublishedKeys(sps, true)).toThrow(PublishedKeyError);
    expect(checkPublishedKeys([sps[1]!], true)).toEqual([]);
  });
});
