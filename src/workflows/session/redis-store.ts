/**
 * Redis session store: sealed session blobs with a version prefix for
 * compare-and-set, a TCToken index, and one sorted set per eService for the
 * open-session cap; insert, replace and cap are Lua scripts, so concurrent
 * server instances cannot race past each other.
 */
import { createHash } from 'node:crypto';
import { decodeSession, encodeSession } from './codec.js';
import { closeRedis, connectRedis, type RedisClient, type RedisConnectOptions } from './redis-connection.js';
import { seal, unseal } from './sealed.js';
import type { PskDirectory, SessionStore } from './store.js';
import type { AuthSession } from './types.js';

type Client = RedisClient;

const INSERT = `
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[3])
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[5]) then return 0 end
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[6], 'PX', ARGV[2])
if KEYS[4] ~= '-' then redis.call('SET', KEYS[4], ARGV[6], 'PX', ARGV[2]) end
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[6])
return 1`;

const REPLACE = `
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local v = string.match(cur, '^(%d+):')
if v ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
if KEYS[4] ~= '-' then redis.call('PEXPIRE', KEYS[4], ARGV[3]) end
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[5])
return 1`;

const COUNTER = `
local prev = redis.call('GET', KEYS[1])
local c = tonumber(ARGV[1])
if prev then
  local p = tonumber(prev)
  if ARGV[2] == 'strict' then
    if c ~= p + 1 then return 0 end
  elseif c <= p then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`;

/** Adds a PSK and prunes expired ones (a sorted set by expiry avoids scanning the hash). */
const PSK_ADD = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
for _, id in ipairs(stale) do redis.call('HDEL', KEYS[1], id) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
return 1`;

export interface RedisStoreOptions extends Partial<Omit<RedisConnectOptions, 'url' | 'purpose'>> {
  readonly url: string;
  /** 32-byte AES key shared by all instances. */
  readonly key: Buffer;
  readonly prefix?: string;
  readonly now?: () => number;
}

export class RedisSessionStore implements SessionStore {
  private constructor(
    private readonly client: Client,
    private readonly key: Buffer,
    private readonly prefix: string,
    private readonly now: () => number,
  ) {}

  static async connect(o: RedisStoreOptions): Promise<RedisSessionStore> {
    if (o.key.length !== 32) throw new Error('the session encryption key must be 32 bytes');
    const client = await connect(o, 'session store');
    return new RedisSessionStore(client, o.key, o.prefix ?? 'neid:', o.now ?? Date.now);
  }

  private k = {
    session: (id: string) => `${this.prefix}s:${id}`,
    token: (t: string) => `${this.prefix}t:${t}`,
    open: (e: string) => `${this.prefix}open:${e}`,
    ref: (r: string) => `${this.prefix}r:${r}`,
    counter: (id: string) => `${this.prefix}c:${id}`,
    // Hashed: claim keys are caller-chosen strings of any length.
    claim: (key: string) => `${this.prefix}once:${createHash('sha256').update(key).digest('base64url')}`,
  };

  /** The return-reference index key, or "-" (no browser login) for the scripts. */
  private refKey(s: AuthSession): string {
    return s.returnRef ? this.k.ref(s.returnRef) : '-';
  }

  private value(s: AuthSession): string {
    return `${s.version}:${seal(this.key, s.id, encodeSession(s))}`;
  }

  private ttl(s: AuthSession): number {
    return Math.max(1, s.expiresAt - this.now());
  }

  async insert(s: AuthSession, maxOpen: number): Promise<boolean> {
    const r = await this.client.eval(INSERT, {
      keys: [
        this.k.session(s.id),
        this.k.token(s.tcTokenId),
        this.k.open(s.request.eServiceId),
        this.refKey(s),
      ],
      arguments: [
        this.value(s),
        String(this.ttl(s)),
        String(this.now()),
        String(s.expiresAt),
        String(maxOpen),
        s.id,
      ],
    });
    if (r === -1) throw new Error('session id collision');
    return r === 1;
  }

  async get(id: string): Promise<AuthSession | undefined> {
    const v = await this.client.get(this.k.session(id));
    if (!v) return undefined;
    const i = v.indexOf(':');
    const s = decodeSession(unseal(this.key, id, v.slice(i + 1)));
    return s.expiresAt > this.now() ? s : undefined;
  }

  async getByTcToken(tcTokenId: string): Promise<AuthSession | undefined> {
    const id = await this.client.get(this.k.token(tcTokenId));
    return id ? this.get(id) : undefined;
  }

  async getByReturnRef(returnRef: string): Promise<AuthSession | undefined> {
    const id = await this.client.get(this.k.ref(returnRef));
    return id ? this.get(id) : undefined;
  }

  async replace(s: AuthSession): Promise<boolean> {
    const r = await this.client.eval(REPLACE, {
      keys: [
        this.k.session(s.id),
        this.k.token(s.tcTokenId),
        this.k.open(s.request.eServiceId),
        this.refKey(s),
      ],
      arguments: [String(s.version - 1), this.value(s), String(this.ttl(s)), String(s.expiresAt), s.id],
    });
    return r === 1;
  }

  async delete(id: string): Promise<boolean> {
    const s = await this.get(id).catch(() => undefined);
    // The session key first and alone: of concurrent deleters exactly one sees it go (DEL is atomic).
    const removed = (await this.client.del(this.k.session(id))) === 1;
    const keys = [
      this.k.counter(id),
      ...(s ? [this.k.token(s.tcTokenId)] : []),
      ...(s?.returnRef ? [this.k.ref(s.returnRef)] : []),
    ];
    await this.client.del(keys);
    if (s) await this.client.zRem(this.k.open(s.request.eServiceId), id);
    return removed;
  }

  async acceptCounter(
    id: string,
    counter: number,
    rule: 'strict' | 'increasing',
    expiresAt: number,
  ): Promise<boolean> {
    const r = await this.client.eval(COUNTER, {
      keys: [this.k.counter(id)],
      arguments: [String(counter), rule, String(Math.max(1, expiresAt - this.now()))],
    });
    return r === 1;
  }

  async claim(key: string, expiresAt: number): Promise<boolean> {
    const r = await this.client.set(this.k.claim(key), '1', {
      NX: true,
      PX: Math.max(1, expiresAt - this.now()),
    });
    return r === 'OK';
  }

  async countOpen(eServiceId: string): Promise<number> {
    await this.client.zRemRangeByScore(this.k.open(eServiceId), '-inf', this.now());
    return this.client.zCard(this.k.open(eServiceId));
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async close(): Promise<void> {
    await closeRedis(this.client);
  }
}

/** A connection with the defaults of the server (sessions.connectTimeoutSeconds, commandTimeoutMs). */
const connect = (o: RedisStoreOptions, purpose: string): Promise<Client> =>
  connectRedis({ connectTimeoutMs: 5000, commandTimeoutMs: 2000, ...o, purpose });

/**
 * PSKs mirrored into every instance: a sealed Redis hash for instances that
 * start later, and a pub/sub channel for those already running.
 */
export class RedisPskDirectory implements PskDirectory {
  private readonly local = new Map<string, { psk: Buffer; expiresAt: number }>();

  private constructor(
    private readonly client: Client,
    private readonly sub: Client,
    private readonly key: Buffer,
    private readonly prefix: string,
    private readonly now: () => number,
  ) {}

  static async connect(o: RedisStoreOptions): Promise<RedisPskDirectory> {
    // These connections report no state: the session store's own connection does (the same Redis).
    const quiet = { ...o, onState: () => undefined };
    const client = await connect(quiet, 'session store');
    const sub = await connect(quiet, 'session store');
    const d = new RedisPskDirectory(client, sub, o.key, o.prefix ?? 'neid:', o.now ?? Date.now);
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
    await closeRedis(this.sub);
    await closeRedis(this.client);
  }
}
