/**
 * The Subject's NameID (saml-core §8.3.7–8.3.8; TR-03130-1 §4.7.4):
 *
 * - transient (default, TR-03130): 128 random bits, new for every assertion;
 * - persistent (`saml.nameIdFormat: persistent`): a pairwise pseudonym,
 *   base64url(SHA-256("N_eID SAML persistent NameID v1" ‖ 0 ‖ SP entityID ‖ 0 ‖ RestrictedID)).
 *   The RestrictedID is already specific to the eService's sector (each
 *   eService has its own RI sector key) and stable per card, so the pseudonym
 *   is stable per card and SP, differs between SPs, and reveals neither the
 *   RestrictedID nor any card data. The national ID number is never a NameID.
 */
import { createHash, randomBytes } from 'node:crypto';
import { SamlStatusError } from './errors.js';
import { NAMEID_FORMAT } from './namespaces.js';

export interface NameId {
  readonly format: string;
  readonly value: string;
}

export function transientNameId(): NameId {
  return { format: NAMEID_FORMAT.transient, value: `_${randomBytes(16).toString('hex')}` };
}

export function persistentNameId(spEntityId: string, restrictedIdHex: string | undefined): NameId {
  if (!restrictedIdHex || !/^[0-9a-fA-F]+$/.test(restrictedIdHex)) {
    throw new SamlStatusError('internal-error', 'no sector-specific identifier for a persistent NameID');
  }
  const h = createHash('sha256')
    .update('N_eID SAML persistent NameID v1')
    .update(Buffer.from([0]))
    .update(spEntityId, 'utf8')
    .update(Buffer.from([0]))
    .update(Buffer.from(restrictedIdHex, 'hex'))
    .digest('base64url');
  return { format: NAMEID_FORMAT.persistent, value: h };
}

/** The NameID format this SP gets, or a status error when the request's NameIDPolicy asks for another. */
export function checkNameIdPolicy(
  configured: 'transient' | 'persistent',
  requested: string | undefined,
): void {
  if (requested === undefined || requested === NAMEID_FORMAT.unspecified) return;
  if (requested !== NAMEID_FORMAT[configured]) {
    throw new SamlStatusError('name-id-policy', `this eService is configured for ${configured} NameIDs`);
  }
}
