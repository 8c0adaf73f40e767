/**
 * Optional CPU accounting of the EAC conversation by category, for the
 * benchmark (bench/authentication.ts) and diagnostics. The steps are
 * synchronous, so elapsed time inside `time()` is CPU time of this process.
 */
export type MeterCategory =
  | 'xml-parse'
  | 'conversation' // everything the conversation does per message, including the categories below
  | 'ta-signature'
  | 'chip-authentication'
  | 'passive-authentication'
  | 'secure-messaging';

export interface Meter {
  time<T>(category: MeterCategory, fn: () => T): T;
  timeAsync<T>(category: MeterCategory, fn: () => Promise<T>): Promise<T>;
}

export const NO_METER: Meter = { time: (_c, fn) => fn(), timeAsync: (_c, fn) => fn() };

export class CpuMeter implements Meter {
  readonly totals = new Map<MeterCategory, number>();

  time<T>(category: MeterCategory, fn: () => T): T {
    const t0 = process.hrtime.bigint();
    try {
      return fn();
    } finally {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      this.totals.set(category, (this.totals.get(category) ?? 0) + ms);
    }
  }

  /** Async work: elapsed wall time (the benchmark runs one authentication at a time). */
  async timeAsync<T>(category: MeterCategory, fn: () => Promise<T>): Promise<T> {
    const t0 = process.hrtime.bigint();
    try {
      return await fn();
    } finally {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      this.totals.set(category, (this.totals.get(category) ?? 0) + ms);
    }
  }

  reset(): void {
    this.totals.clear();
  }
}
