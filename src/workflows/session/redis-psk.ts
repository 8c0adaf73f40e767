/**
 * The PSK directory for several instances (docs/architecture.md §4): PSKs
 * mirrored into every instance's memory — node's TLS `pskCallback` is
 * synchronous — from a sealed Redis hash (for instances that start later)
 * and a pub/sub channel (for those already running). Every entry carries its
 * session's expiry: each instance sweeps its own copy, and the shared hash
 * is pruned by a sorted set of expiries, so the PSK of an abandoned login
 * leaves every process and Redis when its session expires.
 */
import { sweepPsks } from './memory-store.js';
import { closeRedis } from './redis-connection.js';
import { type Client, connect, type RedisStoreOptions } from './redis-store.js';
import { seal, unseal } from './sealed.js';
import { type PskDirectory, SWEEP_MS } from './store.js';

/** Prunes expired PSKs from the hash (a sorted set by expiry avoids scanning it). KEYS: hash, expiries. ARGV: now. */
const PSK_PRUNE = `
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
for _, id in ipairs(stale) do redis.call('HDEL', KEYS[1], id) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
return #stale`;

/** Adds a PSK, then prunes. ARGV: identity, sealed, expiresAt, now. */
const PSK_ADD = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
for _, id in ipairs(stale) do redis.call('HDEL', KEYS[1], id) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
return 1`;

export class RedisPskDirectory implements PskDirectory {
  private readonly local = new Map<string, { psk: Buffer; expiresAt: number }>();
  private readonly sweeper: NodeJS.Timeout;

  private constructor(
    private readonly client: Client,
    private readonly sub: Client,
    private readonly key: Buffer,
    private readonly prefix: string,
    private readonly now: () => number,
    sweepMs: number,
  ) {
    this.sweeper = setInterval(() => this.sweep(), sweepMs);
    this.sweeper.unref();
  }

  get size(): number {
    return this.local.size;
  }

  /** Drops expired PSKs here and in the shared hash (every instance prunes; the script is idempotent). */
  private sweep(): void {
    sweepPsks(this.local, this.now());
    this.client
      .eval(PSK_PRUNE, {
        keys: [`${this.prefix}psk`, `${this.prefix}psk:exp`],
        arguments: [String(this.now())],
      })
      .catch(() => undefined);
  }

  static async connect(o: RedisStoreOptions & { sweepMs?: number }): Promise<RedisPskDirectory> {
    // These connections report no state: the session store's own connection does (the same Redis).
    const quiet = { ...o, onState: () => undefined };
    const client = await connect(quiet, 'session store');
    const sub = await connect(quiet, 'session store');
    const d = new RedisPskDirectory(
      client,
      sub,
      o.key,
      o.prefix ?? 'neid:',
      o.now ?? Date.now,
      o.sweepMs ?? SWEEP_MS,
    );
    await sub.subscribe(`${d.prefix}psk`, (msg) => d.onMessage(msg));
    await d.reload();
    // Messages published while the subscription was down are lost: after a reconnect, read the hash again.
    sub.on('ready', () => {
      d.reload().catch(() => undefined);
    });
    return d;
  }

  /** Absorbs every PSK of the shared hash (a PSK removed meanwhile stays until it expires: harmless, its session is gone). */
  async reload(): Promise<void> {
    const all = await this.client.hGetAll(`${this.prefix}psk`);
    for (const [id, v] of Object.entries(all)) this.absorb(id, v);
  }

  private absorb(id: string, sealed: string): void {
    try {
      const [exp, hex] = unseal(this.key, id, sealed).split(':');
      const expiresAt = Number(exp);
      if (expiresAt > this.now() && hex) this.local.set(id, { psk: Buffer.from(hex, 'hex'), expiresAt });
    } catch {
      /* a blob sealed under another key is ignored */
    }
  }

  private onMessage(msg: string): void {
    const [op, id, sealed] = msg.split(' ');
    if (!id) return;
    if (op === 'add' && sealed) this.absorb(id, sealed);
    if (op === 'del') this.local.delete(id);
  }

  lookup(identity: string): Buffer | undefined {
    const e = this.local.get(identity);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.local.delete(identity);
      return undefined;
    }
    return e.psk;
  }

  async add(id: string, psk: Buffer, expiresAt: number): Promise<void> {
    this.local.set(id, { psk, expiresAt });
    const sealed = seal(this.key, id, `${expiresAt}:${psk.toString('hex')}`);
    await this.client.eval(PSK_ADD, {
      keys: [`${this.prefix}psk`, `${this.prefix}psk:exp`],
      arguments: [id, sealed, String(expiresAt), String(this.now())],
    });
    await this.client.publish(`${this.prefix}psk`, `add ${id} ${sealed}`);
  }

  async remove(id: string): Promise<void> {
    this.local.delete(id);
    await this.client.hDel(`${this.prefix}psk`, id);
    await this.client.zRem(`${this.prefix}psk:exp`, id);
    await this.client.publish(`${this.prefix}psk`, `del ${id}`);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.local.clear();
    await closeRedis(this.sub);
    await closeRedis(this.client);
  }
}
