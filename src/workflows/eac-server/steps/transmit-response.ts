/**
 * TransmitResponse → next Transmit, or the end (TR-03112-7 §3.6.4.4). Every
 * response MAC is verified (SmBatch); a wrong or missing MAC ends the
 * conversation with nothing released.
 */
import { EacError } from '../../../eac/errors.js';
import { isReadComplete } from '../../../eac/read.js';
import { SmBatch } from '../../../eac/sm-batch.js';
import { buildTransmit, type TransmitResponse } from '../../../paos/messages/transmit.js';
import type { AuthResult, AuthSession } from '../../session/types.js';
import { applyOps, continueReads, type OpOutcomes } from '../batch.js';
import type { EacServerContext } from '../context.js';
import { NO_METER } from '../meter.js';
import type { PaosState } from '../state.js';
import { channelError, notAuthentic, paosOf, protocolError, type ReplyIds } from './common.js';
import { finish } from './finish.js';

export type TransmitOutcome =
  | { kind: 'continue'; reply: string; paos: PaosState }
  | { kind: 'done'; result: AuthResult };

export function transmitResponse(
  ctx: EacServerContext,
  session: AuthSession,
  msg: TransmitResponse,
  ids: ReplyIds,
): TransmitOutcome {
  const paos = paosOf(session);
  if (!paos.sm || !paos.batchCommands || !paos.read)
    throw protocolError('TransmitResponse without a batch in flight');
  const meter = ctx.meter ?? NO_METER;
  const batch = new SmBatch({ enc: Buffer.from(paos.sm.enc), mac: Buffer.from(paos.sm.mac) }, paos.sm.ssc);
  let responses: ReturnType<SmBatch['unwrap']>;
  try {
    responses = meter.time('secure-messaging', () => {
      // Protection is deterministic (IV = E(KSenc, SSC)): re-wrapping restores the batch's counters.
      batch.wrap(paos.batchCommands!);
      return batch.unwrap(msg.responses);
    });
  } catch (e) {
    if (e instanceof EacError) throw channelError(`secure messaging: ${e.message}`);
    throw e;
  }
  if (responses.length !== paos.batchCommands.length) {
    throw protocolError(`${responses.length} answers to ${paos.batchCommands.length} commands`);
  }
  const ops = paos.batchOps ?? [];
  const outcomes: OpOutcomes = { ...(paos.outcomes ?? {}) };
  let next: ReturnType<typeof continueReads>;
  try {
    applyOps(ops, responses.slice(0, ops.length), outcomes);
    next = continueReads(paos.read, responses.slice(ops.length));
  } catch (e) {
    if (e instanceof EacError) throw notAuthentic(`card answer: ${e.message}`);
    throw e;
  }
  if (!isReadComplete(next.state)) {
    const ssc = batch.counter;
    const apdus = meter.time('secure-messaging', () =>
      new SmBatch({ enc: Buffer.from(paos.sm!.enc), mac: Buffer.from(paos.sm!.mac) }, ssc).wrap(
        next.commands,
      ),
    );
    return {
      kind: 'continue',
      reply: buildTransmit({ slotHandle: paos.slotHandle, apdus: apdus.map((apdu) => ({ apdu })) }, ids),
      paos: {
        ...paos,
        lastMessageId: ids.messageId,
        sm: { ...paos.sm, ssc },
        batchCommands: next.commands,
        batchOps: [],
        read: next.stored,
        outcomes,
      },
    };
  }
  return { kind: 'done', result: finish(ctx, session, paos, outcomes, next.state.results) };
}
