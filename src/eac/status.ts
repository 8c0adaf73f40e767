/**
 * Status-word handling shared by the protocol steps (ISO/IEC 7816-4 §5.6,
 * TR-03110-3 B.14). Protocol-specific meanings (PACE retry counters, VERIFY
 * 6300) are mapped where the step is implemented.
 */
import type { ResponseApdu } from '../apdu/apdu.js';
import { SW, swHex } from '../apdu/status.js';
import { EacError } from './errors.js';

/** The generic error for a status word a step does not accept. */
export function statusError(sw: number, what: string): EacError {
  const tail = `${what}: card answered ${swHex(sw)}`;
  if (sw === SW.SECURITY_STATUS_NOT_SATISFIED) return new EacError('access-denied', tail, { sw });
  if (sw === SW.FILE_NOT_FOUND) return new EacError('file-not-found', tail, { sw });
  return new EacError('card-error', tail, { sw });
}

/** Throws unless the response is 9000. */
export function expectOk(r: ResponseApdu, what: string): ResponseApdu {
  if (r.sw !== SW.OK) throw statusError(r.sw, what);
  return r;
}

/** Throws unless the response is 9000 and carries no data (MSE, PSO:Verify, External Authenticate …). */
export function expectOkEmpty(r: ResponseApdu, what: string): void {
  expectOk(r, what);
  if (r.data.length !== 0)
    throw new EacError('malformed-response', `${what}: unexpected response data`, { sw: r.sw });
}

/** 63Cx: the low nibble is the retry counter. */
export const isRetryCounterWarning = (sw: number): boolean => (sw & 0xfff0) === 0x63c0;
export const retriesOf = (sw: number): number => sw & 0x0f;
