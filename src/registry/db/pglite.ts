/**
 * The embedded registry: PGlite, PostgreSQL compiled to WebAssembly, in this
 * process, with its data directory under var/ (or in memory for tests).
 * PGlite is one connection in one process: a second process opening the same
 * directory would corrupt it, so the directory carries a lock file with the
 * owner's pid (the CLI refuses while the server runs; use the admin API, or
 * PostgreSQL for several processes). Within one process every opener of a
 * directory shares the one instance.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { type Database, type Queryable, RegistryUnavailableError, SchemaRewriter } from './database.js';

interface Shared {
  readonly pg: PGlite;
  users: number;
  readonly lock?: string;
}
const shared = new Map<string, Promise<Shared>>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function takeLock(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, 'neid.lock');
  for (let i = 0; i < 2; i++) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return lock;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(lock, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new RegistryUnavailableError(
          `the embedded registry ${dir} is in use by process ${pid} (PGlite allows one process); stop it, use the admin API, or configure registry.databaseUrl (PostgreSQL)`,
        );
      }
      rmSync(lock, { force: true }); // left behind by a process that is gone
    }
  }
  throw new RegistryUnavailableError(`cannot lock the embedded registry ${dir}`);
}

async function start(dir: string): Promise<Shared> {
  const { PGlite } = await import('@electric-sql/pglite');
  if (dir === 'memory://') {
    const pg = new PGlite();
    await pg.waitReady;
    return { pg, users: 0 };
  }
  const lock = takeLock(dir);
  try {
    const pg = new PGlite(join(dir, 'pgdata'));
    await pg.waitReady;
    return { pg, users: 0, lock };
  } catch (e) {
    rmSync(lock, { force: true });
    throw new RegistryUnavailableError(`cannot open the embedded registry ${dir}: ${(e as Error).message}`);
  }
}

export class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;
  readonly description: string;
  private readonly rw: SchemaRewriter;
  private closed = false;

  private constructor(
    private readonly s: Shared,
    private readonly key: string | undefined,
    readonly schema: string,
  ) {
    this.description = key ?? 'PGlite (in memory)';
    this.rw = new SchemaRewriter(schema);
  }

  /**
   * Opens (or joins, within this process) the PGlite of `dir`; 'memory://' is a fresh
   * in-memory database of its own. `schema` keeps several registries apart in one database.
   */
  static async open(dir: string, schema: string): Promise<PgliteDatabase> {
    if (dir === 'memory://') {
      const s = await start(dir);
      s.users++;
      return new PgliteDatabase(s, undefined, schema);
    }
    let p = shared.get(dir);
    if (!p) {
      p = start(dir);
      shared.set(dir, p);
      p.catch(() => shared.delete(dir));
    }
    const s = await p;
    s.users++;
    return new PgliteDatabase(s, dir, schema);
  }

  /** Another handle on the same PGlite with another schema (tests: one database, many registries). */
  withSchema(schema: string): PgliteDatabase {
    this.s.users++;
    return new PgliteDatabase(this.s, this.key, schema);
  }

  private check(): void {
    if (this.closed) throw new RegistryUnavailableError(`the registry ${this.description} is closed`);
  }

  async query<R>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    this.check();
    return (await this.s.pg.query<R>(this.rw.sql(sql), params as unknown[])).rows;
  }

  async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    this.check();
    return this.s.pg.transaction(async (t: Transaction) =>
      fn({
        query: async <R>(sql: string, params: readonly unknown[] = []) =>
          (await t.query<R>(this.rw.sql(sql), params as unknown[])).rows,
      }),
    );
  }

  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    this.check();
    const unlisten = await this.s.pg.listen(this.rw.channel(channel), onPayload);
    return async () => {
      if (!this.s.pg.closed) await unlisten();
    };
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (--this.s.users > 0) return;
    if (this.key) shared.delete(this.key);
    await this.s.pg.close();
    if (this.s.lock) rmSync(this.s.lock, { force: true });
  }
}
