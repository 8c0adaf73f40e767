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
