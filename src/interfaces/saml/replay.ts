/**
 * Replay protection for AuthnRequests (saml-sec-consider §7.1.1.2, §6.4.5):
 * a request ID is accepted once per SP while the request is fresh; a request
 * is fresh for `maxAgeMs` after its IssueInstant (plus clock skew), so its ID
 * needs remembering only that long. The IDs are claimed in the session store,
 * so every server instance sharing it refuses a request another one served.
 */
import { SamlRejection } from './errors.js';

/** The one-time-use primitive of the session store (SessionService.claim). */
export interface ClaimStore {
  claim(key: string, expiresAt: number): Promise<boolean>;
}

export interface ReplayCacheOptions {
  readonly store: ClaimStore;
  readonly maxAgeMs: number;
  readonly skewMs: number;
  readonly now?: () => number;
}

export class ReplayCache {
  private readonly now: () => number;

  constructor(private readonly o: ReplayCacheOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Checks freshness of `issueInstant` and claims (sp, id); throws SamlRejection on a stale or replayed request. */
  async accept(spEntityId: string, id: string, issueInstant: number): Promise<void> {
    const now = this.now();
    if (issueInstant > now + this.o.skewMs)
      throw new SamlRejection('stale', 'IssueInstant lies in the future');
    if (issueInstant < now - this.o.maxAgeMs - this.o.skewMs)
      throw new SamlRejection('stale', 'the request is too old');
    const until = issueInstant + this.o.maxAgeMs + 2 * this.o.skewMs;
    if (!(await this.o.store.claim(`saml-request\n${spEntityId}\n${id}`, until)))
      throw new SamlRejection('replay', 'this request ID was already used');
  }
}
