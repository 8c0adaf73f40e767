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
import type { InsertLimits, InsertOutcome, SessionStore } from './store.js';
import type { AuthSession } from './types.js';

export { RedisPskDirectory } from './redis-psk.js';

export type Client = RedisClient;

/**
 * KEYS: session, token, open:<eService> (claimed sessions by expiry), return ref or "-", unclaimed
 * (all eServices). ARGV: value, ttl, now, expiresAt, maxOpen, id, maxUnclaimed, claimed ("1"/"0":
 * an eService's own call counts against its cap at once).
 */
const INSERT = `
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[3])
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[5]) then return 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', ARGV[3])
if redis.call('ZCARD', KEYS[5]) >= tonumber(ARGV[7]) then return 2 end
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[6], 'PX', ARGV[2])
if KEYS[4] ~= '-' then redis.call('SET', KEYS[4], ARGV[6], 'PX', ARGV[2]) end
if ARGV[8] == '1' then redis.call('ZADD', KEYS[3], ARGV[4], ARGV[6])
else redis.call('ZADD', KEYS[5], ARGV[4], ARGV[6]) end
return 1`;

/**
 * Compare-and-set. KEYS as INSERT. ARGV: previous version, value, ttl, expiresAt, id, claimed
 * ("1"/"0"), maxOpen ("" = no cap check: replace; a number: admit), now. Returns 1 written,
 * 0 changed meanwhile, 2 the eService's cap is reached (admit).
 */
const REPLACE = `
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local v = string.match(cur, '^(%d+):')
if v ~= ARGV[1] then return 0 end
if ARGV[7] ~= '' and redis.call('ZSCORE', KEYS[3], ARGV[5]) == false then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[8])
  if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[7]) then return 2 end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
if KEYS[4] ~= '-' then redis.call('PEXPIRE', KEYS[4], ARGV[3]) end
if ARGV[6] == '1' then
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[5])
  redis.call('ZREM', KEYS[5], ARGV[5])
else
  redis.call('ZADD', KEYS[5], ARGV[4], ARGV[5])
end
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
    unclaimed: () => `${this.prefix}unclaimed`,
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

  private keys(s: AuthSession): string[] {
    return [
      this.k.session(s.id),
      this.k.token(s.tcTokenId),
      this.k.open(s.request.eServiceId),
      this.refKey(s),
      this.k.unclaimed(),
    ];
  }

  async insert(s: AuthSession, limits: InsertLimits): Promise<InsertOutcome> {
    const r = await this.client.eval(INSERT, {
      keys: this.keys(s),
      arguments: [
        this.value(s),
        String(this.ttl(s)),
        String(this.now()),
        String(s.expiresAt),
        String(limits.maxOpen),
        s.id,
        String(limits.maxUnclaimed),
        s.claimedAt !== undefined ? '1' : '0',
      ],
    });
    if (r === -1) throw new Error('session id collision');
    return r === 1 ? 'ok' : r === 2 ? 'unclaimed-full' : 'eservice-full';
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

  private write(s: AuthSession, maxOpen?: number): Promise<unknown> {
    return this.client.eval(REPLACE, {
      keys: this.keys(s),
      arguments: [
        String(s.version - 1),
        this.value(s),
        String(this.ttl(s)),
        String(s.expiresAt),
        s.id,
        s.claimedAt !== undefined ? '1' : '0',
        maxOpen !== undefined ? String(maxOpen) : '',
        String(this.now()),
      ],
    });
  }

  async replace(s: AuthSession): Promise<boolean> {
    return (await this.write(s)) === 1;
  }

  async admit(s: AuthSession, maxOpen: number): Promise<'ok' | 'full' | 'changed'> {
    const r = await this.write(s, maxOpen);
    return r === 1 ? 'ok' : r === 2 ? 'full' : 'changed';
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
    await this.client.zRem(this.k.unclaimed(), id);
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
export const connect = (o: RedisStoreOptions, purpose: string): Promise<Client> =>
  connectRedis({ connectTimeoutMs: 5000, commandTimeoutMs: 2000, ...o, purpose });
