/**
 * How an authentication ended on the citizen's side, from the ResultMinor the
 * eID-Client reports: in its PAOS answer (TR-03112-7 §2.6; TR-03112-1 §4.2
 * codes) or, when the PAOS channel is gone, in the URL it sends the browser
 * back with (TR-03124-1 §2.7.4.2). The codes this product's eID-Client sends
 * are in src/client/errors.ts; AusweisApp2 sends sal#cancellationByUser for
 * every end the citizen chose (cancel, card removed) and dp/ifdl timeouts.
 */
import type { AuthFailure, FailureCode } from './types.js';

/** Client-reported outcomes told apart by their ResultMinor (rows of workflows/outcomes/table.ts). */
const CLIENT_CODES: readonly [RegExp, FailureCode][] = [
  // PACE with PIN1 (or the CAN) failed: access denied (AusweisApp spells it without the s).
  [/\/sal#securityConditions?NotSatisfied$/, 'wrong-pin'],
  // PIN1 blocked or deactivated (AusweisApp: a blocked PUK, a deactivated PIN).
  [/\/al\/common#noPermission$/, 'pin-blocked'],
  [/\/ifdl\/terminal#noCard$/, 'card-removed'],
];

/** The AuthFailure for a result the eID-Client reported (`minor` may be absent). */
export function clientFailure(minor: string | undefined, reason: string): AuthFailure {
  const m = minor ?? '';
  const code: FailureCode = /(^|#)cancellationByUser$/.test(m)
    ? 'cancelled'
    : /#timeout(Error)?$/.test(m)
      ? 'timeout'
      : (CLIENT_CODES.find(([re]) => re.test(m))?.[1] ?? 'client-error');
  return { code, reason, ...(minor ? { clientMinor: minor } : {}) };
}
