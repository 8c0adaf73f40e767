/**
 * PIN entry as a card-reader application runs it (TR-03124-1 §3.8; TR-03112-7
 * §3.6.4.1 PACE: "if the password entry fails, this MUST be duly displayed
 * to the user … so that the user MAY re-enter the password and, if
 * necessary, reset the retry counter … or cancel"):
 *
 * - a wrong PIN1 is shown with the attempts left and entered again;
 * - a suspended PIN1 (retry counter 1) asks for the CAN: PACE with the CAN,
 *   then PACE with PIN1 inside that channel (TR-03110-2 §3.2.2);
 * - a blocked PIN1 asks for the user code (用戶代碼, the PUK of this profile)
 *   and a new PIN1: PACE with the user code, RESET RETRY COUNTER with the new
 *   PIN (00 2C 02 03), then PACE with the new PIN1 in that channel
 *   (docs/chip-profile.md §8; seed 004 第陸章 壹.四.(二));
 * - a blocked user code ends the login: only a household registration office
 *   (戶政事務所) can help.
 *
 * Without a dialogue (`neid-client auth`) the first failure is final. The
 * server hears only the final outcome (errors.ts `ended`).
 */
import type { CardTransport } from '../apdu/transport.js';
import { choosePace, decodeCardAccess } from '../eac/card-access.js';
import { SmChannel, transmitPlain } from '../eac/channel.js';
import { EacError } from '../eac/errors.js';
import { readCardAccess } from '../eac/files.js';
import { mseSetAtPace, type PaceResult, pace } from '../eac/pace.js';
import { setNewPin } from '../eac/pin-management.js';
import { selectMasterFile } from '../eac/read-commands.js';
import type { Chat } from '../pki/cvc/chat.js';
import { ClientError, ended } from './errors.js';

/** What the citizen is asked after a failed attempt. */
export type PinPrompt =
  /** PIN1 was wrong: enter it again (`retriesLeft` attempts before it is suspended or blocked). */
  | { readonly kind: 'pin'; readonly retriesLeft?: number }
  /** PIN1 is suspended: the CAN (printed on the card) and PIN1; `wrongCan` after a wrong CAN. */
  | { readonly kind: 'can'; readonly wrongCan?: boolean }
  /** PIN1 is blocked: the user code and a new PIN1; `retriesLeft` of the user code after a wrong one. */
  | { readonly kind: 'unblock'; readonly wrongUserCode?: boolean; readonly retriesLeft?: number }
  /** No card (or it could not be read): insert it and try again, or give up. */
  | { readonly kind: 'card'; readonly reason: string };

export interface PinAnswer {
  readonly cancel?: boolean;
  readonly pin?: string;
  readonly can?: string;
  readonly userCode?: string;
  readonly newPin?: string;
}

export type PinUi = (prompt: PinPrompt) => Promise<PinAnswer>;

/** The passwords of the next attempt. */
type Attempt =
  | { readonly kind: 'pin'; readonly pin: string }
  | { readonly kind: 'can'; readonly can: string; readonly pin: string }
  | { readonly kind: 'unblock'; readonly userCode: string; readonly newPin: string };

/** Which password of an attempt the card refused. */
type Step = 'pin' | 'can' | 'puk';

class StepError extends Error {
  constructor(
    readonly step: Step,
    readonly failure: unknown,
  ) {
    super(failure instanceof Error ? failure.message : String(failure));
  }
}

const at = <T>(step: Step, p: Promise<T>): Promise<T> =>
  p.catch((e) => {
    throw new StepError(step, e);
  });

/** Ends a secure-messaging session of an earlier attempt: a plain command closes it (TR-03110-3 F.1). */
async function endSession(card: CardTransport): Promise<void> {
  await transmitPlain(card, selectMasterFile()).catch(() => undefined);
}

async function run(card: CardTransport, cardAccess: Buffer, chat: Chat, a: Attempt): Promise<PaceResult> {
  const pin = (password: string, channel?: SmChannel) =>
    at(
      'pin',
      pace(card, { password, passwordRef: 'pin', chat, cardAccess, ...(channel ? { channel } : {}) }),
    );
  if (a.kind === 'pin') return pin(a.pin);
  if (a.kind === 'can') {
    const c = await at('can', pace(card, { password: a.can, passwordRef: 'can', cardAccess }));
    return pin(a.pin, new SmChannel(card, c.sm));
  }
  const u = await at('puk', pace(card, { password: a.userCode, passwordRef: 'puk', cardAccess }));
  const channel = new SmChannel(card, u.sm);
  await at('puk', setNewPin(channel, a.newPin));
  return pin(a.newPin, channel);
}

/** Whether the user code is blocked: MSE:Set AT with it answers 63C0 (TR-03110-3 B.14.1). */
async function userCodeBlocked(card: CardTransport, cardAccess: Buffer): Promise<boolean> {
  const { protocol, parameterId, ambiguous } = choosePace(decodeCardAccess(cardAccess));
  const r = await transmitPlain(
    card,
    mseSetAtPace({ protocol, passwordRef: 'puk', ...(ambiguous ? { parameterId } : {}) }),
  );
  return r.sw === 0x63c0 || r.sw === 0x6983;
}

const USER_CODE_BLOCKED =
  'PIN1 and the user code are blocked; a household registration office (戶政事務所) can set a new PIN';

/**
 * PACE with PIN1 for an online authentication, with the dialogue of a card
 * reader application when `ui` is given. Throws the final ClientError.
 */
export async function paceWithPin(o: {
  readonly card: CardTransport;
  readonly cardAccess: Buffer;
  readonly chat: Chat;
  readonly pin: string;
  readonly can?: string;
  readonly ui?: PinUi;
}): Promise<PaceResult> {
  let attempt: Attempt = o.can ? { kind: 'can', can: o.can, pin: o.pin } : { kind: 'pin', pin: o.pin };
  for (let round = 0; ; round++) {
    if (round > 0) await endSession(o.card);
    let prompt: PinPrompt;
    let final: ClientError;
    try {
      return await run(o.card, o.cardAccess, o.chat, attempt);
    } catch (e) {
      if (!(e instanceof StepError)) throw e;
      [prompt, final] = await judge(e, o.card, o.cardAccess);
    }
    if (!o.ui || round >= 32) throw final;
    // A cancel here tells the eService why the citizen gave up (wrong PIN, blocked), not just "cancelled".
    const answer = await o.ui(prompt);
    if (answer.cancel) throw final;
    const next = attemptOf(prompt, answer);
    if (!next) throw final;
    attempt = next;
  }
}

function attemptOf(prompt: PinPrompt, a: PinAnswer): Attempt | undefined {
  if (prompt.kind === 'pin' && a.pin) return { kind: 'pin', pin: a.pin };
  if (prompt.kind === 'can' && a.can && a.pin) return { kind: 'can', can: a.can, pin: a.pin };
  if (prompt.kind === 'unblock' && a.userCode && a.newPin)
    return { kind: 'unblock', userCode: a.userCode, newPin: a.newPin };
  return undefined;
}

/** The next question for the citizen, and the final error if they give up. */
async function judge(
  e: StepError,
  card: CardTransport,
  cardAccess: Buffer,
): Promise<[PinPrompt, ClientError]> {
  const cause = e.failure;
  if (cause instanceof ClientError) throw cause;
  if (!(cause instanceof EacError)) throw ended.noCard(`the card stopped answering: ${e.message}`);
  const left = cause.retriesLeft;
  if (e.step === 'can') {
    if (cause.code === 'wrong-password')
      return [{ kind: 'can', wrongCan: true }, ended.wrongPin('PACE with the CAN: wrong CAN')];
    throw cardFailure(cause, 'PACE with the CAN');
  }
  if (e.step === 'puk') {
    if (cause.code === 'password-blocked') throw ended.pinBlocked(USER_CODE_BLOCKED);
    if (cause.code === 'wrong-password' || cause.code === 'password-suspended')
      return [
        { kind: 'unblock', wrongUserCode: true, ...(left !== undefined ? { retriesLeft: left } : {}) },
        ended.pinBlocked(`wrong user code${left !== undefined ? ` (${left} attempt(s) left)` : ''}`),
      ];
    if (cause.code === 'invalid-argument') return [{ kind: 'unblock' }, ended.pinBlocked(cause.message)];
    throw cardFailure(cause, 'unblocking PIN1 with the user code');
  }
  switch (cause.code) {
    case 'wrong-password':
      return [
        { kind: 'pin', ...(left !== undefined ? { retriesLeft: left } : {}) },
        ended.wrongPin(`wrong PIN${left !== undefined ? ` (${left} attempt(s) left)` : ''}`),
      ];
    case 'password-suspended':
      return [{ kind: 'can' }, ended.wrongPin('PIN1 is suspended; enter the CAN to resume it')];
    case 'password-blocked':
      if (await userCodeBlocked(card, cardAccess).catch(() => false))
        throw ended.pinBlocked(USER_CODE_BLOCKED);
      return [{ kind: 'unblock' }, ended.pinBlocked('PIN1 is blocked; unblock it with the user code')];
    case 'password-deactivated':
      throw ended.pinBlocked('PIN1 is deactivated');
    default:
      throw cardFailure(cause, 'PACE with PIN1');
  }
}

/** A card that answers, but not as PACE expects. */
function cardFailure(e: EacError, step: string): ClientError {
  return new ClientError('clientError', `${step}: ${e.message}`);
}

/** Why a PIN-management step failed, in the citizen's terms. */
function managementError(e: unknown, step: 'pin' | 'can' | 'puk'): ClientError {
  if (e instanceof ClientError) return e;
  if (!(e instanceof EacError)) return ended.noCard(`the card stopped answering: ${(e as Error).message}`);
  const left = e.retriesLeft !== undefined ? ` (${e.retriesLeft} attempt(s) left)` : '';
  switch (`${step}:${e.code}`) {
    case 'puk:password-blocked':
      return ended.pinBlocked(
        'the user code is blocked; a household registration office (戶政事務所) can help',
      );
    case 'puk:wrong-password':
    case 'puk:password-suspended':
      return ended.pinBlocked(`wrong user code${left}`);
    case 'can:wrong-password':
      return ended.wrongPin('wrong CAN');
    case 'pin:wrong-password':
      return ended.wrongPin(`wrong PIN${left}`);
    case 'pin:password-suspended':
      return ended.wrongPin('PIN1 is suspended; give the CAN (--can) to resume it');
    case 'pin:password-blocked':
      return ended.pinBlocked('PIN1 is blocked; unblock it with the user code (neid-client unblock)');
    default:
      return new ClientError('clientError', e.message);
  }
}

async function cardAccessOf(card: CardTransport): Promise<Buffer> {
  return readCardAccess(card).catch((e) => {
    throw managementError(e, 'pin');
  });
}

/** Unblocks PIN1 with the user code and sets `newPin` (TR-03124-1 §3.4; docs/chip-profile.md §8). */
export async function unblockPin(card: CardTransport, userCode: string, newPin: string): Promise<void> {
  const cardAccess = await cardAccessOf(card);
  const u = await pace(card, { password: userCode, passwordRef: 'puk', cardAccess }).catch((e) => {
    throw managementError(e, 'puk');
  });
  await setNewPin(new SmChannel(card, u.sm), newPin).catch((e) => {
    throw managementError(e, 'puk');
  });
}

/** Changes PIN1 after PACE with it (resumed with the CAN when it is suspended). */
export async function changePin(
  card: CardTransport,
  o: { readonly pin: string; readonly newPin: string; readonly can?: string },
): Promise<void> {
  const cardAccess = await cardAccessOf(card);
  let channel: SmChannel | undefined;
  if (o.can) {
    const c = await pace(card, { password: o.can, passwordRef: 'can', cardAccess }).catch((e) => {
      throw managementError(e, 'can');
    });
    channel = new SmChannel(card, c.sm);
  }
  const p = await pace(card, {
    password: o.pin,
    passwordRef: 'pin',
    cardAccess,
    ...(channel ? { channel } : {}),
  }).catch((e) => {
    throw managementError(e, 'pin');
  });
  await setNewPin(new SmChannel(card, p.sm), o.newPin).catch((e) => {
    throw managementError(e, 'pin');
  });
}
