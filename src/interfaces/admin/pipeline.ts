/**
 * One admin operation, called: the checks every call passes, whether it comes
 * over HTTP (mount.ts, a service account's bearer token) or from the web
 * console (a person's session) — so the separation of duties is the server's,
 * never a matter of which buttons a page shows:
 *
 * 1. the route's permission for the caller's roles (roles.ts);
 * 2. a fresh authentication for approvals and key operations (`fresh`);
 * 3. If-Match, paging;
 * 4. an applicant's own eServices (`target`, `scoped`), whatever the body says;
 * 5. the body against the OpenAPI schema;
 * 6. the handler, whose workflow adds the rules of its own (four eyes).
 *
 * Every refusal with 403 is audited (`admin.denied`).
 */
import type { AuditTrail } from '../../registry/audit/trail.js';
import { networkAllows, plainAddress } from '../../registry/networks.js';
import { assertScope, type Principal, permits } from '../../registry/roles.js';
import { Problem, toProblem } from './problem.js';
import { afterOf, type Call, parseIfMatch, type Reply, type RouteDef } from './route.js';
import { validateBody } from './validate.js';

export interface Invocation {
  readonly principal: Principal;
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string | undefined>>;
  /** The parsed JSON body (validated here against the route's schema). */
  readonly body?: unknown;
  /** The If-Match header as sent. */
  readonly ifMatch?: string;
  /**
   * The caller's address (caller.ts: the socket's, or behind a trusted proxy its X-Forwarded-For); the
   * console's calls give none, so its people are not held to an eService's networks.
   */
  readonly address?: string;
}

function pageOfQuery(q: Readonly<Record<string, string | undefined>>): { limit: number; after?: string } {
  const limit = q.limit === undefined ? 50 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200)
    throw new Problem(400, 'invalid-query', 'Invalid query', 'limit must be an integer in 1..200', '/limit');
  const after = afterOf(q.cursor);
  return { limit, ...(after !== undefined ? { after } : {}) };
}

export class AdminApi {
  private readonly byId: ReadonlyMap<string, RouteDef>;

  constructor(
    readonly routes: readonly RouteDef[],
    private readonly o: {
      readonly trail: AuditTrail;
      /** How old an authentication may be for a `fresh` route. */
      readonly freshMs: number;
      readonly now: () => Date;
      /** The addresses an eService's calls are accepted from (表8, registered by the reviewer). */
      readonly networksOf?: (eServiceId: string) => Promise<readonly string[]>;
      readonly log?: { warn(o: object, msg: string): void };
    },
  ) {
    this.byId = new Map(routes.map((r) => [r.operationId, r]));
  }

  route(operationId: string): RouteDef {
    const r = this.byId.get(operationId);
    if (!r) throw new Error(`no admin operation ${operationId}`);
    return r;
  }

  /** Whether `p` may call the operation at all (its roles); pages use it to offer what will work. */
  allows(p: Principal, operationId: string): boolean {
    return permits(p.roles, this.route(operationId).permission);
  }

  /** Whether `p`'s authentication is fresh enough for approvals and key operations. */
  isFresh(p: Principal): boolean {
    return !!p.authTime && this.o.now().getTime() - p.authTime.getTime() <= this.o.freshMs;
  }

  /** Runs the operation for the caller; every refusal is a Problem (403s audited). */
  async invoke(operation: RouteDef | string, inv: Invocation): Promise<Reply> {
    const r = typeof operation === 'string' ? this.route(operation) : operation;
    try {
      return await this.run(r, inv);
    } catch (e) {
      const p = toProblem(e);
      if (p.status === 403)
        this.o.trail.enqueue({
          actor: inv.principal.id,
          action: 'admin.denied',
          outcome: 'denied',
          details: {
            operation: r.operationId,
            permission: r.permission,
            reason: p.message,
            ...(inv.address ? { remote: inv.address } : {}),
          },
        });
      throw p;
    }
  }

  /**
   * An account acting for its own eService calls from that eService's registered addresses only
   * (seed 004 表8 網路位址); a refusal names the eService in the log and the answer.
   */
  private async checkAddress(r: RouteDef, eServiceId: string, address: string | undefined): Promise<void> {
    if (address === undefined || !this.o.networksOf) return;
    const networks = await this.o.networksOf(eServiceId).catch(() => [] as readonly string[]);
    if (networkAllows(networks, address)) return;
    this.o.log?.warn(
      { eService: eServiceId, remote: address, operation: r.operationId, outcome: 'refused' },
      'admin API call from an address the eService has not registered; refused',
    );
    throw new Problem(
      403,
      'address-not-registered',
      'Address not registered',
      `eService ${eServiceId} calls from its registered addresses only (${networks.join(', ')}); ${plainAddress(address)} is not one of them`,
    );
  }

  private async run(r: RouteDef, inv: Invocation): Promise<Reply> {
    const principal = inv.principal;
    if (!permits(principal.roles, r.permission))
      throw new Problem(
        403,
        'forbidden',
        'Forbidden',
        `${r.operationId} needs the permission ${r.permission}`,
      );
    if (r.fresh && !this.isFresh(principal))
      throw new Problem(
        401,
        'reauthentication-required',
        'Fresh authentication required',
        `${r.operationId} needs an authentication of the last ${Math.round(this.o.freshMs / 60_000)} minutes: log in again (card or passkey), or use a new token`,
      );
    const query = inv.query ?? {};
    const ifMatch = parseIfMatch(inv.ifMatch, r.ifMatch ?? false);
    const page = r.paged ? pageOfQuery(query) : { limit: 50 };
    const call: Call<never> = {
      principal,
      query,
      params: inv.params ?? {},
      body: inv.body as never,
      ...(ifMatch !== undefined ? { ifMatch } : {}),
      page,
    };
    // Before the body is validated: a foreign eService is refused whatever the body says.
    if (principal.eServices && !r.scoped) {
      if (!r.target)
        throw new Problem(
          403,
          'forbidden',
          'Forbidden',
          `${r.operationId} is not open to accounts held to their own eServices`,
        );
      const id = await r.target(call);
      if (id !== undefined) {
        assertScope(principal, id);
        await this.checkAddress(r, id, inv.address);
      }
    }
    const body =
      r.body && !(r.optionalBody && inv.body === undefined) ? validateBody(r.body, inv.body) : undefined;
    return r.handler({ ...call, body: body as never });
  }
}
