/**
 * SAML SP metadata registered through the admin API: by upload or URL, refused with the reason when
 * malformed, oversized, expired or (with a configured signing key) not signed by it; URL
 * registrations refreshed; the IdP's SP table follows live. And an OIDC client registration.
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountAdminApi } from '../../src/interfaces/admin/mount.js';
import { DIGEST, SIG } from '../../src/interfaces/saml/algorithms.js';
import { keySigner } from '../../src/interfaces/saml/crypto/keys.js';
import { signEnveloped } from '../../src/interfaces/saml/crypto/xmldsig-sign.js';
import { mountSamlIdp, type SamlIdp } from '../../src/interfaces/saml/idp.js';
import { buildSpMetadata } from '../../src/interfaces/saml/metadata/sp-metadata-builder.js';
import { selfSignedTlsCertificate } from '../../src/pki/x509/tls.js';
import { type AdminClient, adminClient, approveNewEService } from '../support/admin.js';
import { FORM } from '../support/registry.js';
import { startTestServer, type TestServer, testRsaKey } from '../support/server.js';

const rsa = testRsaKey();
const rsaCert = new X509Certificate(selfSignedTlsCertificate({ commonName: 'sp', key: rsa, days: 30 }));

function metadata(o: { entityId?: string; validUntil?: Date; acs?: string } = {}): string {
  const xml = buildSpMetadata({
    entityId: o.entityId ?? 'https://library.example/sp',
    encryptionCertificate: rsaCert,
    signingCertificate: rsaCert,
    acs: [{ binding: 'post', location: o.acs ?? 'https://library.example/acs', index: 0, isDefault: true }],
  });
  return xml.replace(
    '<md:EntityDescriptor ',
    `<md:EntityDescriptor ID="_md${Math.random().toString(36).slice(2)}" ${o.validUntil ? `validUntil="${o.validUntil.toISOString()}" ` : ''}`,
  );
}

function sign(xml: string, key = rsa, cert = rsaCert): string {
  return signEnveloped(xml, keySigner(key, cert, SIG.rsaSha256), {
    digest: DIGEST.sha256,
    position: 'first',
  });
}

async function approve(admin: AdminClient, id: string): Promise<void> {
  const ok = await approveNewEService(admin, id, FORM);
  expect(ok.json.status, ok.text).toBe('active');
}

let now = new Date();
let ts: TestServer;
let idp: SamlIdp;
let admin: AdminClient;
let served = metadata();
let metadataServer: Server;
let metadataUrl: string;
beforeAll(async () => {
  ts = await startTestServer({
    now: () => now,
    extra: { registry: { saml: { metadataMaxBytes: 20_000, fetchTimeoutSeconds: 1 } } },
    mount: (s) => {
      mountAdminApi(s);
      idp = mountSamlIdp(s);
    },
  });
  admin = await adminClient(ts.server);
  await approve(admin, 'library');
  metadataServer = createServer((req, res) => {
    if (req.url === '/slow') return; // never answers
    res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(served);
  });
  await new Promise<void>((r) => metadataServer.listen(0, '127.0.0.1', () => r()));
  metadataUrl = `http://127.0.0.1:${(metadataServer.address() as { port: number }).port}/md.xml`;
}, 120_000);
afterAll(async () => {
  metadataServer?.closeAllConnections();
  metadataServer?.close();
  await ts?.close();
});

describe('SAML SP metadata through the admin API', () => {
  it('refuses malformed, oversized and expired metadata, saying why', async () => {
    const put = (metadataXml: string) => admin.call('PUT', '/eservices/library/saml', { metadataXml });
    const malformed = await put('<md:EntityDescriptor');
    expect(malformed).toMatchObject({ status: 422, json: { pointer: '/metadataXml' } });
    expect(malformed.json.detail).toMatch(/SAML metadata is not usable/);
    const big = await put(
      metadata().replace('</md:EntityDescriptor>', `<!--${'x'.repeat(30_000)}--></md:EntityDescriptor>`),
    );
    expect(big.json.detail).toMatch(/larger than 20000 bytes/);
    const expired = await put(metadata({ validUntil: new Date(Date.now() - 60_000) }));
    expect(expired.status).toBe(422);
    expect(expired.json.detail).toMatch(/expired \(validUntil/);
    const both = await admin.call('PUT', '/eservices/library/saml', { metadataXml: metadata(), metadataUrl });
    expect(both.status).toBe(422);
  });

  it('an uploaded registration is served by the IdP at once', async () => {
    const r = await admin.call('PUT', '/eservices/library/saml', {
      metadataXml: metadata(),
      nameIdFormat: 'persistent',
    });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({
      source: 'upload',
      entityId: 'https://library.example/sp',
      nameIdFormat: 'persistent',
    });
    await expect
      .poll(() => idp.serviceProviders.get('https://library.example/sp')?.eService.id)
      .toBe('library');
  });

  it('a URL registration is fetched (within limits) and refreshed when due', async () => {
    const slow = await admin.call('PUT', '/eservices/library/saml', {
      metadataUrl: metadataUrl.replace('/md.xml', '/slow'),
    });
    expect(slow).toMatchObject({
      status: 502,
      json: { type: 'urn:tw:neid:admin:problem:fetch-failed', pointer: '/metadataUrl' },
    });
    const r = await admin.call('PUT', '/eservices/library/saml', { metadataUrl });
    expect(r.status, r.text).toBe(200);
    expect(r.json.source).toBe('url');
    served = metadata({ acs: 'https://library.example/acs2' });
    expect((await admin.call('POST', '/saml/refresh')).json.changed).toBe(0); // not due yet
    now = new Date(Date.now() + 25 * 3_600_000);
    expect((await admin.call('POST', '/saml/refresh')).json.changed).toBe(1);
    await expect
      .poll(() => idp.serviceProviders.get('https://library.example/sp')?.metadata.acs[0]?.location)
      .toBe('https://library.example/acs2');
    now = new Date();
  });

  it("registers an OIDC client, checked by the registry file's rules", async () => {
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const client = {
      clientId: 'library-web',
      redirectUris: ['https://library.example/cb'],
      profile: 'fapi2',
    };
    const noKeys = await admin.call('PUT', '/eservices/library/oidc', { client });
    expect(noKeys).toMatchObject({ status: 422, json: { pointer: '/client/jwks' } });
    const ok = await admin.call('PUT', '/eservices/library/oidc', {
      client: { ...client, jwks: { keys: [jwk] } },
    });
    expect(ok.status, ok.text).toBe(200);
    await expect.poll(() => ts.server.registry.get('library')?.oidc?.client?.clientId).toBe('library-web');
  });
});

describe('with a configured metadata signing key', () => {
  let ts2: TestServer;
  let admin2: AdminClient;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neid-mdsig-'));
    writeFileSync(join(dir, 'federation.pem'), rsaCert.toString());
    ts2 = await startTestServer({
      extra: { registry: { saml: { metadataSigningCertificate: join(dir, 'federation.pem') } } },
      mount: (s) => void mountAdminApi(s),
    });
    admin2 = await adminClient(ts2.server);
    await approve(admin2, 'archive');
  }, 120_000);
  afterAll(async () => ts2?.close());

  it('accepts metadata signed by that key only', async () => {
    const put = (metadataXml: string) => admin2.call('PUT', '/eservices/archive/saml', { metadataXml });
    const unsigned = await put(metadata({ entityId: 'https://archive.example/sp' }));
    expect(unsigned.status).toBe(422);
    expect(unsigned.json.detail).toMatch(/not signed by the configured metadata signing key/);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const otherCert = new X509Certificate(
      selfSignedTlsCertificate({ commonName: 'other', key: other, days: 1 }),
    );
    expect(
      (await put(sign(metadata({ entityId: 'https://archive.example/sp' }), other, otherCert))).status,
    ).toBe(422);
    const good = await put(sign(metadata({ entityId: 'https://archive.example/sp' })));
    expect(good.status, good.text).toBe(200);
  });
});
