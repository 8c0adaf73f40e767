/** RunningServer.shutdown in-process: no new logins at once, and the grace period is a limit. */
import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../src/workflows/session/errors.js';
import { startTestServer } from '../support/server.js';

const request = {
  eServiceId: 'demo-portal',
  frontEnd: 'saml' as const,
  required: ['chineseName' as const],
  optional: [],
  channel: 'psk' as const,
  refreshAddress: 'https://127.0.0.1/done',
};

describe('shutdown', () => {
  it('refuses new logins, waits for running ones up to the grace period, then closes', async () => {
    const ts = await startTestServer();
    const s = ts.server;
    await s.sessions.create(request);
    const done = s.shutdown(300);
    await expect(s.sessions.create(request)).rejects.toBeInstanceOf(UnavailableError);
    await expect(s.sessions.create(request)).rejects.toMatchObject({ dependency: 'shutdown' });
    expect(s.health.readiness().status).toBe('shutting down');
    expect(await done).toBe(1); // the login that never finished was cut off
    await expect(fetch(`${s.metricsUrl}/ready`)).rejects.toThrow();
  });

  it('a login handed over meanwhile is not waited for', async () => {
    const ts = await startTestServer();
    const s = ts.server;
    const created = await s.sessions.create(request);
    const done = s.shutdown(60_000);
    await s.sessions.discard(created.sessionId);
    expect(await done).toBe(0);
  });
});
