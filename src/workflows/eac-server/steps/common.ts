/** Helpers shared by the conversation steps: lookups and typed failures (rows of workflows/outcomes). */

import type { PassiveAuthError } from '../../../pki/x509/errors.js';
import type { TerminalMaterial } from '../../../provisioning/store.js';
import type { AuthSession, FailureCode } from '../../session/types.js';
import type { EacServerContext } from '../context.js';
import { EacServerError } from '../errors.js';
import type { PaosState } from '../state.js';

/** WS-Addressing ids of the server's reply: a fresh MessageID, RelatesTo the client's message. */
export interface ReplyIds {
  readonly messageId: string;
  readonly relatesTo?: string;
}

export const failure = (code: FailureCode, reason: string): EacServerError =>
  new EacServerError({ code, reason });

export function terminalOf(ctx: EacServerContext, session: AuthSession): TerminalMaterial {
  const t = ctx.pki.terminals.get(session.request.eServiceId);
  if (!t) throw failure('internal-error', `no terminal certificate for ${session.request.eServiceId}`);
  return t;
}

export function paosOf(session: AuthSession): PaosState {
  if (!session.paos) throw protocolError('no EAC conversation in progress');
  return session.paos as unknown as PaosState;
}

export const protocolError = (reason: string): EacServerError => failure('protocol-error', reason);

export const notAuthentic = (reason: string): EacServerError => failure('document-not-authentic', reason);

export const channelError = (reason: string): EacServerError => failure('channel-error', reason);

/**
 * Passive authentication failed: a revoked Document Signer (or one whose CRL is not current: fail
 * closed) is its own row (TR-03130-4 C1_2_02); any other failure means the security object is not
 * authentic (C1_2_01, C1_2_03).
 */
export const passiveAuthFailure = (file: string, e: PassiveAuthError): EacServerError =>
  failure(
    e.code === 'revoked' || e.code === 'crl-missing' ? 'document-signer-revoked' : 'document-not-authentic',
    `${file}: ${e.code}: ${e.message}`,
  );
