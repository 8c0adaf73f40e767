/**
 * Issue 4: the trusted channel between eID-Client and server (TR-03124-1
 * §2.1, §2.7.2): a wrong PSK or an attempt to resume a TLS-PSK session is
 * refused; in attached mode PAOS must continue the TLS session of the TC Token
 * fetch; a message for a session over the wrong channel is refused without
 * harming the session.
 */
import { connect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PSK_CIPHERS } from '../../src/interfaces/http/tls.js';
import { newMessageId } from '../../src/paos/envelope.js';
import { buildStartPaos } from '../../src/paos/messages/start-paos.js';
import { startPaosElsewhere } from '../conformance/support/eid-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
}, 120_000);
afterAll(async () => ts?.close());

const pskPort = () => Number(new URL(ts.psk).port);

function pskHandshake(
  identity: string,
  psk: Buffer,
  session?: Buffer,
): Promise<{ ok: boolean; reused?: boolean; session?: Buffer; error?: string }> {
  return new Promise((resolve) => {
    let newSession: Buffer | undefined;
    const s: TLSSocket = connect({
      host: '127.0.0.1',
      port: pskPort(),
      maxVersion: 'TLSv1.2',
      ciphers: PSK_CIPHERS,
      rejectUnauthorized: false,
      pskCallback: () => ({ psk, identity }),
      ...(session ? { session } : {}),
    });
    s.on('session', (x) => {
      newSession = x;
    });
    s.once('secureConnect', () => {
      const reused = s.isSessionReused();
      // A request so the server's secureConnection handler has run.
      s.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      s.once('data', () => {
        setTimeout(() => {
          s.destroy();
          resolve({ ok: true, reused, ...(newSession ? { session: newSession } : {}) });
        }, 20);
      });
      s.once('close', () => resolve({ ok: true, reused, ...(newSession ? { session: newSession } : {}) }));
    });
    s.once('error', (e) => resolve({ ok: false, error: e.message }));
  });
}

async function pskSession() {
  const created = await ts.server.sessions.create({
    eServiceId: 'demo-portal',
    frontEnd: 'saml',
    required: ['chineseName'],
    optional: [],
    channel: 'psk',
    refreshAddress: `${ts.web}/done`,
  });
  return { id: created.sessionId, psk: created.psk! };
}

describe('TLS-PSK listener', () => {
  it('accepts the right PSK for the session identity', async () => {
    const { id, psk } = await pskSession();
    expect((await pskHandshake(id, psk)).ok).toBe(true);
  });

  it('refuses a wrong PSK and an unknown identity', async () => {
    const { id } = await pskSession();
    const wrong = await pskHandshake(id, Buffer.alloc(32, 7));
    expect(wrong.ok).toBe(false);
    const unknown = await pskHandshake('00'.repeat(32), Buffer.alloc(32, 7));
    expect(unknown.ok).toBe(false);
  });

  it('never resumes a TLS-PSK session (a resumed session would skip the PSK check)', async () => {
    const { id, psk } = await pskSession();
    const first = await pskHandshake(id, psk);
    expect(first.ok).toBe(true);
    const second = await pskHandshake(id, psk, first.session);
    expect(second.reused ?? false).toBe(false);
    // And a resumption attempt with the wrong key does not get in either.
    if (first.session) expect((await pskHandshake(id, Buffer.alloc(32, 1), first.session)).ok).toBe(false);
  });
});

describe('attached mode binding', () => {
  async function attachedSession() {
    const created = await ts.server.sessions.create({
      eServiceId: 'demo-portal',
      frontEnd: 'saml',
      required: ['chineseName'],
      optional: [],
      channel: 'attached',
      refreshAddress: `${ts.web}/done`,
    });
    return created;
  }

  const post = async (url: string, body: string, headers: Record<string, string>) => {
    const { httpsCall } = await import('../../src/client/network.js');
    return httpsCall(new URL(url), {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/vnd.paos+xml', ...headers },
    });
  };

  it('refuses StartPAOS over a TLS session other than the TC Token fetch, without ending the session', async () => {
    const created = await attachedSession();
    // A fresh connection (new TLS session) is not the attached channel.
    const { answer } = await startPaosElsewhere(created.tcTokenUrl);
    expect(answer).toMatch(/resultmajor#error/);
    expect(answer).toMatch(/trusted channel/);
    expect((await ts.server.sessions.get(created.sessionId))?.state).toBe('tctoken-issued');
  });

  it('refuses a PSK session talked to over the attached listener', async () => {
    const { id } = await pskSession();
    const start = buildStartPaos(
      { sessionIdentifier: id, connectionHandle: { slotHandle: '00' }, supportedApiVersions: ['1.1.5'] },
      newMessageId(),
    );
    const r = await post(`${ts.web}/eid/paos`, start, { requestid: id });
    expect(r.body.toString()).toMatch(/trusted channel/);
    expect((await ts.server.sessions.get(id))?.state).toBe('created');
  });

  it('serves a TC Token once per TLS session and refuses an unknown one', async () => {
    const { httpsCall } = await import('../../src/client/network.js');
    expect((await httpsCall(new URL(`${ts.web}/eid/tctoken?t=unknown`), {})).status).toBe(404);
    const created = await attachedSession();
    expect((await httpsCall(new URL(created.tcTokenUrl), {})).status).toBe(200);
    expect((await httpsCall(new URL(created.tcTokenUrl), {})).status).toBe(409);
  });
});
