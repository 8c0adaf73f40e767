/**
 * The registry is live across instances: a change made through one instance's admin API takes
 * effect on the other by NOTIFY (its version poll is switched off here, so the notification is the
 * only path), on PGlite (two instances sharing the database) and on PostgreSQL (two instances with
 * their own connections). When PostgreSQL goes away at run time, logins keep working on the last
 * loaded registry and admin writes answer 503; unreachable at start, the server exits with one line.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, Socket as NetSocket, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { EacClient } from '../../src/client/eac-client.js';
import { runOnlineAuthentication } from '../../src/client/paos-client.js';
import { mountAdminApi } from '../../src/interfaces/admin/mount.js';
import type { Database } from '../../src/registry/db/database.js';
import { migrate } from '../../src/registry/db/migrate.js';
import { PostgresDatabase } from '../../src/registry/db/postgres.js';
import { type AdminClient, adminClient, approveNewEService } from '../support/admin.js';
import { writeTestCard } from '../support/card.js';
import { runTs } from '../support/cli.js';
import { FORM } from '../support/registry.js';
import { DATABASE_KINDS, freshSchema, POSTGRES_URL, sharedPglite } from '../support/registry-db.js';
import { freePort, startTestServer, type TestServer } from '../support/server.js';

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => {});
});

/** Drops a PostgreSQL schema once the servers using it are closed (closers run last-in first-out). */
function dropLater(schema: string): void {
  closers.push(async () => {
    const db = await PostgresDatabase.open({ url: POSTGRES_URL!, schema, connectTimeoutMs: 5000 });
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.close();
  });
}

async function approveNew(admin: AdminClient, id: string): Promise<void> {
  const ok = await approveNewEService(admin, id, FORM);
  expect(ok.json.status, ok.text).toBe('active');
}

describe.each(DATABASE_KINDS)('two instances on one registry (%s)', (kind) => {
  it('a change through instance A is served by instance B without a restart (NOTIFY)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neid-two-'));
    const schema = freshSchema();
    let shared: Database | undefined;
    if (kind === 'postgres') dropLater(schema);
    if (kind === 'pglite') {
      shared = (await sharedPglite()).withSchema(schema);
      await migrate(shared);
      closers.push(async () => {
        await shared!.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await shared!.close();
      });
    }
    const common = {
      pkiDir: join(dir, 'pki'),
      mount: (s: Parameters<typeof mountAdminApi>[0]) => void mountAdminApi(s),
      ...(shared ? { registry: shared } : { registry: 'config' as const }),
    };
    const registry = (pollSeconds: number) => ({
      registry: {
        keyFile: join(dir, 'registry.key'),
        pollSeconds,
        ...(kind === 'postgres' ? { databaseUrl: POSTGRES_URL, schema } : {}),
      },
    });
    const a = await startTestServer({ ...common, extra: registry(3600) });
    closers.push(() => a.close());
    const b = await startTestServer({ ...common, extra: registry(3600) });
    closers.push(() => b.close());
    expect(b.server.registry.eServices.map((e) => e.id).sort()).toEqual([
      'demo-bank',
      'demo-portal',
      'passport-office',
    ]);
    const adminA = await adminClient(a.server);
    const t0 = Date.now();
    await approveNew(adminA, 'town-hall');
    await expect
      .poll(() => b.server.registry.get('town-hall')?.approvedFields, { timeout: 10_000 })
      .toEqual(['chineseName']);
    process.stdout.write(
      `[${kind}] instance B served the approval ${Date.now() - t0} ms after the request to A\n`,
    );
    // …and back: B suspends, A stops serving it.
    const adminB = await adminClient(b.server);
    const es = await adminB.call('GET', '/eservices/town-hall');
    await adminB.call('POST', '/eservices/town-hall/suspend', {}, { 'if-match': es.headers.etag as string });
    await expect.poll(() => a.server.registry.get('town-hall'), { timeout: 10_000 }).toBeUndefined();
    // The terminal certificate B serves is the one A issued (keys sealed in the shared database).
    expect(b.server.pki.terminals.get('demo-portal')?.cert.chr).toBe(
      a.server.pki.terminals.get('demo-portal')?.cert.chr,
    );
  });
});

/** A TCP relay to PostgreSQL that the test can cut (the database "goes away"). */
async function relay(target: URL): Promise<{ port: number; cut(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new NetSocket();
    upstream.connect(Number(target.port || 5432), target.hostname);
    client.pipe(upstream).pipe(client);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
  });
  const port = await new Promise<number>((r) =>
    server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port)),
  );
  return {
    port,
    cut: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe.runIf(POSTGRES_URL)('PostgreSQL lost at run time', () => {
  it('logins go on with the last loaded registry; admin writes answer 503', async () => {
    const target = new URL(POSTGRES_URL!);
    const r = await relay(target);
    const url = new URL(POSTGRES_URL!);
    url.hostname = '127.0.0.1';
    url.port = String(r.port);
    const schema = freshSchema();
    dropLater(schema);
    const ts: TestServer = await startTestServer({
      registry: 'config',
      mount: (s) => void mountAdminApi(s),
      extra: { registry: { databaseUrl: url.toString(), schema, connectTimeoutSeconds: 2, pollSeconds: 1 } },
    });
    closers.push(() => ts.close());
    const admin = await adminClient(ts.server);
    await r.cut();
    await expect.poll(() => ts.server.registryRuntime.live.status().healthy, { timeout: 15_000 }).toBe(false);
    const write = await admin.call('POST', '/applications', {
      eServiceId: 'x-down',
      eService: { id: 'x-down', displayName: { zh: 'x', en: 'x' }, purpose: { zh: 'x', en: 'x' } },
      form: FORM,
      requestedFields: ['chineseName'],
      requestedFunctions: [],
    });
    expect(write.status).toBe(503);
    expect(write.json.type).toBe('urn:tw:neid:admin:problem:registry-unavailable');
    // A login through the server still works: the registry in memory has the eService and its terminal.
    const { file } = writeTestCard(ts.pkiDir);
    const created = await ts.server.sessions.create({
      eServiceId: 'demo-portal',
      frontEnd: 'saml',
      required: ['chineseName'],
      optional: [],
      channel: 'psk',
      refreshAddress: `${ts.web}/done`,
    });
    const card = VirtualCard.fromFile(file, { persist: true });
    card.reset();
    const eac = new EacClient({ card, consent: async () => ({ accept: true, deselect: [], pin: '123456' }) });
    const outcome = await runOnlineAuthentication(created.tcTokenUrl, eac);
    expect(outcome.redirectUrl).toMatch(/ResultMajor=ok/);
    expect((await ts.server.sessions.consume(created.sessionId))?.kind).toBe('result');
  });
});

describe('registry unreachable at start', () => {
  it('the server exits non-zero with one line naming the database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neid-nodb-'));
    const config = join(dir, 'server.yaml');
    writeFileSync(
      config,
      `varDir: ${dir}\nweb: { port: ${await freePort()} }\npsk: { enabled: false }\nsoap: { enabled: false }\ndemo: { enabled: false }\nregistry: { databaseUrl: "postgresql://neid:secret@127.0.0.1:1/registry", connectTimeoutSeconds: 3 }\n`,
    );
    const run = await runTs('src/server/main.ts', [], { env: { NEID_CONFIG: config }, timeoutMs: 60_000 });
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^N_eID-Server failed to start: registry database postgresql:\/\/neid@127\.0\.0\.1:1\/registry is unreachable/,
    );
    expect(run.stderr).not.toContain('secret');
  });
});
