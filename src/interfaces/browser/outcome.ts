/**
 * The outcome of a login when the eID-Client (or the browser it sends) comes
 * back to the RefreshAddress (TR-03124-1 §2.7.4). A session still running at
 * that point (no card, no trusted channel, the citizen closed the client …)
 * is ended first with the client's ResultMinor, so the front-end always gets
 * a final outcome — once.
 */
import { clientFailure } from '../../workflows/session/client-outcome.js';
import type { Outcome, SessionService } from '../../workflows/session/service.js';

export type FinalOutcome = Exclude<Outcome, { kind: 'pending' }>;

export async function outcomeOnReturn(
  sessions: SessionService,
  sessionId: string,
  resultMinor: unknown,
): Promise<FinalOutcome | undefined> {
  let outcome = await sessions.consume(sessionId);
  if (outcome?.kind === 'pending') {
    const minor = typeof resultMinor === 'string' ? resultMinor.slice(0, 64) : undefined;
    await sessions.fail(
      sessionId,
      clientFailure(minor, `the eID-Client returned ${minor ?? 'without a result'}`),
    );
    outcome = await sessions.consume(sessionId);
  }
  return outcome?.kind === 'pending' ? undefined : outcome;
}
