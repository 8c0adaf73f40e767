/**
 * A tiny validation toolkit for configuration: each reader takes the value at
 * a dotted path and either returns it typed or throws a ConfigError naming the
 * path, so an operator learns exactly which key is wrong.
 */
import { ConfigError } from './errors.js';

export type Obj = Record<string, unknown>;

export class Reader {
  constructor(
    readonly source: string,
    readonly path: string,
    readonly value: unknown,
  ) {}

  private fail(msg: string): never {
    throw new ConfigError(`${this.source}: ${this.path || '(root)'} ${msg}`);
  }

  at(key: string): Reader {
    const v = this.value === undefined || this.value === null ? undefined : this.object()[key];
    return new Reader(this.source, this.path ? `${this.path}.${key}` : key, v);
  }

  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }

  object(): Obj {
    if (typeof this.value !== 'object' || this.value === null || Array.isArray(this.value))
      this.fail('must be a mapping');
    return this.value as Obj;
  }

  /** Rejects keys not in `allowed` (typos must not silently disable a setting). */
  only(allowed: readonly string[]): this {
    if (!this.present) return this;
    for (const k of Object.keys(this.object())) {
      if (!allowed.includes(k)) this.fail(`has unknown key "${k}" (allowed: ${allowed.join(', ')})`);
    }
    return this;
  }

  string(def?: string): string {
    if (!this.present) {
      if (def !== undefined) return def;
      this.fail('is required');
    }
    if (typeof this.value !== 'string' || this.value.length === 0) this.fail('must be a non-empty string');
    return this.value as string;
  }

  /** A string matching `pattern`; `what` names the expected form in the error. */
  matching(pattern: RegExp, what: string, def?: string): string {
    const s = this.string(def);
    if (!pattern.test(s)) this.fail(`must be ${what}, got "${s}"`);
    return s;
  }

  optionalString(): string | undefined {
    return this.present ? this.string() : undefined;
  }

  int(def: number | undefined, min: number, max: number): number {
    if (!this.present) {
      if (def !== undefined) return def;
      this.fail('is required');
    }
    const n = this.value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
      this.fail(`must be an integer in ${min}..${max}`);
    return n as number;
  }

  bool(def: boolean): boolean {
    if (!this.present) return def;
    if (typeof this.value !== 'boolean') this.fail('must be true or false');
    return this.value as boolean;
  }

  oneOf<T extends string>(values: readonly T[], def?: T): T {
    const s = this.string(def);
    if (!values.includes(s as T)) this.fail(`must be one of ${values.join(', ')}`);
    return s as T;
  }

  list(): Reader[] {
    if (!this.present) return [];
    if (!Array.isArray(this.value)) this.fail('must be a list');
    return (this.value as unknown[]).map((v, i) => new Reader(this.source, `${this.path}[${i}]`, v));
  }

  strings(): string[] {
    return this.list().map((r) => r.string());
  }

  url(def?: string, protocols: readonly string[] = ['https:']): string {
    const s = this.string(def);
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      this.fail(`must be a URL, got "${s}"`);
    }
    if (!protocols.includes(u.protocol)) this.fail(`must use ${protocols.join(' or ')}`);
    return s;
  }
}
