/**
 * The AusweisApp2 SDK conversation over its WebSocket (AusweisApp2 1.26.2
 * docs/sdk/commands.rst, messages.rst, workflow.rst), driving an online
 * authentication with the Simulator card:
 *
 *   SET_API_LEVEL 2 → RUN_AUTH tcTokenURL → ACCESS_RIGHTS → ACCEPT
 *   → INSERT_CARD → SET_CARD Simulator {files} → ENTER_PIN → SET_PIN (the
 *   Simulator reader has a "keypad": no value) → … → AUTH {result, url}
 */
import WebSocket from 'ws';
import type { SimulatorFile } from '../../../src/card/simulator-files.js';
import { startAusweisApp } from './app.js';

export interface SdkMessage {
  readonly msg: string;
  readonly [k: string]: unknown;
}

export interface AuthMessage extends SdkMessage {
  readonly result?: {
    major?: string;
    minor?: string;
    message?: string;
    description?: string;
    reason?: string;
    language?: string;
  };
  readonly url?: string;
}

/** One WebSocket connection to the SDK: commands out, messages queued in. */
export class SdkConnection {
  readonly transcript: SdkMessage[] = [];
  private readonly queue: SdkMessage[] = [];
  private waiter: ((m: SdkMessage | Error) => void) | undefined;
  private closed: Error | undefined;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      let m: SdkMessage;
      try {
        m = JSON.parse(data.toString()) as SdkMessage;
      } catch {
        m = { msg: '(unparsable)', raw: data.toString() };
      }
      this.transcript.push(m);
      this.deliver(m);
    });
    ws.on('close', () => this.deliver(new Error('the SDK WebSocket closed')));
    ws.on('error', (e) => this.deliver(e));
  }

  static open(url: string): Promise<SdkConnection> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve(new SdkConnection(ws)));
      ws.once('error', reject);
    });
  }

  private deliver(m: SdkMessage | Error): void {
    if (m instanceof Error) this.closed ??= m;
    const w = this.waiter;
    this.waiter = undefined;
    if (w) w(m);
    else if (!(m instanceof Error)) this.queue.push(m);
  }

  send(cmd: Record<string, unknown>): void {
    this.transcript.push({ msg: `> ${String(cmd['cmd'])}` });
    this.ws.send(JSON.stringify(cmd));
  }

  /** The next message, or an error after `timeoutMs`. */
  next(timeoutMs: number): Promise<SdkMessage> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.closed) return Promise.reject(this.closed);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no SDK message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = (m) => {
        clearTimeout(t);
        if (m instanceof Error) reject(m);
        else resolve(m);
      };
    });
  }

  close(): void {
    this.ws.close();
  }
}

export interface SimulatorAuthOptions<S extends { readonly tcTokenUrl: string }> {
  /** Creates the eService session of one attempt (a failed attempt has used up its TC Token). */
  readonly start: () => Promise<S>;
  readonly files: readonly SimulatorFile[];
  /** Optional rights to switch off before ACCEPT (SET_ACCESS_RIGHTS takes the optional rights to keep). */
  readonly deselect?: readonly string[];
  /** Per-message timeout (default 30 s). */
  readonly timeoutMs?: number;
  /** Attempts, each in a fresh process, after an error nobody asked for (the app's card race) or no answer (default 2). */
  readonly attempts?: number;
  /** The citizen reads the access rights this long before accepting (ms). */
  readonly consentDelayMs?: number;
  /** The citizen cancels instead of accepting the access rights, or instead of entering the PIN. */
  readonly cancelAt?: 'access-rights' | 'pin';
}

export interface SimulatorAuthOutcome<S> {
  /** The final AUTH message (result, url = RefreshAddress with ResultMajor). */
  readonly auth: AuthMessage;
  readonly accessRights?: SdkMessage;
  /** The session of the last attempt. */
  readonly session: S;
  /** Attempts that hit the card race or a process that stopped answering, with their sessions. */
  readonly retried: readonly { readonly session: S; readonly auth: AuthMessage }[];
  /** The SDK messages of every attempt. */
  readonly transcript: readonly SdkMessage[];
  /** AusweisApp2's output in the last attempt. */
  readonly log: string;
}

/**
 * AusweisApp2 1.26.2 race: the Simulator card is sometimes still "connected"
 * when the workflow opens its card connection (card/base/Reader.cpp:157
 * "Card is already connected"); the workflow then fails after EAC1 and
 * reports an error to the server. On a loaded machine a process that hit it
 * tends to hit it again, so each attempt runs in a fresh process.
 */
export const CARD_ALREADY_CONNECTED = /Card is already connected/;
const NO_ANSWER = /^no SDK message within/;

/**
 * Runs one authentication with the Simulator card in a fresh AusweisApp2
 * process; resolves with the final AUTH message and the process's log.
 */
export async function authenticateWithSimulator<S extends { readonly tcTokenUrl: string }>(
  o: SimulatorAuthOptions<S>,
): Promise<SimulatorAuthOutcome<S>> {
  const timeout = o.timeoutMs ?? 30_000;
  const maxAttempts = o.attempts ?? 2;
  const retried: { session: S; auth: AuthMessage }[] = [];
  const transcript: SdkMessage[] = [];
  for (let attempt = 1; ; attempt++) {
    const app = await startAusweisApp();
    try {
      const sdk = await SdkConnection.open(app.sdkUrl);
      try {
        sdk.send({ cmd: 'SET_API_LEVEL', level: 2 });
        const session = await o.start();
        let r: Awaited<ReturnType<typeof runOnce>>;
        try {
          r = await runOnce(sdk, session.tcTokenUrl, o, timeout);
        } catch (e) {
          // A process that stopped answering (seen once in a loaded run): the next attempt gets a fresh one.
          if (attempt >= maxAttempts || !NO_ANSWER.test((e as Error).message)) throw e;
          transcript.push(...sdk.transcript);
          retried.push({ session, auth: { msg: 'AUTH', result: { message: (e as Error).message } } });
          continue;
        }
        transcript.push(...sdk.transcript);
        const log = app.log();
        if (
          attempt < maxAttempts &&
          r.auth.result?.major?.endsWith('#error') &&
          // In a loaded run the race has also ended workflows after the PIN, without its log line: any
          // error nobody asked for is retried (an error a test expects comes back the same each time).
          (!o.cancelAt || CARD_ALREADY_CONNECTED.test(log))
        ) {
          retried.push({ session, auth: r.auth });
          continue;
        }
        return { ...r, session, retried, transcript, log };
      } finally {
        sdk.close();
      }
    } finally {
      await app.stop();
    }
  }
}

async function runOnce(
  sdk: SdkConnection,
  tcTokenUrl: string,
  o: Pick<SimulatorAuthOptions<{ tcTokenUrl: string }>, 'files' | 'deselect' | 'consentDelayMs' | 'cancelAt'>,
  timeout: number,
): Promise<{ auth: AuthMessage; accessRights?: SdkMessage }> {
  sdk.send({ cmd: 'RUN_AUTH', tcTokenURL: tcTokenUrl, developerMode: false });
  let accessRights: SdkMessage | undefined;
  let pinAsked = 0;
  let deselected = false;
  let cardSet = false;
  for (;;) {
    const m = await sdk.next(timeout);
    switch (m.msg) {
      case 'ACCESS_RIGHTS': {
        accessRights = m;
        const chat = (m['chat'] ?? {}) as { optional?: string[] };
        if (o.cancelAt === 'access-rights') {
          sdk.send({ cmd: 'CANCEL' });
          break;
        }
        if (o.consentDelayMs && !deselected) await new Promise((r) => setTimeout(r, o.consentDelayMs));
        if (o.deselect?.length && !deselected) {
          deselected = true;
          sdk.send({
            cmd: 'SET_ACCESS_RIGHTS',
            chat: (chat.optional ?? []).filter((r) => !o.deselect!.includes(r)),
          });
        } else {
          sdk.send({ cmd: 'ACCEPT' });
        }
        break;
      }
      case 'INSERT_CARD':
        if (!cardSet) {
          cardSet = true;
          sdk.send({ cmd: 'SET_CARD', name: 'Simulator', simulator: { files: o.files } });
        }
        break;
      case 'ENTER_PIN':
        if (o.cancelAt === 'pin') {
          sdk.send({ cmd: 'CANCEL' });
          break;
        }
        if (++pinAsked > 1) {
          sdk.send({ cmd: 'CANCEL' });
          throw new Error('AusweisApp2 asked for the PIN twice');
        }
        sdk.send({ cmd: 'SET_PIN' });
        break;
      case 'ENTER_CAN':
      case 'ENTER_PUK':
      case 'ENTER_NEW_PIN':
        sdk.send({ cmd: 'CANCEL' });
        throw new Error(`unexpected SDK message ${m.msg}`);
      case 'BAD_STATE':
      case 'INVALID':
      case 'UNKNOWN_COMMAND':
      case 'INTERNAL_ERROR':
        throw new Error(`AusweisApp2 SDK: ${JSON.stringify(m)}`);
      case 'AUTH': {
        const a = m as AuthMessage;
        if (a.result) return { auth: a, ...(accessRights ? { accessRights } : {}) };
        break; // the workflow started
      }
      default:
        // API_LEVEL, READER, INFO, STATUS, CERTIFICATE: informational.
        break;
    }
  }
}
