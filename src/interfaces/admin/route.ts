/**
 * One admin API operation, described once: the router is built from these
 * and so is the OpenAPI document (openapi/document.ts), so the two cannot
 * drift; the web console calls the same operations (pipeline.ts). A handler
 * receives the authenticated principal, the validated body and the If-Match
 * version; it returns data, never touches HTTP errors (those are thrown as
 * registry errors or Problems and mapped in one place).
 */
import type { Permission, Principal } from '../../registry/roles.js';
import { Problem } from './problem.js';

export interface Call<B = unknown> {
  readonly principal: Principal;
  /** The query parameters (filters of list operations). */
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly params: Readonly<Record<string, string>>;
  readonly body: B;
  /** The version of If-Match (`"v3"` → 3); undefined when the route takes none or `*` was sent. */
  readonly ifMatch?: number;
  readonly page: { readonly limit: number; readonly after?: string };
}

export interface Reply {
  readonly status?: number;
  readonly body?: unknown;
  /** The record's version, sent as the strong ETag `"v<version>"`. */
  readonly version?: number;
  readonly type?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RouteDef {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path template, e.g. `/eservices/{id}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: string;
  readonly permission: Permission;
  /** Component schema of the JSON request body. */
  readonly body?: string;
  /** The body may be left out (no Content-Type, no content): the handler sees undefined. */
  readonly optionalBody?: boolean;
  /** Largest body accepted (default 256 KiB). */
  readonly maxBody?: number;
  /** The route changes a versioned record: If-Match is required (428 without it). */
  readonly ifMatch?: boolean;
  /** The route lists: `limit` and `cursor` query parameters, `{ items, next }` answer. */
  readonly paged?: boolean;
  /** Approvals and key operations: the caller's card, passkey or client assertion is at most freshAuthMinutes old. */
  readonly fresh?: boolean;
  /**
   * The eService the call acts on, for callers held to their own eServices (applicants); undefined
   * when the call creates one. A route with neither `target` nor `scoped` refuses such callers.
   */
  readonly target?: (c: Call<never>) => Promise<string | undefined>;
  /** A list whose handler itself keeps to the caller's eServices (`principal.eServices`). */
  readonly scoped?: boolean;
  readonly query?: readonly {
    readonly name: string;
    readonly schema: Record<string, unknown>;
    readonly description: string;
  }[];
  /** Success status → description (default 200 OK). */
  readonly responses?: Readonly<Record<string, string>>;
  readonly handler: (c: Call<never>) => Promise<Reply>;
}

export const route = <B>(
  d: Omit<RouteDef, 'handler'> & { handler: (c: Call<B>) => Promise<Reply> },
): RouteDef => d as RouteDef;

/** `{ items, next }` for a page of records ordered by `key`. */
export function pageOf<T>(
  items: readonly T[],
  limit: number,
  key: (t: T) => string,
): { items: readonly T[]; next: string | null } {
  const more = items.length > limit;
  const shown = more ? items.slice(0, limit) : items;
  return {
    items: shown,
    next: more ? Buffer.from(key(shown[shown.length - 1]!), 'utf8').toString('base64url') : null,
  };
}

/** Parses `cursor`: the base64url of the last key of the previous page. */
export function afterOf(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor))
    throw new Problem(
      400,
      'invalid-query',
      'Invalid query',
      'cursor is not one this API returned',
      '/cursor',
    );
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

/** If-Match: `"v3"` → 3, `*` → undefined. A weak or foreign tag never matches (RFC 9110 §13.1.1). */
export function parseIfMatch(header: string | undefined, required: boolean): number | undefined {
  if (!header) {
    if (required)
      throw new Problem(
        428,
        'precondition-required',
        'Precondition required',
        'send If-Match with the ETag of the record you read (lost-update protection)',
      );
    return undefined;
  }
  if (header.trim() === '*') return undefined;
  const m = /^"v(\d{1,9})"$/.exec(header.trim());
  if (!m)
    throw new Problem(
      412,
      'stale',
      'Precondition failed',
      `If-Match ${header.slice(0, 60)} is not a current ETag of this record`,
    );
  return Number(m[1]);
}

export const etag = (version: number): string => `"v${version}"`;
