/**
 * The approval check, run once when a session is created: a request beyond
 * the eService's approval never reaches the eID-Client or the card.
 */
import type { EService } from '../../config/relying-parties.js';
import { normalizeAreaCode } from '../../profile/household-area.js';
import { AuthRequestError } from './errors.js';
import type { AuthRequest } from './types.js';

/** The approval check (seed 004 壹.二; TR-03130-1 useID#missingTerminalRights). */
export function checkRequest(req: AuthRequest, es: EService): void {
  const requested = [...req.required, ...req.optional];
  // An eService approved for no field at all (the admin console) asks for the card's pseudonym only.
  const pseudonymOnly = es.approvedFields.length === 0 && es.approvedFunctions.length === 0;
  if (requested.length === 0 && !req.ageVerification && !req.placeVerification && !pseudonymOnly) {
    throw new AuthRequestError('invalid-request', 'the request asks for nothing');
  }
  if (new Set(requested).size !== requested.length)
    throw new AuthRequestError('invalid-request', 'a field is requested twice');
  const beyond = requested.filter((f) => !es.approvedFields.includes(f));
  if (req.ageVerification && !es.approvedFunctions.includes('ageVerification'))
    beyond.push('ageVerification' as never);
  if (req.placeVerification && !es.approvedFunctions.includes('placeVerification'))
    beyond.push('placeVerification' as never);
  if (beyond.length) {
    throw new AuthRequestError('not-approved', `eService ${es.id} is not approved for ${beyond.join(', ')}`);
  }
  if (
    req.ageVerification &&
    (!Number.isInteger(req.ageVerification.age) ||
      req.ageVerification.age < 0 ||
      req.ageVerification.age > 150)
  ) {
    throw new AuthRequestError('invalid-request', 'age must be an integer 0-150');
  }
  if (req.placeVerification) {
    try {
      normalizeAreaCode(req.placeVerification.areaCode);
    } catch (e) {
      throw new AuthRequestError('invalid-request', (e as Error).message);
    }
  }
}

/** An eService's own PSK ID (TR-03130-1 §3.3.18 PreSharedKeyType: a string of ≥ 16 characters). */
const PSK_ID = /^[^\u0000-\u0020\u007f]{16,128}$/u;

/**
 * The PSK an eService chose (SOAP useID): 16 to 64 bytes; and its PSK ID, which becomes the
 * psk_identity and the TC Token SessionIdentifier (the session id derives from it,
 * types.ts sessionIdOfIdentity). The schema allows any string of 16 or more characters; at most 128
 * and no spaces or control characters, so that it fits a TLS psk_identity (OpenSSL takes up to
 * 256 bytes) and the `requestid` HTTP header of PAOS.
 */
export function checkEServicePsk(req: AuthRequest): void {
  if (req.eServicePsk && (req.eServicePsk.length < 16 || req.eServicePsk.length > 64)) {
    throw new AuthRequestError('invalid-psk', 'a PSK must have 16 to 64 bytes');
  }
  const id = req.eServicePskId;
  if (id !== undefined && (!req.eServicePsk || !PSK_ID.test(id) || Buffer.byteLength(id) > 256)) {
    throw new AuthRequestError(
      'invalid-psk',
      'a PSK ID must come with a PSK and have 16 to 128 characters, none of them a space or control character',
    );
  }
}
