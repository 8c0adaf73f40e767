/**
 * Periodic registry work — terminal renewal, audit retention, SAML metadata
 * refresh — run by whichever instance takes the job's lease first (a row in
 * neid.jobs), so several instances do it once. A job that throws is logged and
 * tried again at its next turn; a database that is down simply skips turns.
 */
import type { Database } from './db/database.js';

export interface JobLog {
  info(o: object, m: string): void;
  error(o: object, m: string): void;
}

export interface Job {
  readonly name: string;
  readonly everyMs: number;
  run(): Promise<unknown>;
}

/** Takes the lease of `name` for `ms` when it is free; true when this caller may run the job now. */
export async function takeLease(db: Database, name: string, ms: number): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO neid.jobs AS j (name, leased_until, last_run) VALUES ($1, now() + $2 * interval '1 millisecond', now())
     ON CONFLICT (name) DO UPDATE SET leased_until = EXCLUDED.leased_until, last_run = now()
       WHERE j.leased_until < now()
     RETURNING 1`,
    [name, ms],
  );
  return rows.length === 1;
}

export class Jobs {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly db: Database,
    private readonly log: JobLog,
  ) {}

  /** Runs `job` every `everyMs` (first turn after `firstMs`). */
  schedule(job: Job, firstMs = 5000): void {
    const turn = async () => {
      try {
        if (!(await takeLease(this.db, job.name, Math.max(job.everyMs - 1000, 1000)))) return;
        await job.run();
      } catch (e) {
        this.log.error({ job: job.name, err: (e as Error).message }, 'registry job failed');
      }
    };
    const go = () => {
      const p = turn().finally(() => this.running.delete(p));
      this.running.add(p);
    };
    const first = setTimeout(go, firstMs);
    first.unref();
    const every = setInterval(go, job.everyMs);
    every.unref();
    this.timers.push(first, every);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    await Promise.allSettled([...this.running]);
  }
}
