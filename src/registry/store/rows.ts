/** Row helpers shared by the repositories: driver-neutral bytea, dates and optional columns. */
export type Row = Record<string, unknown>;

/** bytea arrives as Buffer (node-postgres) or Uint8Array (PGlite). */
export const bytes = (v: unknown): Buffer | undefined =>
  v == null ? undefined : Buffer.from(v as Uint8Array);
export const date = (v: unknown): Date | undefined => (v == null ? undefined : new Date(v as string | Date));
export const text = (v: unknown): string | undefined => (v == null ? undefined : (v as string));

/** `{ key: value }` when value is defined, `{}` otherwise (exactOptionalPropertyTypes). */
export function opt<K extends string, V>(key: K, value: V | undefined | null): { [P in K]?: V } {
  return (value == null ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The SET list of an UPDATE of one versioned record (`$1` is its id). */
export class Assignments {
  readonly cols: string[] = [];
  readonly params: unknown[];
  constructor(id: string) {
    this.params = [id];
  }
  /** Sets `col` to `v` (a `cast` such as `::jsonb` is appended to the placeholder). */
  set(col: string, v: unknown, cast = '', prefix = ''): void {
    this.params.push(v);
    this.cols.push(`${col} = ${prefix}$${this.params.length}${cast}`);
  }
  json(col: string, v: unknown): void {
    this.set(col, JSON.stringify(v), '::jsonb');
  }
}

/**
 * UPDATE neid.<table> with the assignments, version + 1 and updated_at, only while the version is
 * `expected` (when given). Undefined when no row matched (gone, or changed meanwhile).
 */
export async function updateVersioned(
  q: { query<R>(sql: string, params?: readonly unknown[]): Promise<R[]> },
  table: 'eservices' | 'applications',
  a: Assignments,
  expected?: number,
): Promise<Row | undefined> {
  const params = [...a.params];
  let where = 'id = $1';
  if (expected !== undefined) {
    params.push(expected);
    where += ` AND version = $${params.length}`;
  }
  const [row] = await q.query<Row>(
    `UPDATE neid.${table} SET ${[...a.cols, 'version = version + 1', 'updated_at = now()'].join(', ')}
     WHERE ${where} RETURNING *`,
    params,
  );
  return row;
}
