/** Readiness: registered checks, reported states, transitions logged once, shutdown. */
import { describe, expect, it } from 'vitest';
import { Health } from '../../src/operations/health.js';
import { RunningLogins } from '../../src/operations/running-logins.js';

function recorder() {
  const lines: { level: string; o: object; m: string }[] = [];
  return {
    lines,
    log: {
      info: (o: object, m: string) => lines.push({ level: 'info', o, m }),
      warn: (o: object, m: string) => lines.push({ level: 'warn', o, m }),
    },
  };
}

describe('health', () => {
  it('is ready when every registered dependency is up, and says which one is not', async () => {
    const r = recorder();
    const h = new Health({ log: r.log });
    let storeUp = true;
    await h.register('pki', () => undefined);
    await h.register('session-store', async () => {
      if (!storeUp) throw new Error('Redis unreachable');
    });
    expect(h.isReady).toBe(true);
    expect(h.readiness().status).toBe('ready');
    storeUp = false;
    await h.register('session-store', async () => {
      if (!storeUp) throw new Error('Redis unreachable');
    });
    expect(h.isReady).toBe(false);
    expect(h.readiness()).toMatchObject({
      status: 'not ready',
      checks: { pki: { ok: true }, 'session-store': { ok: false, reason: 'Redis unreachable' } },
    });
    expect(h.up()).toEqual(
      new Map([
        ['pki', true],
        ['session-store', false],
      ]),
    );
  });

  it('reported states change it at once; each change is logged once', async () => {
    const r = recorder();
    const h = new Health({ log: r.log });
    await h.register('session-store', () => undefined);
    h.report('session-store', false, 'connection lost');
    h.report('session-store', false, 'connection lost');
    h.report('session-store', false, 'ECONNREFUSED');
    expect(h.isReady).toBe(false);
    h.report('session-store', true);
    h.report('session-store', true);
    expect(h.isReady).toBe(true);
    expect(r.lines.map((l) => `${l.level} ${l.m}`)).toEqual([
      'warn dependency unavailable',
      'info dependency available again',
    ]);
  });

  it('a check that does not answer counts as down', async () => {
    const h = new Health({ log: recorder().log, timeoutMs: 50 });
    await h.register('registry', () => new Promise<void>(() => undefined));
    expect(h.readiness().checks.registry).toMatchObject({ ok: false, reason: 'no answer within 50 ms' });
  });

  it('is not ready once the shutdown begins', async () => {
    const h = new Health({ log: recorder().log });
    await h.register('pki', () => undefined);
    h.beginShutdown();
    expect(h.isReady).toBe(false);
    expect(h.readiness().status).toBe('shutting down');
  });
});

describe('running logins', () => {
  it('settles when every login is done, forgetting expired ones; reports what is left at the deadline', async () => {
    let now = 1_000;
    const r = new RunningLogins(() => now);
    r.add('a', 5_000);
    r.add('b', 5_000);
    r.add('c', 1_500);
    now = 2_000; // c expired
    const done = new Set(['a']);
    expect(await r.settle({ deadline: now, done: async (id) => done.has(id) })).toBe(1);
    done.add('b');
    expect(await r.settle({ deadline: now + 10_000, done: async (id) => done.has(id), pollMs: 1 })).toBe(0);
    expect(r.size).toBe(0);
  });

  it('a removed login is not waited for', async () => {
    const r = new RunningLogins();
    r.add('a', Date.now() + 60_000);
    r.remove('a');
    expect(await r.settle({ deadline: Date.now(), done: async () => false })).toBe(0);
  });
});
