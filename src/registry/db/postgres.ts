/**
 * The registry on PostgreSQL (node-postgres): a small pool for statements,
 * and one dedicated connection for LISTEN that reconnects on its own and
 * reports the reconnection (notifications sent meanwhile are lost, so the
 * subscriber reloads).
 */
import pg from 'pg';
import {
  type Database,
  type Queryable,
  RegistryUnavailableError,
  redactUrl,
  SchemaRewriter,
  translate,
} from './database.js';

export interface PostgresOptions {
  readonly url: string;
  readonly schema: string;
  readonly connectTimeoutMs: number;
  /** Reports a lost or regained LISTEN connection (one line each, not per retry). */
  readonly onConnectionState?: (state: 'lost' | 'restored', detail: string) => void;
}

export class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const;
  readonly description: string;
  readonly schema: string;
  private readonly pool: pg.Pool;
  private readonly rw: SchemaRewriter;
  private closed = false;
  private readonly listeners = new Set<pg.Client>();

  constructor(private readonly o: PostgresOptions) {
    this.description = redactUrl(o.url);
    this.schema = o.schema;
    this.rw = new SchemaRewriter(o.schema);
    this.pool = new pg.Pool({
      connectionString: o.url,
      max: 5,
      connectionTimeoutMillis: o.connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      query_timeout: 30_000,
      application_name: 'n-eid-server',
    });
    // An idle client that loses its connection must not crash the process; the next query reports it.
    this.pool.on('error', () => {});
  }

  async query<R>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query(this.rw.sql(sql), params as unknown[])).rows as R[];
    } catch (e) {
      throw translate(e, this.description);
    }
  }

  async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw translate(e, this.description);
    }
    const q: Queryable = {
      query: async <R>(sql: string, params: readonly unknown[] = []) => {
        try {
          return (await client.query(this.rw.sql(sql), params as unknown[])).rows as R[];
        } catch (e) {
          throw translate(e, this.description);
        }
      },
    };
    let broken = false;
    try {
      await q.query('BEGIN');
      const out = await fn(q);
      await q.query('COMMIT');
      return out;
    } catch (e) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw e;
    } finally {
      client.release(broken);
    }
  }

  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    const name = this.rw.channel(channel);
    let current: pg.Client | undefined;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const connect = async (): Promise<pg.Client> => {
      const c = new pg.Client({
        connectionString: this.o.url,
        connectionTimeoutMillis: this.o.connectTimeoutMs,
        application_name: 'n-eid-server listen',
      });
      c.on('notification', (n) => {
        if (n.channel === name) onPayload(n.payload ?? '');
      });
      await c.connect();
      await c.query(`LISTEN "${name}"`);
      return c;
    };
    const retry = (delay: number) => {
      if (stopped || this.closed) return;
      timer = setTimeout(async () => {
        try {
          attach(await connect());
          this.o.onConnectionState?.('restored', this.description);
          onPayload('reconnected');
        } catch {
          retry(Math.min(delay * 2, 5000));
        }
      }, delay);
      timer.unref();
    };
    const attach = (c: pg.Client) => {
      current = c;
      this.listeners.add(c);
      const lost = (e?: Error) => {
        if (current !== c) return;
        current = undefined;
        this.listeners.delete(c);
        c.end().catch(() => {});
        if (stopped || this.closed) return;
        this.o.onConnectionState?.('lost', `${this.description}: ${e?.message ?? 'connection ended'}`);
        retry(500);
      };
      c.on('error', lost);
      c.on('end', () => lost());
    };
    try {
      attach(await connect());
    } catch (e) {
      throw translate(e, this.description);
    }
    return async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      const c = current;
      current = undefined;
      if (c) {
        this.listeners.delete(c);
        await c.end().catch(() => {});
      }
    };
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.listeners].map((c) => c.end().catch(() => {})));
    await this.pool.end().catch(() => {});
  }

  /** Fails within the connect timeout when the server is not there (start-up check). */
  static async open(o: PostgresOptions): Promise<PostgresDatabase> {
    const db = new PostgresDatabase(o);
    try {
      await db.ping();
    } catch (e) {
      await db.close();
      if (e instanceof RegistryUnavailableError) throw e;
      throw new RegistryUnavailableError(`registry database ${db.description}: ${(e as Error).message}`);
    }
    return db;
  }
}
