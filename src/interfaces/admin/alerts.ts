/**
 * Failed admin logins, locks and alerts, as the running server handles them
 * (the registry's workflow/lockout.ts decides; this reports). An alert is an
 * entry in the console's alert list and the audit log (written by the
 * workflow), one warn log line, and — with `admin.alerts.webhookUrl` — a POST of
 * its JSON, signed with HMAC-SHA256 (`X-Neid-Signature: sha256=<hex>` over the
 * exact body bytes, key in `admin.alerts.webhookSecretFile`), retried with
 * exponential backoff until a 2xx answer or `retries` more attempts; the
 * outcome is kept with the alert (`delivery`, `attempts`). Each attempt is
 * claimed in the database first, so with several instances, or after a
 * restart that resumes the pending deliveries, no attempt is sent twice.
 */
import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { RegistryContext } from '../../registry/context.js';
import { type AlertRecord, claimAttempt, pendingAlerts, setDelivery } from '../../registry/store/alerts.js';
import {
  type LockoutPolicy,
  type LoginFailure,
  lockedUntil,
  recordLoginFailure,
} from '../../registry/workflow/lockout.js';

export interface AlertLog {
  warn(o: object, m: string): void;
  error(o: object, m: string): void;
}

export interface WebhookSettings {
  readonly url: string;
  readonly secret: Buffer;
  readonly retries: number;
  readonly retryBaseMs: number;
}

const TIMEOUT_MS = 10_000;
/** Pending deliveries picked up at start. */
const RESUME_LIMIT = 100;

/** The signature header value of a webhook body. */
export const signatureOf = (secret: Buffer, body: Buffer | string): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function post(url: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(body.length) }, timeout: TIMEOUT_MS },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
}

export class AdminAlerts {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly o: {
      readonly ctx: Pick<RegistryContext, 'db' | 'now'>;
      readonly log: AlertLog;
      readonly lockout: Omit<LockoutPolicy, 'webhook'>;
      readonly webhook?: WebhookSettings;
      /** Names this server in the alert (several installations may share one receiver). */
      readonly server: string;
    },
  ) {}

  /** Records a failed login; an alert it raises is logged and sent. */
  async failure(f: LoginFailure): Promise<readonly AlertRecord[]> {
    const alerts = await recordLoginFailure(this.o.ctx, { ...this.o.lockout, webhook: !!this.o.webhook }, f);
    for (const a of alerts) {
      this.o.log.warn(
        { alert: a.id, subject: a.subject, failures: a.details.failures, lockedUntil: a.details.lockedUntil },
        'admin login alert: too many failed logins, locked',
      );
      if (this.o.webhook) this.deliver(a, this.o.webhook, 1);
    }
    return alerts;
  }

  /** Until when logins for the account or from the address are locked (undefined: not locked). */
  locked(by: { accountId?: string; address?: string }): Promise<Date | undefined> {
    return lockedUntil(this.o.ctx, by);
  }

  /**
   * Resumes the webhook deliveries a restart interrupted: the next attempt of each pending alert, or
   * `failed` when its attempts are used up.
   */
  async resume(): Promise<void> {
    const hook = this.o.webhook;
    if (!hook) return;
    for (const a of await pendingAlerts(this.o.ctx.db, RESUME_LIMIT)) {
      if (a.attempts > hook.retries) await setDelivery(this.o.ctx.db, a.id, 'failed', a.attempts);
      else this.deliver(a, hook, a.attempts + 1);
    }
  }

  private deliver(a: AlertRecord, hook: WebhookSettings, attempt: number): void {
    claimAttempt(this.o.ctx.db, a.id, attempt).then(
      (mine) => {
        if (mine && !this.closed) this.send(a, hook, attempt);
      },
      (e: Error) => this.o.log.error({ alert: a.id, err: e.message }, 'alert delivery not claimed; not sent'),
    );
  }

  private send(a: AlertRecord, hook: WebhookSettings, attempt: number): void {
    const body = Buffer.from(
      JSON.stringify({
        type: 'neid.admin.alert',
        id: a.id,
        at: a.at.toISOString(),
        kind: a.kind,
        subject: a.subject,
        details: a.details,
        server: this.o.server,
        attempt,
      }),
    );
    const headers = {
      'content-type': 'application/json',
      'x-neid-alert-id': String(a.id),
      'x-neid-signature': signatureOf(hook.secret, body),
    };
    const done = (delivery: AlertRecord['delivery']) =>
      setDelivery(this.o.ctx.db, a.id, delivery, attempt).catch((e: Error) =>
        this.o.log.error({ alert: a.id, err: e.message }, 'alert delivery state not saved'),
      );
    post(hook.url, body, headers)
      .then((status) => {
        if (status >= 200 && status < 300) return done('delivered');
        throw new Error(`HTTP ${status}`);
      })
      .catch(async (e: Error) => {
        if (this.closed) return;
        if (attempt > hook.retries) {
          this.o.log.error(
            { alert: a.id, attempts: attempt, reason: e.message },
            'alert webhook failed; giving up',
          );
          await done('failed');
          return;
        }
        const wait = hook.retryBaseMs * 2 ** (attempt - 1);
        this.o.log.warn(
          { alert: a.id, attempt, retryInMs: wait, reason: e.message },
          'alert webhook failed; retrying',
        );
        const t = setTimeout(() => {
          this.timers.delete(t);
          this.deliver(a, hook, attempt + 1);
        }, wait);
        t.unref();
        this.timers.add(t);
      });
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
