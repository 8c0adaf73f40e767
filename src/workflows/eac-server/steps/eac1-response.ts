/**
 * EAC1OutputType → DIDAuthenticate EAC2 (TR-03112-7 §3.6.4.2; TR-03110-2
 * §3.3 Terminal Authentication v2): check what the citizen confirmed, pick
 * the Chip Authentication domain parameters from EF.CardAccess, generate the
 * ephemeral CA key, and sign ID_PICC ‖ r_PICC ‖ Comp(PK_PCD) ‖ AuxData with
 * the eService's terminal key.
 */
import { generateKeyPairSync } from 'node:crypto';
import { publicPointOf } from '../../../crypto/keys.js';
import { compressPoint } from '../../../eac/ca.js';
import { chooseChipAuthentication, decodeCardAccess } from '../../../eac/card-access.js';
import { EacError } from '../../../eac/errors.js';
import { signTa, taSignatureInput } from '../../../eac/ta.js';
import { buildDidAuthenticate } from '../../../paos/messages/did-authenticate.js';
import type { Eac1Output } from '../../../paos/messages/eac1.js';
import { buildEac2Input } from '../../../paos/messages/eac2.js';
import { Chat, SPECIAL_FUNCTIONS } from '../../../pki/cvc/chat.js';
import { parseTlv } from '../../../tlv/tlv.js';
import type { AuthSession } from '../../session/types.js';
import { storeCaKey } from '../ca-keys.js';
import type { EacServerContext } from '../context.js';
import { NO_METER } from '../meter.js';
import type { PaosState } from '../state.js';
import { failure, paosOf, protocolError, type ReplyIds, terminalOf } from './common.js';

export function eac1Response(
  ctx: EacServerContext,
  session: AuthSession,
  out: Eac1Output,
  handle: { slotHandle: string },
  ids: ReplyIds,
): { reply: string; paos: PaosState } {
  const paos = paosOf(session);
  const terminal = terminalOf(ctx, session);
  const required = Chat.decode(parseTlv(paos.requiredChat!));
  const optional = paos.optionalChat ? Chat.decode(parseTlv(paos.optionalChat)) : undefined;
  const requested = optional
    ? Chat.forRole('terminal', [...new Set([...required.bits(), ...optional.bits()])], required.terminalType)
    : required;
  let confined = requested;
  if (out.chat) {
    try {
      confined = Chat.decode(parseTlv(out.chat));
    } catch {
      throw protocolError('the CertificateHolderAuthorizationTemplate of EAC1OutputType is malformed');
    }
    // The citizen may only narrow what was asked (TR-03112-7 §3.6.4.1).
    if (!confined.isSubsetOf(requested))
      throw protocolError('the eID-Client confirmed rights that were not requested');
    // Below the RequiredCHAT too: a withheld REQUIRED field or verification is then PROHIBITED in
    // the result, and the eService decides what it means (TR-03130-1 §3.3.22; TR-03130-4 A1_1_03,
    // C1_1_03). Restricted Identification is the exception: the server itself needs it for the
    // revocation check (docs/chip-profile.md §6), so a CHAT without it ends the authentication.
    if (
      required.hasBit(SPECIAL_FUNCTIONS.restrictedIdentification) &&
      !confined.hasBit(SPECIAL_FUNCTIONS.restrictedIdentification)
    ) {
      throw failure(
        'missing-rights',
        'the eID-Client withheld Restricted Identification (the revocation check) from the RequiredCHAT',
      );
    }
  }
  const test = terminal.testEnvironment;
  const trusted = test ? new Set([test.cvcaChr]) : ctx.pki.trustedCars;
  if (out.cars.length > 0 && !out.cars.some((car) => trusted.has(car))) {
    throw failure(
      'certificate-path',
      test
        ? `the card trusts ${out.cars.join(', ')}; eService ${session.request.eServiceId} is in its test phase (test CVCA ${test.cvcaChr}): test cards only`
        : `the card trusts ${out.cars.join(', ')}, no CVCA the chain of this server (${ctx.pki.cvca.chr}) leads to`,
    );
  }
  let caCurve: ReturnType<typeof chooseChipAuthentication>['curve'];
  try {
    caCurve = chooseChipAuthentication(decodeCardAccess(out.efCardAccess)).curve;
  } catch (e) {
    if (e instanceof EacError) throw protocolError(`EF.CardAccess: ${e.message}`);
    throw e;
  }
  const meter = ctx.meter ?? NO_METER;
  const ephemeral = meter.time(
    'chip-authentication',
    () => generateKeyPairSync('ec', { namedCurve: caCurve.name }).privateKey,
  );
  const ephemeralPoint = publicPointOf(ephemeral);
  const signature = meter.time('ta-signature', () =>
    signTa(
      terminal.key,
      terminal.cert.hash,
      taSignatureInput({
        idPicc: out.idPicc,
        challenge: out.challenge,
        ephemeralCompressed: compressPoint(caCurve, ephemeralPoint),
        ...(paos.auxData ? { auxData: paos.auxData } : {}),
      }),
    ),
  );
  const reply = buildDidAuthenticate(
    { slotHandle: handle.slotHandle },
    'EAC2InputType',
    buildEac2Input({ certificates: [], ephemeralPublicKey: ephemeralPoint, signature }),
    ids,
  );
  return {
    reply,
    paos: {
      ...paos,
      lastMessageId: ids.messageId,
      confinedChat: confined.encode(),
      cardAccess: out.efCardAccess,
      caKey: storeCaKey(ephemeral),
    },
  };
}
