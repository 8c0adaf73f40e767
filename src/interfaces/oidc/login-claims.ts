/**
 * The claims released by one login, kept exactly as long as the tokens that
 * may still need them (authorization code, then access token for userinfo),
 * keyed by the grant the login created, sealed with AES-256-GCM (the grant id
 * is the additional data, so a record cannot be moved to another grant), in
 * memory or in Redis. Revoking the grant (code replay, token revocation)
 * deletes the record. Claims are never logged.
 */
import type { createClient } from 'redis';
import { seal, unseal } from '../../workflows/session/sealed.js';

type Client = ReturnType<typeof createClient>;

export interface LoginRecord {
  /** The eService-specific pseudonym the provider knows the citizen by (never leaves the server). */
  readonly accountId: string;
  readonly clientId: string;
  readonly eServiceId: string;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly authTime: number;
}

interface Kv {
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  get(key: string): Promise<string | undefined>;
  del(key: string): Promise<void>;
  close(): Promise<void>;
}

class MemoryKv implements Kv {
  private readonly m = new Map<string, { v: string; exp: number }>();
  private readonly timer = setInterval(() => this.sweep(), 10_000);

  constructor() {
    this.timer.unref();
  }
  private sweep(): void {
    const now = Date.now();
    for (const [k, e] of this.m) if (e.exp <= now) this.m.delete(k);
  }
  async set(key: string, v: string, ttl: number): Promise<void> {
    this.m.set(key, { v, exp: Date.now() + ttl * 1000 });
  }
  async get(key: string): Promise<string | undefined> {
    const e = this.m.get(key);
    if (!e || e.exp <= Date.now()) return undefined;
    return e.v;
  }
  async del(key: string): Promise<void> {
    this.m.delete(key);
  }
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.m.clear();
  }
}

class RedisKv implements Kv {
  constructor(
    private readonly client: Client,
    private readonly prefix: string,
  ) {}
  async set(key: string, v: string, ttl: number): Promise<void> {
    await this.client.set(this.prefix + key, v, { EX: ttl });
  }
  async get(key: string): Promise<string | undefined> {
    return (await this.client.get(this.prefix + key)) ?? undefined;
  }
  async del(key: string): Promise<void> {
    await this.client.del(this.prefix + key);
  }
  async close(): Promise<void> {}
}

export class LoginClaims {
  private constructor(
    private readonly kv: Kv,
    private readonly key: Buffer,
  ) {}

  static inMemory(key: Buffer): LoginClaims {
    return new LoginClaims(new MemoryKv(), key);
  }

  static inRedis(client: Client, key: Buffer, prefix = 'neid:oidc:claims:'): LoginClaims {
    return new LoginClaims(new RedisKv(client, prefix), key);
  }

  async put(grantId: string, rec: LoginRecord, ttlSeconds: number): Promise<void> {
    await this.kv.set(grantId, seal(this.key, grantId, JSON.stringify(rec)), ttlSeconds);
  }

  async get(grantId: string): Promise<LoginRecord | undefined> {
    const v = await this.kv.get(grantId);
    if (!v) return undefined;
    try {
      return JSON.parse(unseal(this.key, grantId, v)) as LoginRecord;
    } catch {
      return undefined;
    }
  }

  async delete(grantId: string): Promise<void> {
    await this.kv.del(grantId);
  }

  close(): Promise<void> {
    return this.kv.close();
  }
}
