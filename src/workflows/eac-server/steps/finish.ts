/**
 * The checks before any field is released (TR-03130-1 §2.4.3; requirements
 * §5): passive authentication of EF.ChipSecurity when it was read; the hash
 * of every data group read against a verified security object; the card
 * revocation list through the sector-specific identifier; document validity
 * (VERIFY id-DateOfExpiry and the renewal-due date). Then the result: the
 * released values and, per requested field and verification, ALLOWED,
 * PROHIBITED (withheld by the citizen) or NOTONCHIP.
 */
import { createHash } from 'node:crypto';
import type { DataGroupResult } from '../../../eac/read.js';
import { RESULT_MINOR } from '../../../paos/result.js';
import { Chat } from '../../../pki/cvc/chat.js';
import { dateString } from '../../../pki/cvc/dates.js';
import { PassiveAuthError } from '../../../pki/x509/errors.js';
import { type FunctionId, grantsOf } from '../../../profile/authorization.js';
import { decodeDataGroup } from '../../../profile/codecs.js';
import { type FieldId, fieldDef } from '../../../profile/fields.js';
import type { FieldValues } from '../../../profile/values.js';
import { FieldValueError } from '../../../profile/values.js';
import { TlvError } from '../../../tlv/errors.js';
import { parseTlv } from '../../../tlv/tlv.js';
import type { AuthResult, AuthSession, FieldOperation } from '../../session/types.js';
import type { OpOutcomes } from '../batch.js';
import type { EacServerContext } from '../context.js';
import { EacServerError } from '../errors.js';
import { NO_METER } from '../meter.js';
import type { PaosState } from '../state.js';
import { notAuthentic, protocolError } from './common.js';
import { hashesOf } from './hashes.js';

export function finish(
  ctx: EacServerContext,
  session: AuthSession,
  paos: PaosState,
  outcomes: OpOutcomes,
  reads: ReadonlyMap<number, DataGroupResult>,
): AuthResult {
  const req = session.request;
  // Data-group hashes: EF.CardSecurity's (already verified) plus EF.ChipSecurity's when read.
  const hashes: Record<string, string> = { ...(paos.publicHashes ?? {}) };
  let algorithm = paos.hashAlgorithm;
  if (outcomes.chipSecurity) {
    try {
      const chipSecurity = outcomes.chipSecurity;
      const chip = hashesOf(
        (ctx.meter ?? NO_METER).time('passive-authentication', () => ctx.passiveAuth.verify(chipSecurity)),
      );
      Object.assign(hashes, chip.hashes);
      algorithm = chip.algorithm ?? algorithm;
    } catch (e) {
      if (e instanceof PassiveAuthError) throw notAuthentic(`EF.ChipSecurity: ${e.code}: ${e.message}`);
      throw e;
    }
  }

  // Revocation (docs/chip-profile.md §6): the card's identifier in this eService's sector. Without
  // it the card's revocation status is unknown, and an unknown status is not a valid card.
  if (!outcomes.restrictedId) {
    throw new EacServerError(
      {
        code: 'protocol-error',
        reason: 'no sector-specific identifier (Restricted Identification): the revocation status is unknown',
      },
      RESULT_MINOR.securityConditionsNotSatisfied,
    );
  }
  if (ctx.blacklist(req.eServiceId).has(outcomes.restrictedId)) {
    throw new EacServerError(
      {
        code: 'invalid-document',
        reason: 'the card is on the card revocation list',
        documentValidity: 'revoked',
      },
      RESULT_MINOR.documentValidityVerificationFailed,
    );
  }
  if (outcomes.validity === false) {
    throw new EacServerError(
      {
        code: 'invalid-document',
        reason: 'the card is past its renewal-due date',
        documentValidity: 'expired',
      },
      RESULT_MINOR.documentValidityVerificationFailed,
    );
  }

  const fields: FieldValues = {};
  const operations: Partial<Record<FieldId | FunctionId, FieldOperation>> = {};
  const confined = grantsOf(Chat.decode(parseTlv(paos.confinedChat!)));
  for (const id of [...req.required, ...req.optional]) {
    const dg = fieldDef(id).dg;
    if (!confined.fields.includes(id)) {
      operations[id] = 'PROHIBITED';
      continue;
    }
    const r = reads.get(dg);
    if (!r || r.status === 'failed')
      throw protocolError(`DG${dg}: ${r?.status === 'failed' ? r.reason : 'not read'}`);
    if (r.status !== 'ok') {
      // 6A82: not on this card; 6982: the card refused (outside the effective CHAT).
      operations[id] = r.status === 'not-found' ? 'NOTONCHIP' : 'PROHIBITED';
      continue;
    }
    const expected = hashes[String(dg)];
    if (!expected || !algorithm) throw notAuthentic(`no signed hash for DG${dg}`);
    if (createHash(algorithm).update(r.content).digest('hex') !== expected)
      throw notAuthentic(`the hash of DG${dg} does not match the signed security object`);
    try {
      const { value } = decodeDataGroup(dg, r.content);
      (fields as Record<string, unknown>)[id] = value;
    } catch (e) {
      if (e instanceof TlvError || e instanceof FieldValueError)
        throw notAuthentic(`DG${dg} is not a valid ${id}: ${e.message}`);
      throw e;
    }
    operations[id] = 'ALLOWED';
  }
  if (fields.renewalDueDate && fields.renewalDueDate < dateString(ctx.now())) {
    throw new EacServerError(
      { code: 'invalid-document', reason: 'the renewal-due date has passed', documentValidity: 'expired' },
      RESULT_MINOR.documentValidityVerificationFailed,
    );
  }
  if (req.ageVerification) operations.ageVerification = outcomes.age === undefined ? 'PROHIBITED' : 'ALLOWED';
  if (req.placeVerification)
    operations.placeVerification = outcomes.place === undefined ? 'PROHIBITED' : 'ALLOWED';
  return {
    fields,
    operations,
    ...(outcomes.age !== undefined ? { ageVerification: outcomes.age } : {}),
    ...(outcomes.place !== undefined ? { placeVerification: outcomes.place } : {}),
    documentValidity: 'valid',
    ...(outcomes.restrictedId ? { restrictedId: outcomes.restrictedId } : {}),
    completedAt: ctx.now().getTime(),
  };
}
