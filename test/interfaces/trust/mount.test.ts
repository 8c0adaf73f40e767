/**
 * The trust material on the web listener: unauthenticated, cacheable (strong
 * ETag, Cache-Control, Last-Modified, 304 on a match), each document with its
 * validity in the index; a rejected file is not published; `trust.publish:
 * false` publishes nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPrivateKey } from '../../../src/crypto/keys.js';
import { mountTrust } from '../../../src/interfaces/trust/mount.js';
import { trustProblems } from '../../../src/open-api/trust.js';
import { TrustStore } from '../../../src/open-api/trust-store.js';
import { PKI_FILES } from '../../../src/pki/layout.js';
import { signPublicCardRevocationList } from '../../../src/pki/revocation/public-card-revocation-list.js';
import type { TrustMaterial } from '../../../src/provisioning/trust-material.js';
import { startTestServer, type TestServer, webCertificates } from '../../support/server.js';

let ts: TestServer;
let material: TrustMaterial | undefined;
beforeAll(async () => {
  ts = await startTestServer({
    mount: (s) => {
      material = mountTrust(s);
    },
  });
}, 120_000);
afterAll(async () => ts?.close());

function get(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const req = request(
        `${ts.web}${path}`,
        { ca: webCertificates(ts.server), headers, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

describe('GET /trust/*', () => {
  it('lists the documents with their validity', async () => {
    const r = await get('/trust/index.json');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    const index = JSON.parse(r.body.toString());
    expect(index.documents.map((d: { name: string }) => d.name)).toEqual([
      'csca-master-list.ml',
      'csca.crl',
      'card-revocation.cms',
    ]);
    const [ml, crl, rev] = index.documents;
    expect(ml).toMatchObject({ kind: 'csca-master-list', url: `${ts.web}/trust/csca-master-list.ml` });
    expect(ml.cscas[0].subject).toContain('TEST CSCA Taiwan');
    expect(Date.parse(ml.signerNotAfter)).toBeGreaterThan(Date.now());
    expect(Date.parse(crl.nextUpdate)).toBeGreaterThan(Date.now());
    expect(rev).toMatchObject({ kind: 'public-card-revocation-list', revokedCards: 0 });
    expect((await get('/trust/')).body).toEqual(r.body);
  });

  it('serves each document cacheable, and 304 for a matching ETag', async () => {
    for (const [name, type] of [
      ['csca-master-list.ml', 'application/cms'],
      ['csca.crl', 'application/pkix-crl'],
      ['card-revocation.cms', 'application/cms'],
    ] as const) {
      const r = await get(`/trust/${name}`);
      expect(r.status, name).toBe(200);
      expect(r.headers['content-type']).toBe(type);
      expect(r.headers['cache-control']).toBe('public, max-age=300, no-transform');
      expect(r.headers.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
      expect(r.headers['last-modified']).toBeTruthy();
      const again = await get(`/trust/${name}`, { 'if-none-match': String(r.headers.etag) });
      expect(again.status).toBe(304);
      expect(again.body).toHaveLength(0);
    }
    expect((await get('/trust/ds.key.pem')).status).toBe(404);
    expect((await get('/trust/..%2Fpassive-auth%2Fcsca.key.pem')).status).toBe(404);
  });

  it('keeps serving the last good copy when a file on disk is broken', async () => {
    const before = await get('/trust/card-revocation.cms');
    writeFileSync(join(ts.pkiDir, PKI_FILES.publicCardRevocationList), 'not a list');
    material?.reload();
    const after = await get('/trust/card-revocation.cms');
    expect(after.status).toBe(200);
    expect(after.body).toEqual(before.body);
    writeFileSync(join(ts.pkiDir, PKI_FILES.publicCardRevocationList), before.body);
  });

  it('a verifier’s TrustStore: conditional GETs (304 confirms), a new list is taken, a failed refresh ages', async () => {
    const store = await TrustStore.open({
      source: `${ts.web}/trust/`,
      anchors: [ts.server.pki.cscaCerts[0]!],
      tlsCa: webCertificates(ts.server),
      maxAgeSeconds: 60,
    });
    const first = store.current.confirmedAt;
    expect(await store.refresh()).toBe(false);
    expect(store.current.confirmedAt.getTime()).toBeGreaterThanOrEqual(first.getTime());

    const key = loadPrivateKey(readFileSync(join(ts.pkiDir, PKI_FILES.cscaKey), 'utf8'));
    const list = signPublicCardRevocationList(
      {
        thisUpdate: new Date(Date.now() - 1000),
        nextUpdate: new Date(Date.now() + 86_400_000),
        revoked: [{ chipKeyHash: Buffer.alloc(32, 7), revocationDate: new Date() }],
      },
      { cert: ts.server.pki.cscaCerts[0]!, key },
    );
    writeFileSync(join(ts.pkiDir, PKI_FILES.publicCardRevocationList), list);
    material?.reload();
    expect(await store.refresh()).toBe(true);
    expect(store.current.revokedChips.has('07'.repeat(32))).toBe(true);

    // A mirror over plain HTTP that then goes away: the store keeps its copy, which ages.
    const docs = new Map<string, Buffer>();
    for (const name of ['csca-master-list.ml', 'csca.crl', 'card-revocation.cms'])
      docs.set(`/trust/${name}`, (await get(`/trust/${name}`)).body);
    const mirror = createServer((req, res) => {
      const body = docs.get(req.url ?? '');
      res.writeHead(body ? 200 : 404).end(body);
    });
    await new Promise<void>((r) => mirror.listen(0, '127.0.0.1', r));
    const port = (mirror.address() as { port: number }).port;
    const gone = await TrustStore.open({
      source: `http://127.0.0.1:${port}/trust/`,
      anchors: [ts.server.pki.cscaCerts[0]!],
      maxAgeSeconds: 60,
    });
    await new Promise<void>((r) => mirror.close(() => r()));
    await expect(gone.refresh()).rejects.toThrow(/ECONNREFUSED/);
    expect(gone.current.revokedChips.size).toBe(1);
    expect(trustProblems(gone.current, new Date(Date.now() + 120_000)).join()).toMatch(/not confirmed/);
  });

  it('publishes nothing with trust.publish false', async () => {
    const off = await startTestServer({
      extra: { trust: { publish: false } },
      mount: (s) => void mountTrust(s),
    });
    try {
      const r = await new Promise<number>((resolve, reject) => {
        request(`${off.web}/trust/index.json`, { ca: webCertificates(off.server), agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
      expect(r).toBe(404);
    } finally {
      await off.close();
    }
  });
});
