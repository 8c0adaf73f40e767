/**
 * Issue 4: the whole EAC online authentication over real TLS sockets —
 * server, the eID-Client (in-process) and the virtual card.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { EacClient } from '../../src/client/eac-client.js';
import { runOnlineAuthentication } from '../../src/client/paos-client.js';
import type { AuthRequest } from '../../src/workflows/session/types.js';
import { writeTestCard } from '../support/card.js';
import { startTestServer, type TestServer } from '../support/server.js';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
}, 120_000);
afterAll(async () => ts?.close());

const request = (o: Partial<AuthRequest> = {}): AuthRequest => ({
  eServiceId: 'demo-portal',
  frontEnd: 'saml',
  required: ['chineseName', 'dateOfBirth'],
  optional: ['photo', 'sex'],
  channel: 'psk',
  refreshAddress: `${ts.web}/done`,
  ...o,
});

async function authenticate(cardFile: string, req: AuthRequest, ui: { pin?: string; deselect?: string[] } = {}) {
  const created = await ts.server.sessions.create(req);
  const card = VirtualCard.fromFile(cardFile, { persist: true });
  card.reset();
  const eac = new EacClient({ card, consent: async () => ({ accept: true, deselect: ui.deselect ?? [], pin: ui.pin ?? '123456' }) });
  const outcome = await runOnlineAuthentication(created.tcTokenUrl, eac);
  const result = await ts.server.sessions.consume(created.sessionId);
  return { outcome, result, created };
}

describe('EAC online authentication end to end', () => {
  it('returns exactly the authorized fields over TLS-PSK', async () => {
    const { file, json } = writeTestCard(ts.pkiDir);
    const { outcome, result } = await authenticate(file, request());
    expect(outcome.error?.message).toBeUndefined();
    expect(outcome.ok).toBe(true);
    expect(outcome.redirectUrl).toMatch(/ResultMajor=ok/);
    expect(result?.kind).toBe('result');
    if (result?.kind !== 'result') return;
    const f = result.result.fields;
    expect(Object.keys(f).sort()).toEqual(['chineseName', 'dateOfBirth', 'photo', 'sex']);
    expect(f.chineseName).toBe(json.fields.chineseName);
    expect(result.result.operations).toMatchObject({ chineseName: 'ALLOWED', photo: 'ALLOWED', sex: 'ALLOWED' });
    expect(result.result.documentValidity).toBe('valid');
    expect(result.result.restrictedId).toMatch(/^[0-9a-f]{64}$/);
  });
});
