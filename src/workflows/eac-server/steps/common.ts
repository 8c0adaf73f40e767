/** Helpers shared by the conversation steps: lookups and typed failures. */

import { RESULT_MINOR } from '../../../paos/result.js';
import type { TerminalMaterial } from '../../../provisioning/store.js';
import type { AuthSession } from '../../session/types.js';
import type { EacServerContext } from '../context.js';
import { EacServerError } from '../errors.js';
import type { PaosState } from '../state.js';

/** WS-Addressing ids of the server's reply: a fresh MessageID, RelatesTo the client's message. */
export interface ReplyIds {
  readonly messageId: string;
  readonly relatesTo?: string;
}

export function terminalOf(ctx: EacServerContext, session: AuthSession): TerminalMaterial {
  const t = ctx.pki.terminals.get(session.request.eServiceId);
  if (!t) {
    throw new EacServerError(
      { code: 'internal-error', reason: `no terminal certificate for ${session.request.eServiceId}` },
      RESULT_MINOR.internalError,
    );
  }
  return t;
}

export function paosOf(session: AuthSession): PaosState {
  if (!session.paos) throw protocolError('no EAC conversation in progress');
  return session.paos as unknown as PaosState;
}

export const protocolError = (reason: string): EacServerError =>
  new EacServerError({ code: 'protocol-error', reason }, RESULT_MINOR.parameterError);

export const notAuthentic = (reason: string): EacServerError =>
  new EacServerError(
    { code: 'invalid-document', reason, documentValidity: 'notAuthentic' },
    RESULT_MINOR.securityConditionsNotSatisfied,
  );

export const channelError = (reason: string): EacServerError =>
  new EacServerError({ code: 'channel-error', reason }, RESULT_MINOR.securityConditionsNotSatisfied);
