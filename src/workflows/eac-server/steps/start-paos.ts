/**
 * StartPAOS → DIDAuthenticate EAC1 (TR-03112-7 §3.6.4.1): the eService
 * certificate with its DV certificate and the CVCA link certificates, the
 * CertificateDescription, the
 * required and optional CHATs (only what the eService requested, which the
 * session service already checked against its approval), and the
 * authenticated auxiliary data for document validity, age and place.
 */
import { auxiliaryDataFor } from '../../../eac/aux-data.js';
import { buildDidAuthenticate } from '../../../paos/messages/did-authenticate.js';
import { buildEac1Input } from '../../../paos/messages/eac1.js';
import type { StartPaos } from '../../../paos/messages/start-paos.js';
import { dateString } from '../../../pki/cvc/dates.js';
import { chatFor } from '../../../profile/authorization.js';
import { type AuthSession, identityOf } from '../../session/types.js';
import type { EacServerContext } from '../context.js';
import type { PaosState } from '../state.js';
import { protocolError, type ReplyIds, terminalOf } from './common.js';

export function startPaos(
  ctx: EacServerContext,
  session: AuthSession,
  msg: StartPaos,
  ids: ReplyIds,
): { reply: string; paos: PaosState } {
  if (msg.sessionIdentifier !== identityOf(session)) throw protocolError('StartPAOS names another session');
  const req = session.request;
  const terminal = terminalOf(ctx, session);
  const requiredFunctions = [
    ...(req.ageVerification?.required ? (['ageVerification'] as const) : []),
    ...(req.placeVerification?.required ? (['placeVerification'] as const) : []),
  ];
  const optionalFunctions = [
    ...(req.ageVerification && !req.ageVerification.required ? (['ageVerification'] as const) : []),
    ...(req.placeVerification && !req.placeVerification.required ? (['placeVerification'] as const) : []),
  ];
  const required = chatFor(req.required, requiredFunctions).encode();
  const hasOptional = req.optional.length + optionalFunctions.length > 0;
  const optional = hasOptional ? chatFor(req.optional, optionalFunctions, { ri: false }).encode() : undefined;
  const auxData = auxiliaryDataFor({
    today: dateString(ctx.now()),
    validity: true,
    ...(req.ageVerification ? { minimumAge: req.ageVerification.age } : {}),
    ...(req.placeVerification ? { municipality: req.placeVerification.areaCode } : {}),
  });
  const reply = buildDidAuthenticate(
    { ...msg.connectionHandle },
    'EAC1InputType',
    buildEac1Input({
      // All link certificates too, so a card that still trusts an older CVCA reaches the current one.
      // An eService in its test phase has the test environment's chain, which only test cards trust.
      certificates: terminal.testEnvironment
        ? [terminal.cert.raw, terminal.testEnvironment.dv.raw]
        : [terminal.cert.raw, ctx.pki.dv.raw, ...ctx.pki.links.map((l) => l.raw)],
      certificateDescription: terminal.description,
      requiredChat: required,
      ...(optional ? { optionalChat: optional } : {}),
      ...(auxData ? { authenticatedAuxiliaryData: auxData } : {}),
      ...(req.transactionInfo ? { transactionInfo: req.transactionInfo } : {}),
    }),
    ids,
  );
  return {
    reply,
    paos: {
      slotHandle: msg.connectionHandle.slotHandle,
      lastMessageId: ids.messageId,
      requiredChat: required,
      ...(optional ? { optionalChat: optional } : {}),
      ...(auxData ? { auxData } : {}),
    },
  };
}
