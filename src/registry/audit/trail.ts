/**
 * The audit trail as the running server uses it. Admin actions are appended
 * in the transaction of the change they describe (see the workflows). The
 * outcomes of eService calls — one per SOAP call, SAML or OIDC request and
 * authentication — are queued and appended in batches, so a login never waits
 * for the database and keeps working while it is down: the queue is bounded,
 * and when entries had to be dropped an `audit.dropped` entry records how many.
 */
import type { Database } from '../db/database.js';
import { type AuditEntry, appendAudit, pruneAudit } from './chain.js';

export interface AuditLog {
  warn(o: object, m: string): void;
  info(o: object, m: string): void;
}

/** What front-ends record about one eService call (never a citizen's personal data). */
export interface CallOutcome {
  readonly eServiceId: string;
  readonly protocol: 'soap' | 'saml' | 'oidc' | 'eid';
  /** The call: `useID`, `getResult`, `AuthnRequest`, `authorization`, `authentication` … */
  readonly operation: string;
  /** `ok` or the failure code. */
  readonly outcome: string;
  /** ResultMinor, SAML status or OAuth error, when not ok. */
  readonly code?: string;
  /** The first 12 hex digits of the session id, as in the logs. */
  readonly session?: string;
}

/** The recording side front-ends see (MountContext.audit). */
export interface CallAudit {
  call(o: CallOutcome): void;
}

export class AuditTrail implements CallAudit {
  private queue: AuditEntry[] = [];
  private dropped = 0;
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private failing = false;

  constructor(
    private readonly db: Database,
    private readonly log: AuditLog,
    private readonly o: { maxQueue?: number; flushMs?: number; retentionDays?: number } = {},
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.o.flushMs ?? 1000);
    this.timer.unref();
  }

  call(c: CallOutcome): void {
    this.enqueue({
      actor: `eservice:${c.eServiceId}`,
      action: `${c.protocol}.${c.operation}`,
      target: `eservice:${c.eServiceId}`,
      outcome: c.outcome,
      details: { ...(c.code ? { code: c.code } : {}), ...(c.session ? { session: c.session } : {}) },
    });
  }

  enqueue(e: AuditEntry): void {
    if (this.queue.length >= (this.o.maxQueue ?? 10_000)) {
      this.queue.shift();
      if (this.dropped++ === 0)
        this.log.warn(
          {},
          'audit queue full (registry database unreachable?); the oldest call outcomes are dropped',
        );
    }
    this.queue.push(e);
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Appends what is queued; on failure keeps it for the next attempt. */
  flush(): Promise<void> {
    this.flushing ??= this.doFlush().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async doFlush(): Promise<void> {
    if (this.queue.length === 0 && this.dropped === 0) return;
    const batch = this.queue.slice(0, 500);
    const dropped = this.dropped;
    const entries = dropped
      ? [
          ...batch,
          { actor: 'system', action: 'audit.dropped', outcome: 'failed', details: { count: dropped } },
        ]
      : batch;
    try {
      await this.db.tx((q) => appendAudit(q, entries));
      this.queue.splice(0, batch.length);
      this.dropped -= dropped;
      if (this.failing) this.log.info({}, 'audit entries are written again');
      this.failing = false;
    } catch (e) {
      if (!this.failing)
        this.log.warn({ err: (e as Error).message }, 'audit entries could not be written; kept queued');
      this.failing = true;
    }
  }

  /** Retention (registry.audit.retentionDays): prunes older entries and records that it did. */
  async prune(now = new Date()): Promise<number> {
    const days = this.o.retentionDays ?? 0;
    if (days <= 0) return 0;
    return this.db.tx(async (q) => {
      const n = await pruneAudit(q, new Date(now.getTime() - days * 86_400_000));
      if (n)
        await appendAudit(q, [
          {
            actor: 'system',
            action: 'audit.prune',
            outcome: 'ok',
            details: { deleted: n, retentionDays: days },
          },
        ]);
      return n;
    });
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
