/**
 * Errors of the admin API as RFC 9457 problem details
 * (`application/problem+json`): a `type` URI per kind of problem, the HTTP
 * status, a human `detail`, and — when one input is to blame — the JSON
 * pointer of that field (`pointer`, and `errors` for schema violations, as
 * RFC 9457 §3 extension members). This is the one place the registry's
 * errors become HTTP.
 */
import type { Context } from 'koa';
import { RegistryUnavailableError } from '../../registry/db/database.js';
import { RegistryError, type RegistryErrorCode } from '../../registry/errors.js';

export const PROBLEM_BASE = 'urn:tw:neid:admin:problem:';

export interface FieldError {
  readonly pointer: string;
  readonly detail: string;
  /** What is wrong, as a code (the JSON Schema keyword, or the registry's reason): the console translates it. */
  readonly keyword?: string;
}

export class Problem extends Error {
  override readonly name = 'Problem';
  constructor(
    readonly status: number,
    /** The last segment of the type URI: `invalid-body`, `not-found` … */
    readonly kind: string,
    readonly title: string,
    detail: string,
    readonly pointer?: string,
    readonly errors?: readonly FieldError[],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
  }
}

const REGISTRY_STATUS: Record<RegistryErrorCode, [number, string]> = {
  'not-found': [404, 'Not found'],
  conflict: [409, 'Conflict'],
  invalid: [422, 'Invalid value'],
  forbidden: [403, 'Forbidden'],
  'wrong-state': [409, 'Not allowed in this state'],
  stale: [412, 'Precondition failed'],
  'certificate-failed': [502, 'Terminal certificate failed'],
  'fetch-failed': [502, 'Metadata could not be fetched'],
  'signature-refused': [422, 'Organisation signature refused'],
};

/** Any error → Problem (unexpected ones as 500 without internals). */
export function toProblem(e: unknown): Problem {
  if (e instanceof Problem) return e;
  if (e instanceof RegistryError) {
    const [status, title] = REGISTRY_STATUS[e.code];
    const keyword = e.reason ?? (e.code === 'conflict' ? 'conflict' : undefined);
    return new Problem(
      status,
      // A refused signature is typed by its reason: …:problem:certificate-revoked, …:unknown-ca.
      e.code === 'signature-refused' && e.reason ? e.reason : e.code,
      title,
      e.message,
      e.field,
      e.field ? [{ pointer: e.field, detail: e.message, ...(keyword ? { keyword } : {}) }] : undefined,
    );
  }
  if (e instanceof RegistryUnavailableError)
    return new Problem(
      503,
      'registry-unavailable',
      'Registry database unavailable',
      e.message,
      undefined,
      undefined,
      {
        'retry-after': '5',
      },
    );
  return new Problem(
    500,
    'internal-error',
    'Internal error',
    'the request failed; the server log has the details',
  );
}

export function sendProblem(ctx: Context, p: Problem): void {
  ctx.status = p.status;
  for (const [k, v] of Object.entries(p.headers)) ctx.set(k, v);
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'application/problem+json';
  ctx.body = {
    type: `${PROBLEM_BASE}${p.kind}`,
    title: p.title,
    status: p.status,
    detail: p.message,
    instance: ctx.path,
    ...(p.pointer ? { pointer: p.pointer } : {}),
    ...(p.errors?.length ? { errors: p.errors } : {}),
  };
}
