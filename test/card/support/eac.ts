/** Runs the General Authentication Procedure (PACE → TA → CA) of TR-03110-2 §2.3.5 against a card. */
import type { KeyObject } from 'node:crypto';
import type { Chat } from '../../../src/pki/cvc/chat.js';
import type { IssuedCv } from '../../../src/pki/cvc/issue.js';
import type { PaceResult, PasswordName, TaResult, TestTerminal } from './terminal.js';

export interface EacOptions {
  readonly password?: PasswordName;
  readonly secret?: string;
  readonly chat: Chat;
  readonly chain: readonly Buffer[];
  readonly terminalKey: KeyObject;
  readonly aux?: Buffer;
  readonly skipCa?: boolean;
}

export interface EacResult {
  readonly pace: PaceResult;
  readonly ta?: TaResult;
  readonly ca?: { sw: number; ok: boolean };
}

export async function eac(t: TestTerminal, o: EacOptions): Promise<EacResult> {
  const password = o.password ?? 'pin';
  const secret = o.secret ?? (password === 'pin' ? '123456' : password === 'can' ? '456789' : 'A1B2C3D4');
  const pace = await t.pace({ password, secret, chat: o.chat });
  if (!pace.ok) return { pace };
  const ta = await t.ta({ chain: o.chain, terminalKey: o.terminalKey, ...(o.aux ? { aux: o.aux } : {}) });
  if (ta.sw !== 0x9000 || o.skipCa) return { pace, ta };
  const ca = await t.ca(ta.ephemeral);
  return { pace, ta, ca };
}

export const chainOf = (dv: IssuedCv, terminal: IssuedCv): Buffer[] => [dv.cert.raw, terminal.cert.raw];
