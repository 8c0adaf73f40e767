/**
 * Issue 15 (security 1–3, 6; protocol 10): the PAOS endpoint bounds every
 * message before spending on it — Content-Type, then the session and its
 * channel, then a body limit of what the largest legitimate message needs,
 * then depth and node limits while scanning — and answers every refusal with
 * a StartPAOSResponse and a log line, never HTTP 500. PSKs leave memory and
 * Redis with their session; a TC Token in PSK mode is served once.
 */

import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { EacClient } from '../../src/client/eac-client.js';
import { httpsCall } from '../../src/client/network.js';
import { runOnlineAuthentication } from '../../src/client/paos-client.js';
import { MAX_PAOS_BYTES } from '../../src/interfaces/eid/paos-endpoint.js';
import { buildEnvelope, newMessageId } from '../../src/paos/envelope.js';
import { buildStartPaos } from '../../src/paos/messages/start-paos.js';
import { parseTcToken } from '../../src/paos/messages/tctoken.js';
import { NS, PAOS_CONTENT_TYPE } from '../../src/paos/namespaces.js';
import { RESULT_MINOR } from '../../src/paos/result.js';
import { FIELD_IDS } from '../../src/profile/fields.js';
import type { AuthRequest } from '../../src/workflows/session/types.js';
import { writeTestCard } from '../support/card.js';
import { haveRedisServer, startRedis } from '../support/redis.js';
import { LogCapture, startTestServer, type TestServer } from '../support/server.js';

const logs = new LogCapture();
let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer({ logs, extra: { sessions: { unclaimedTtlSeconds: 5 } } });
}, 120_000);
afterAll(async () => ts?.close());

const PAOS_HEADERS = { 'content-type': `${PAOS_CONTENT_TYPE}; charset=UTF-8` };

const sessionRequest = (o: Partial<AuthRequest> = {}): AuthRequest => ({
  eServiceId: 'demo-portal',
  frontEnd: 'saml',
  required: ['chineseName'],
  optional: [],
  channel: 'psk',
  refreshAddress: `${ts.web}/done`,
  ...o,
});

const startPaos = (id: string, extra = '') =>
  buildStartPaos(
    { sessionIdentifier: id, connectionHandle: { slotHandle: '00' }, supportedApiVersions: ['1.1.5'] },
    newMessageId(),
  ).replace('</SessionIdentifier>', `</SessionIdentifier>${extra}`);

/** POSTs a PAOS message over the TLS-PSK listener as the session's eID-Client. */
async function overPsk(created: { identity: string; psk?: Buffer }, body: string, headers = {}) {
  const r = await httpsCall(new URL(`${ts.psk}/eid/paos`), {
    method: 'POST',
    body,
    headers: { ...PAOS_HEADERS, requestid: created.identity, ...headers },
    psk: { identity: created.identity, key: created.psk! },
  });
  return { status: r.status, body: r.body.toString() };
}

/**
 * Streams `total` bytes of `chunk`s to /eid/paos on the web listener and reports how the server
 * ended the request — its answer, or closing the connection — and how much had been sent by then.
 */
function stream(o: {
  headers: Record<string, string>;
  chunk: Buffer;
  total: number;
  declare?: boolean;
}): Promise<{ status?: number; body: string; sent: number }> {
  const u = new URL(`${ts.web}/eid/paos`);
  return new Promise((resolve) => {
    let sent = 0;
    let done = false;
    const finish = (r: { status?: number; body: string }) => {
      if (done) return;
      done = true;
      resolve({ ...r, sent });
      req.destroy();
    };
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        rejectUnauthorized: false,
        agent: false,
        headers: { ...o.headers, ...(o.declare ? { 'content-length': String(o.total) } : {}) },
      },
      (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => finish({ status: res.statusCode ?? 0, body }));
        res.on('error', () => finish({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', () => finish({ body: '' }));
    req.on('close', () => setImmediate(() => finish({ body: '' })));
    const pump = () => {
      while (!done && sent < o.total) {
        sent += o.chunk.length;
        if (!req.write(o.chunk)) return void req.once('drain', pump);
      }
      // The whole body is out: a server that answers only now has read all of it.
      if (!done) req.end();
    };
    req.flushHeaders();
    pump();
  });
}

const HOSTILE = Buffer.from('<a/>'.repeat(16 * 1024)); // 64 KiB of elements per chunk
const FOUR_MIB = 4 * 1024 * 1024;

describe('bounded before parsing (security 1)', () => {
  it('a message for an unknown session is refused before its body is read', async () => {
    const r = await stream({
      headers: { ...PAOS_HEADERS, requestid: '00'.repeat(32) },
      chunk: HOSTILE,
      total: FOUR_MIB,
      declare: true,
    });
    expect(r.status).toBe(200);
    expect(r.body).toContain(RESULT_MINOR.noPermission);
    expect(r.sent).toBeLessThan(FOUR_MIB);
  });

  it('a message naming no session is read only up to the size of a StartPAOS', async () => {
    const declared = await stream({ headers: PAOS_HEADERS, chunk: HOSTILE, total: FOUR_MIB, declare: true });
    expect(declared.status).toBe(413);
    expect(declared.body).toContain(RESULT_MINOR.incorrectParameter);
    expect(declared.sent).toBeLessThan(FOUR_MIB);
    const chunked = await stream({ headers: PAOS_HEADERS, chunk: HOSTILE, total: FOUR_MIB });
    expect(chunked.sent).toBeLessThan(FOUR_MIB);
  });

  it('node and depth limits apply while scanning: a small flood of elements is a PAOS error', async () => {
    const flood = `<soap:Envelope xmlns:soap="${NS.soap}"><soap:Body>${'<a/>'.repeat(3000)}</soap:Body></soap:Envelope>`;
    const r = await stream({
      headers: PAOS_HEADERS,
      chunk: Buffer.from(flood),
      total: flood.length,
      declare: true,
    });
    expect(r.status).toBe(200);
    expect(r.body).toContain(RESULT_MINOR.incorrectParameter);
    expect(r.body).toMatch(/more than 256 XML nodes/);
    const deep = `${'<a>'.repeat(40)}${'</a>'.repeat(40)}`;
    const d = await stream({
      headers: PAOS_HEADERS,
      chunk: Buffer.from(deep),
      total: deep.length,
      declare: true,
    });
    expect(d.body).toMatch(/nesting deeper than 16/);
  });

  it('a burst of hostile bodies is cut short, and /health answers meanwhile', async () => {
    const burst = Array.from({ length: 8 }, () =>
      stream({ headers: PAOS_HEADERS, chunk: HOSTILE, total: FOUR_MIB }),
    );
    const health = await httpsCall(new URL(`${ts.web}/health`));
    expect(health.status).toBe(200);
    for (const r of await Promise.all(burst)) expect(r.sent).toBeLessThan(FOUR_MIB);
  });

  it('the largest legitimate message fits: every field at its maximum with a 32,000-byte photo', async () => {
    const dir = join(ts.pkiDir, '..');
    const registry = join(dir, 'all-fields.yaml');
    writeFileSync(
      registry,
      `eServices:
  - id: all-fields
    displayName: { zh: 全部欄位, en: All fields }
    purpose: { zh: 測試, en: The largest PAOS message }
    approvedFields: [${FIELD_IDS.join(', ')}]
    approvedFunctions: [ageVerification, placeVerification]
    terminal: { mnemonic: ALLFIELDS }
    maxOpenSessions: 5
`,
    );
    const big = await startTestServer({ relyingParties: registry });
    try {
      const photo = Buffer.alloc(32_000, 0x41);
      photo.set([0xff, 0xd8, 0xff]);
      photo.set([0xff, 0xd9], 31_998);
      const long = '𠀀'.repeat(100);
      const { file } = writeTestCard(big.pkiDir, {
        fields: {
          photo,
          chineseName: long,
          spouseName: long,
          fatherName: long,
          motherName: long,
          placeOfBirth: long,
          romanizedName: 'W'.repeat(100),
          householdAddress: {
            state: '臺'.repeat(20),
            city: '市'.repeat(20),
            street: '路'.repeat(100),
            country: 'TWN',
          },
        },
      });
      const created = await big.server.sessions.create({
        eServiceId: 'all-fields',
        frontEnd: 'saml',
        required: [...FIELD_IDS],
        optional: [],
        channel: 'psk',
        refreshAddress: `${big.web}/done`,
      });
      const card = VirtualCard.fromFile(file, { persist: true });
      card.reset();
      const eac = new EacClient({
        card,
        consent: async () => ({ accept: true, deselect: [], pin: '123456' }),
      });
      const outcome = await runOnlineAuthentication(created.tcTokenUrl, eac);
      expect(outcome.ok).toBe(true);
      const r = await big.server.sessions.consume(created.sessionId);
      expect(r?.kind).toBe('result');
      if (r?.kind === 'result') expect(r.result.fields.photo).toEqual(photo);
      expect(MAX_PAOS_BYTES).toBeGreaterThan(2 * 77_494);
    } finally {
      await big.close();
    }
  }, 120_000);
});

describe('every malformed message gets the PAOS error (security 2, protocol 10)', () => {
  it('StartPAOS with two SessionIdentifier elements: incorrectParameter, no HTTP 500', async () => {
    const created = await ts.server.sessions.create(sessionRequest({ channel: 'attached' }));
    const body = startPaos(created.identity, `<SessionIdentifier>${created.identity}</SessionIdentifier>`);
    const r = await httpsCall(new URL(`${ts.web}/eid/paos`), { method: 'POST', body, headers: PAOS_HEADERS });
    expect(r.status).toBe(200);
    expect(r.body.toString()).toContain(RESULT_MINOR.incorrectParameter);
    expect(r.body.toString()).toMatch(/more than one &lt;SessionIdentifier&gt;/);
    expect(logs.find('unhandled error')).toHaveLength(0);
    // The same message on the session's own channel ends the session as a protocol error.
    const psk = await ts.server.sessions.create(sessionRequest());
    await httpsCall(new URL(psk.tcTokenUrl));
    const own = await overPsk(
      psk,
      startPaos(psk.identity, `<SessionIdentifier>${psk.identity}</SessionIdentifier>`),
    );
    expect(own.status).toBe(200);
    expect(own.body).toContain(RESULT_MINOR.incorrectParameter);
    expect((await ts.server.sessions.get(psk.sessionId))?.failure?.code).toBe('protocol-error');
  });

  it('a message that is not XML, on the session channel: incorrectParameter, logged, the session ends', async () => {
    const created = await ts.server.sessions.create(sessionRequest());
    await httpsCall(new URL(created.tcTokenUrl));
    const r = await overPsk(created, '<soap:Envelope');
    expect(r.status).toBe(200);
    expect(r.body).toContain(RESULT_MINOR.incorrectParameter);
    expect(logs.find('PAOS message refused; the session ends').at(-1)).toMatchObject({
      session: created.sessionId.slice(0, 12),
      eService: 'demo-portal',
    });
    expect((await ts.server.sessions.get(created.sessionId))?.state).toBe('failed');
  });

  it('Content-Type other than application/vnd.paos+xml: 415 with the PAOS error, logged', async () => {
    const created = await ts.server.sessions.create(sessionRequest());
    await httpsCall(new URL(created.tcTokenUrl));
    const r = await overPsk(created, startPaos(created.identity), { 'content-type': 'text/xml' });
    expect(r.status).toBe(415);
    expect(r.body).toContain(RESULT_MINOR.incorrectParameter);
    expect(logs.find('PAOS message refused').at(-1)).toMatchObject({ status: 415 });
    // Refused before the session was looked up: it is untouched.
    expect((await ts.server.sessions.get(created.sessionId))?.state).toBe('tctoken-issued');
  });

  it('an answer without wsa:RelatesTo ends the session (PAOS v2.0: replies relate to the request)', async () => {
    const created = await ts.server.sessions.create(sessionRequest());
    await httpsCall(new URL(created.tcTokenUrl));
    const first = await overPsk(created, startPaos(created.identity));
    expect(first.body).toContain('EAC1InputType');
    const noRelatesTo = buildEnvelope(
      `<DIDAuthenticateResponse xmlns="${NS.iso}"><Result xmlns="${NS.dss}"><ResultMajor>http://www.bsi.bund.de/ecard/api/1.1/resultmajor#ok</ResultMajor></Result></DIDAuthenticateResponse>`,
      { messageId: newMessageId() },
    );
    const r = await overPsk(created, noRelatesTo);
    expect(r.body).toContain(RESULT_MINOR.incorrectParameter);
    expect(r.body).toMatch(/lacks wsa:RelatesTo/);
    expect((await ts.server.sessions.get(created.sessionId))?.failure?.code).toBe('protocol-error');
  });
});

describe('TC Token in PSK mode (security 6)', () => {
  it('is served once: a second fetch of its URL is refused and logged', async () => {
    const created = await ts.server.sessions.create(sessionRequest());
    const first = await httpsCall(new URL(created.tcTokenUrl));
    expect(first.status).toBe(200);
    expect(parseTcToken(first.body).psk).toBeDefined();
    const second = await httpsCall(new URL(created.tcTokenUrl));
    expect(second.status).toBe(409);
    expect(second.body.toString()).not.toMatch(/PSK/);
    expect(logs.find('TC Token fetch refused').at(-1)).toMatchObject({
      session: created.sessionId.slice(0, 12),
      status: 409,
    });
  });
});

describe('PSKs of abandoned sessions (security 3)', () => {
  it('leave memory when the session expires', async () => {
    const before = ts.server.psks.size;
    for (let i = 0; i < 3; i++) await ts.server.sessions.create(sessionRequest());
    expect(ts.server.psks.size).toBe(before + 3);
    // unclaimedTtlSeconds: 5; swept every 5 s.
    await expect.poll(() => ts.server.psks.size, { timeout: 30_000, interval: 500 }).toBe(before);
  }, 40_000);

  it.skipIf(!haveRedisServer())(
    'leave every instance and the shared Redis hash when the session expires',
    async () => {
      const redis = await startRedis();
      const rs = await startTestServer({
        store: 'redis',
        extra: { sessions: { store: 'redis', redisUrl: redis.url, unclaimedTtlSeconds: 5 } },
      });
      const c = createClient({ url: redis.url });
      await c.connect();
      try {
        for (let i = 0; i < 3; i++)
          await rs.server.sessions.create(sessionRequest({ refreshAddress: `${rs.web}/x` }));
        expect(rs.server.psks.size).toBe(3);
        expect(await c.hLen('neid:psk')).toBe(3);
        await expect.poll(() => rs.server.psks.size, { timeout: 30_000, interval: 500 }).toBe(0);
        await expect.poll(() => c.hLen('neid:psk'), { timeout: 30_000, interval: 500 }).toBe(0);
        expect(await c.zCard('neid:psk:exp')).toBe(0);
      } finally {
        await c.quit();
        await rs.close();
        await redis.stop();
      }
    },
    120_000,
  );
});
