/**
 * Alert webhooks across restarts and instances (issue 11): a delivery a restart interrupted is
 * resumed with its next attempt, and each attempt is claimed in the registry, so two instances
 * resuming the same alert send it once. On PGlite and, when CI has one, PostgreSQL.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminAlerts, type WebhookSettings } from '../../../src/interfaces/admin/alerts.js';
import { getAlert, insertAlert, setDelivery } from '../../../src/registry/store/alerts.js';
import { type RegistryFixture, registryFixture } from '../../support/registry.js';
import { DATABASE_KINDS } from '../../support/registry-db.js';

const quiet = { warn: () => {}, error: () => {} };
const lockout = { maxFailures: 3, windowMinutes: 15, lockMinutes: 15 };

describe.each(DATABASE_KINDS)('alert webhook deliveries (%s)', (kind) => {
  let f: RegistryFixture;
  let hook: Server;
  let status = 204;
  const received: { attempt: number; id: number }[] = [];
  let settings: WebhookSettings;

  beforeAll(async () => {
    f = await registryFixture(kind);
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const b = JSON.parse(body) as { attempt: number; id: number };
        received.push({ attempt: b.attempt, id: b.id });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    settings = {
      url: `http://127.0.0.1:${(hook.address() as { port: number }).port}/alerts`,
      secret: Buffer.alloc(32, 7),
      retries: 3,
      retryBaseMs: 20,
    };
  });
  afterAll(async () => {
    hook?.close();
    await f?.close();
  });

  const instance = () =>
    new AdminAlerts({ ctx: f.ctx, log: quiet, lockout, webhook: settings, server: 'https://neid.test' });
  /** An alert whose first attempt failed before the server stopped. */
  async function interrupted(attempts: number) {
    const a = await insertAlert(f.ctx.db, {
      at: new Date(),
      kind: 'login-failures',
      subject: 'address:192.0.2.7',
      details: { failures: 4 },
      webhook: true,
    });
    await setDelivery(f.ctx.db, a.id, 'pending', attempts);
    return a.id;
  }

  it('a restart resumes a pending delivery with its next attempt; two instances send it once', async () => {
    const id = await interrupted(1);
    const [one, two] = [instance(), instance()];
    await Promise.all([one.resume(), two.resume()]);
    await expect.poll(async () => (await getAlert(f.ctx.db, id))?.delivery).toBe('delivered');
    await new Promise((r) => setTimeout(r, 100));
    expect(received.filter((r) => r.id === id)).toEqual([{ attempt: 2, id }]);
    expect((await getAlert(f.ctx.db, id))?.attempts).toBe(2);
    one.close();
    two.close();
  });

  it('a resumed delivery keeps retrying with backoff, and one whose attempts are used up ends failed', async () => {
    status = 500;
    const retrying = await interrupted(2);
    const spent = await interrupted(4);
    const alerts = instance();
    await alerts.resume();
    await expect.poll(async () => (await getAlert(f.ctx.db, retrying))?.delivery).toBe('failed');
    expect(received.filter((r) => r.id === retrying).map((r) => r.attempt)).toEqual([3, 4]);
    expect(await getAlert(f.ctx.db, spent)).toMatchObject({ delivery: 'failed', attempts: 4 });
    expect(received.some((r) => r.id === spent)).toBe(false);
    alerts.close();
  });
});
