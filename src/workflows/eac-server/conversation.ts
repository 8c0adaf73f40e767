/**
 * The server side of the PAOS conversation (TR-03112-7 §3.6.4) as a state
 * machine of small named steps. One call handles one message of the
 * eID-Client and returns the next message; the state lives in the session,
 * so any server instance sharing the store can continue a conversation.
 *
 *   created/tctoken-issued --StartPAOS--> eac1 --EAC1Output--> eac2
 *     --EAC2Output--> transmit --TransmitResponse*--> completed | failed
 *
 * Any failure ends the session and answers StartPAOSResponse with the
 * ResultMinor of the failure's row in the outcome table
 * (workflows/outcomes/table.ts); personal data is never part of a failure.
 */
import type { Envelope } from '../../paos/envelope.js';
import { newMessageId } from '../../paos/envelope.js';
import { parseDidAuthenticateResponse } from '../../paos/messages/did-authenticate.js';
import { parseEac1Output } from '../../paos/messages/eac1.js';
import { parseEac2Output } from '../../paos/messages/eac2.js';
import { parseStartPaos } from '../../paos/messages/start-paos.js';
import { buildStartPaosResponse } from '../../paos/messages/start-paos-response.js';
import { parseTransmitResponse } from '../../paos/messages/transmit.js';
import { NS } from '../../paos/namespaces.js';
import { type EcardResult, isOk, OK, RESULT_MAJOR } from '../../paos/result.js';
import { XmlError } from '../../xml/errors.js';
import { clientFailure } from '../session/client-outcome.js';
import { UnavailableError } from '../session/errors.js';
import type { SessionService } from '../session/service.js';
import type { AuthFailure, AuthSession, SessionState } from '../session/types.js';
import type { EacServerContext } from './context.js';
import { EacServerError } from './errors.js';
import type { PaosState } from './state.js';
import { protocolError, type ReplyIds } from './steps/common.js';
import { eac1Response } from './steps/eac1-response.js';
import { eac2Response } from './steps/eac2-response.js';
import { startPaos } from './steps/start-paos.js';
import { transmitResponse } from './steps/transmit-response.js';

export interface ConversationEvents {
  step(session: AuthSession, step: string): void;
  completed(session: AuthSession): void;
  /** `resultMinor`: what StartPAOSResponse told the eID-Client (none when the run itself ended ok). */
  failed(session: AuthSession, failure: AuthFailure, resultMinor?: string): void;
  error(session: AuthSession, err: Error): void;
  /** The server's time for one message, by the step it answered (metrics). */
  timed?(step: 'start-paos' | 'eac1' | 'eac2' | 'transmit', seconds: number): void;
}

const STEP_OF_STATE: Partial<Record<SessionState, 'start-paos' | 'eac1' | 'eac2' | 'transmit'>> = {
  created: 'start-paos',
  'tctoken-issued': 'start-paos',
  eac1: 'eac1',
  eac2: 'eac2',
  transmit: 'transmit',
};

type StepResult =
  | { readonly reply: string; readonly state: SessionState; readonly paos: PaosState }
  | { readonly end: 'completed'; readonly reply: string };

export class EacConversation {
  constructor(
    private readonly ctx: EacServerContext,
    private readonly sessions: SessionService,
    private readonly events: ConversationEvents,
  ) {}

  /** Handles one message of the eID-Client for `session`; returns the reply. */
  async handle(session: AuthSession, env: Envelope): Promise<string> {
    const ids: ReplyIds = {
      messageId: newMessageId(),
      ...(env.messageId ? { relatesTo: env.messageId } : {}),
    };
    const t0 = process.hrtime.bigint();
    const step = STEP_OF_STATE[session.state];
    try {
      const r = await this.step(session, env, ids);
      if ('end' in r) return r.reply;
      const written = await this.sessions.advance(session, {
        ...session,
        state: r.state,
        paos: r.paos as unknown as Record<string, unknown>,
      });
      if (!written) throw protocolError('the session changed concurrently');
      this.events.step(written, r.state);
      return r.reply;
    } catch (e) {
      return this.fail(session, e, ids);
    } finally {
      if (step) this.events.timed?.(step, Number(process.hrtime.bigint() - t0) / 1e9);
    }
  }

  private async step(session: AuthSession, env: Envelope, ids: ReplyIds): Promise<StepResult> {
    const paos = session.paos as unknown as PaosState | undefined;
    // Every message after StartPAOS answers the server's last one and must say so (Liberty PAOS v2.0
    // §5.2: a response carries wsa:RelatesTo with the MessageID of the request it answers).
    if (paos && env.relatesTo !== paos.lastMessageId)
      throw protocolError(
        env.relatesTo
          ? 'the message does not answer the last server message'
          : 'the message lacks wsa:RelatesTo naming the last server message',
      );
    const body = env.body;
    if (body.namespaceURI !== NS.iso) throw protocolError(`unexpected message ${body.localName}`);
    const expect = (states: SessionState[]) => {
      if (!states.includes(session.state))
        throw protocolError(`${body.localName} is not expected in state ${session.state}`);
    };
    switch (body.localName) {
      case 'StartPAOS': {
        expect(['created', 'tctoken-issued']);
        const r = startPaos(this.ctx, session, parseStartPaos(env), ids);
        return { reply: r.reply, state: 'eac1', paos: r.paos };
      }
      case 'DIDAuthenticateResponse': {
        expect(['eac1', 'eac2']);
        const m = parseDidAuthenticateResponse(env);
        this.checkClientResult(m.result);
        if (!m.data) throw protocolError('DIDAuthenticateResponse without AuthenticationProtocolData');
        if (session.state === 'eac1') {
          if (m.step !== 'EAC1OutputType') throw protocolError(`expected EAC1OutputType, got ${m.step}`);
          const r = eac1Response(
            this.ctx,
            session,
            parseEac1Output(m.data),
            { slotHandle: paos!.slotHandle },
            ids,
          );
          return { reply: r.reply, state: 'eac2', paos: r.paos };
        }
        if (m.step !== 'EAC2OutputType') throw protocolError(`expected EAC2OutputType, got ${m.step}`);
        const r = eac2Response(this.ctx, session, parseEac2Output(m.data), ids);
        return { reply: r.reply, state: 'transmit', paos: r.paos };
      }
      case 'TransmitResponse': {
        expect(['transmit']);
        const m = parseTransmitResponse(env);
        this.checkClientResult(m.result);
        const r = transmitResponse(this.ctx, session, m, ids);
        if (r.kind === 'continue') return { reply: r.reply, state: 'transmit', paos: r.paos };
        const s = await this.sessions.complete(session.id, r.result);
        if (!s) throw protocolError('the session ended meanwhile');
        this.events.completed(s);
        return { end: 'completed', reply: buildStartPaosResponse(OK, ids) };
      }
      default:
        throw protocolError(`unexpected message ${body.localName}`);
    }
  }

  /**
   * A message on the session's own channel that cannot be read at all (not well-formed, over a
   * limit): the session ends as a protocol error, answered with StartPAOSResponse.
   */
  reject(session: AuthSession, reason: string, relatesTo?: string): Promise<string> {
    return this.fail(session, protocolError(reason), {
      messageId: newMessageId(),
      ...(relatesTo ? { relatesTo } : {}),
    });
  }

  /** An error the eID-Client reports in its answer ends the conversation (TR-03112-7 §2.6). */
  private checkClientResult(r: EcardResult): void {
    if (isOk(r)) return;
    const minor = r.minor || undefined;
    const reason = `the eID-Client reported ${minor ?? r.major}${r.message ? `: ${r.message.slice(0, 200)}` : ''}`;
    throw new EacServerError(clientFailure(minor, reason));
  }

  private async fail(session: AuthSession, e: unknown, ids: ReplyIds): Promise<string> {
    // The session store is down: nothing can be recorded; the endpoint answers common#internalError.
    if (e instanceof UnavailableError) throw e;
    let err: EacServerError;
    if (e instanceof EacServerError) err = e;
    else if (e instanceof XmlError) err = protocolError(`malformed PAOS message: ${e.message}`);
    else {
      this.events.error(session, e as Error);
      err = new EacServerError({ code: 'internal-error', reason: 'internal error' });
    }
    const s = await this.sessions.fail(session.id, err.failure);
    this.events.failed(s ?? session, err.failure, err.resultMinor);
    const result: EcardResult = err.resultMinor
      ? { major: RESULT_MAJOR.error, minor: err.resultMinor, message: err.failure.reason }
      : OK;
    return buildStartPaosResponse(result, ids);
  }
}
