/**
 * The registry's one query layer: parameterised SQL with typed rows, over
 * PostgreSQL (node-postgres) or PGlite (PostgreSQL compiled to WebAssembly,
 * the embedded default). Both run the same SQL and the same migrations.
 *
 * SQL in src/registry is written against the schema `neid` (`neid.eservices`);
 * a database opened with another schema (`registry.schema`, and one per test)
 * rewrites that qualifier, and the NOTIFY channel `neid_changes` with it.
 */

export interface Queryable {
  /** Runs one statement with $1… parameters and returns its rows. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Where it is, for messages (the URL without its password, or the PGlite directory). */
  readonly description: string;
  readonly schema: string;
  /** Runs `fn` in one transaction (READ COMMITTED); a throw rolls everything back. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /** Subscribes to a NOTIFY channel (name in the `neid_` form); resolves once listening. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** Resolves when the connection answers within the connect timeout. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The database cannot be reached (refused, timed out, shut down): the caller answers 503 or exits. */
export class RegistryUnavailableError extends Error {
  override readonly name = 'RegistryUnavailableError';
}

const IDENT = /^[a-z_][a-z0-9_]{0,40}$/;

/** Rewrites the `neid.` qualifier and `neid_` channels of our SQL to `schema` (cached per statement). */
export class SchemaRewriter {
  private readonly cache = new Map<string, string>();
  constructor(readonly schema: string) {
    if (!IDENT.test(schema)) throw new Error(`invalid registry schema name "${schema}"`);
  }
  sql(text: string): string {
    if (this.schema === 'neid') return text;
    let out = this.cache.get(text);
    if (out === undefined) {
      out = text
        .replace(/\bneid\./g, `"${this.schema}".`)
        .replace(/\bneid_changes\b/g, this.channel('neid_changes'));
      if (this.cache.size < 2000) this.cache.set(text, out);
    }
    return out;
  }
  channel(name: string): string {
    return this.schema === 'neid' ? name : name.replace(/^neid_/, `${this.schema}_`);
  }
}

/** Error codes and SQLSTATE classes that mean "the database is not there" rather than "the statement is wrong". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);

export function isUnavailable(e: unknown): boolean {
  if (e instanceof RegistryUnavailableError) return true;
  const err = e as { code?: string; message?: string } | undefined;
  if (!err) return false;
  if (err.code && (UNAVAILABLE_CODES.has(err.code) || err.code.startsWith('08'))) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection is closed|PGlite is closed/i.test(
    err.message ?? '',
  );
}

/** Wraps a driver error: unavailability becomes RegistryUnavailableError naming the database. */
export function translate(e: unknown, description: string): Error {
  if (e instanceof RegistryUnavailableError) return e;
  if (isUnavailable(e))
    return new RegistryUnavailableError(
      `registry database ${description} is unreachable: ${(e as Error).message || (e as { code?: string }).code}`,
    );
  return e as Error;
}

/** postgresql://user:secret@host/db → postgresql://user@host/db (for messages and logs). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}
