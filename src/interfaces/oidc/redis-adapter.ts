/**
 * oidc-provider storage adapter on Redis (used when the server keeps its
 * sessions in Redis, so that every instance sees every interaction, code,
 * token and grant). One JSON value per model instance with the model's TTL;
 * secondary indexes for sessions (uid), device codes (user code) and grants
 * (the tokens issued from one grant, revoked together). `consume` marks a
 * value in a side key with the same expiry, so the value itself is never
 * rewritten.
 */
import type { Adapter, Json } from 'oidc-provider';
import type { createClient } from 'redis';

type Client = ReturnType<typeof createClient>;

const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

/** Sets the consumed marker with the remaining lifetime of the value. */
const CONSUME = `
local t = redis.call('PTTL', KEYS[1])
if t == -2 then return 0 end
if t > 0 then redis.call('SET', KEYS[2], ARGV[1], 'PX', t) else redis.call('SET', KEYS[2], ARGV[1]) end
return 1`;

export class RedisAdapter implements Adapter {
  constructor(
    private readonly client: Client,
    private readonly model: string,
    private readonly prefix = 'neid:oidc:',
  ) {}

  private key(id: string): string {
    return `${this.prefix}${this.model}:${id}`;
  }
  private consumedKey(id: string): string {
    return `${this.key(id)}:consumed`;
  }
  private grantKey(grantId: string): string {
    return `${this.prefix}grant:${grantId}`;
  }
  private uidKey(uid: string): string {
    return `${this.prefix}sessionUid:${uid}`;
  }
  private userCodeKey(code: string): string {
    return `${this.prefix}userCode:${code}`;
  }

  async upsert(id: string, payload: Json, expiresIn?: number): Promise<void> {
    const key = this.key(id);
    const m = this.client.multi();
    const ttl = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : undefined;
    m.set(key, JSON.stringify(payload), ttl ? { EX: ttl } : {});
    const grantId = payload.grantId;
    if (GRANTABLE.has(this.model) && typeof grantId === 'string') {
      const gk = this.grantKey(grantId);
      m.rPush(gk, key);
      // The index lives as long as its longest-lived member.
      if (ttl) m.expire(gk, ttl, 'GT');
      if (ttl) m.expire(gk, ttl, 'NX');
    }
    if (typeof payload.userCode === 'string')
      m.set(this.userCodeKey(payload.userCode), id, ttl ? { EX: ttl } : {});
    if (this.model === 'Session' && typeof payload.uid === 'string')
      m.set(this.uidKey(payload.uid), id, ttl ? { EX: ttl } : {});
    await m.exec();
  }

  async find(id: string): Promise<Json | undefined> {
    const [value, consumed] = await this.client.mGet([this.key(id), this.consumedKey(id)]);
    if (!value) return undefined;
    const payload = JSON.parse(value) as Json;
    return consumed ? { ...payload, consumed: Number(consumed) } : payload;
  }

  async findByUid(uid: string): Promise<Json | undefined> {
    const id = await this.client.get(this.uidKey(uid));
    return id ? this.find(id) : undefined;
  }

  async findByUserCode(userCode: string): Promise<Json | undefined> {
    const id = await this.client.get(this.userCodeKey(userCode));
    return id ? this.find(id) : undefined;
  }

  async consume(id: string): Promise<void> {
    await this.client.eval(CONSUME, {
      keys: [this.key(id), this.consumedKey(id)],
      arguments: [String(Math.floor(Date.now() / 1000))],
    });
  }

  async destroy(id: string): Promise<void> {
    await this.client.del([this.key(id), this.consumedKey(id)]);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const gk = this.grantKey(grantId);
    const members = await this.client.lRange(gk, 0, -1);
    const keys = members.flatMap((k) => [k, `${k}:consumed`]);
    await this.client.del([...keys, gk]);
  }
}

/** An adapter factory (oidc-provider `adapter` option) over one Redis connection. */
export const redisAdapterFactory =
  (client: Client, prefix?: string) =>
  (model: string): Adapter =>
    new RedisAdapter(client, model, prefix);
