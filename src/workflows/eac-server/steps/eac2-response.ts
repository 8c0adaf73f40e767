/**
 * EAC2OutputType → first Transmit (TR-03112-7 §3.6.4.2 and §3.6.4.4):
 * passive authentication of EF.CardSecurity, its agreement with
 * EF.CardAccess, Chip Authentication (token check, new secure-messaging
 * keys), then the first batch of secure-messaging commands.
 */

import { finishChipAuthentication } from '../../../eac/ca.js';
import { analyseSecurityInfos, type SecurityProfile } from '../../../eac/card-access.js';
import { EacError } from '../../../eac/errors.js';
import { SmBatch } from '../../../eac/sm-batch.js';
import type { Eac2Output } from '../../../paos/messages/eac2.js';
import { buildTransmit } from '../../../paos/messages/transmit.js';
import { Chat } from '../../../pki/cvc/chat.js';
import type { SecurityInfo } from '../../../pki/security-infos.js';
import { PassiveAuthError } from '../../../pki/x509/errors.js';
import { FUNCTION_IDS, grantsOf } from '../../../profile/authorization.js';
import { fieldByDg, fieldDef } from '../../../profile/fields.js';
import { parseTlv } from '../../../tlv/tlv.js';
import type { AuthSession } from '../../session/types.js';
import { firstBatch } from '../batch.js';
import { takeCaKey } from '../ca-keys.js';
import type { EacServerContext } from '../context.js';
import { NO_METER } from '../meter.js';
import type { PaosState } from '../state.js';
import {
  failure,
  notAuthentic,
  paosOf,
  passiveAuthFailure,
  protocolError,
  type ReplyIds,
  terminalOf,
} from './common.js';
import { hashesOf } from './hashes.js';

export function eac2Response(
  ctx: EacServerContext,
  session: AuthSession,
  out: Eac2Output,
  ids: ReplyIds,
): { reply: string; paos: PaosState } {
  const paos = paosOf(session);
  const caKey = paos.caKey;
  if (!caKey || !paos.cardAccess || !paos.confinedChat) throw protocolError('EAC2 answer before EAC1');

  // Passive authentication (ICAO 9303-11 §5.1, TR-03110-3 A.1.2.5): Document Signer → CSCA, CRL, signature, digest.
  const meter = ctx.meter ?? NO_METER;
  let verified: SecurityInfo[];
  try {
    verified = meter.time('passive-authentication', () => ctx.passiveAuth.verify(out.efCardSecurity));
  } catch (e) {
    if (e instanceof PassiveAuthError) throw passiveAuthFailure('EF.CardSecurity', e);
    throw e;
  }
  let profile: SecurityProfile;
  try {
    profile = analyseSecurityInfos({ cardAccess: paos.cardAccess, cardSecurity: verified });
  } catch (e) {
    if (e instanceof EacError) throw notAuthentic(`security objects: ${e.message}`);
    throw e;
  }

  // Chip Authentication v2 (TR-03110-2 §3.4): the token proves the chip holds the key EF.CardSecurity vouches for.
  let keys: ReturnType<typeof finishChipAuthentication>;
  try {
    keys = meter.time('chip-authentication', () =>
      finishChipAuthentication({
        protocol: profile.ca.protocol,
        curve: profile.ca.curve,
        ephemeralPrivate: takeCaKey(caKey),
        chipPublicPoint: profile.ca.publicPoint,
        nonce: out.nonce,
        token: out.authenticationToken,
      }),
    );
  } catch (e) {
    if (e instanceof EacError) {
      const reason = e.message.startsWith('Chip Authentication')
        ? e.message
        : `Chip Authentication: ${e.message}`;
      // A wrong token: the chip could not prove its key (TR-03130-4 C1_2_06); anything else: the
      // key EF.CardSecurity vouches for is unusable, e.g. not on the curve (C1_2_05).
      throw e.code === 'bad-token' ? failure('chip-authentication-failed', reason) : notAuthentic(reason);
    }
    throw e;
  }

  const req = session.request;
  const confined = grantsOf(Chat.decode(parseTlv(paos.confinedChat)));
  const requested = [...req.required, ...req.optional];
  const dgs = requested.filter((f) => confined.fields.includes(f)).map((f) => fieldDef(f).dg);
  const publicHashes = hashesOf(profile.cardSecurity);
  const verify: ('age' | 'place' | 'validity')[] = ['validity'];
  if (req.ageVerification && confined.functions.includes(FUNCTION_IDS[0])) verify.push('age');
  if (req.placeVerification && confined.functions.includes(FUNCTION_IDS[1])) verify.push('place');
  const terminal = terminalOf(ctx, session);
  const riKey = profile.ri[0];
  const plan = firstBatch({
    dgs,
    // Encrypted-area hashes are in EF.ChipSecurity, readable only after TA (docs/chip-profile.md §7).
    chipSecurity: dgs.some((dg) => fieldByDg(dg)?.area === 'encrypted' && !publicHashes.hashes[String(dg)]),
    verify,
    ...(riKey && confined.restrictedIdentification
      ? { ri: { keyId: riKey.keyId, sectorPublicKey: terminal.sectorPublicKey } }
      : {}),
    readMode: ctx.readMode,
  });
  const ssc = Buffer.alloc(16);
  const apdus = meter.time('secure-messaging', () =>
    new SmBatch({ enc: Buffer.from(keys.enc), mac: Buffer.from(keys.mac) }, ssc).wrap(plan.commands),
  );
  const reply = buildTransmit({ slotHandle: paos.slotHandle, apdus: apdus.map((apdu) => ({ apdu })) }, ids);
  const { caKey: _wiped, ...rest } = paos;
  return {
    reply,
    paos: {
      ...rest,
      lastMessageId: ids.messageId,
      sm: { enc: keys.enc, mac: keys.mac, ssc },
      publicHashes: publicHashes.hashes,
      ...(publicHashes.algorithm ? { hashAlgorithm: publicHashes.algorithm } : {}),
      batchCommands: plan.commands,
      batchOps: plan.ops,
      read: plan.read,
      outcomes: {},
    },
  };
}
