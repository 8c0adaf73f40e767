/**
 * One login of `neid-client serve`: the online authentication runs in the
 * background and asks the citizen through prompts (consent and PIN1, then the
 * PIN dialogue and the card prompt of pin-dialogue.ts). The page shows the
 * current prompt; a form answers it. A prompt nobody answers within
 * PROMPT_TIMEOUT_MS ends the login with a timeout; a newer login supersedes a
 * waiting one (the citizen started again), which ends as cancelled. Either
 * way the server hears an outcome and the citizen is sent back.
 */
import { randomBytes } from 'node:crypto';
import { CardSlot, type OpenedCard } from './card-source.js';
import type { ConsentDecision, ConsentRequest } from './consent.js';
import { EacClient } from './eac-client.js';
import { ClientError, ended } from './errors.js';
import { type OnlineAuthenticationOutcome, runOnlineAuthentication } from './paos-client.js';
import type { PinAnswer, PinPrompt } from './pin-dialogue.js';

export const PROMPT_TIMEOUT_MS = 10 * 60_000;

export type Prompt = { readonly kind: 'consent'; readonly request: ConsentRequest } | PinPrompt;

type Answer = ConsentDecision | PinAnswer;

interface Pending {
  readonly seq: number;
  readonly prompt: Prompt;
  readonly answer: (a: Answer) => void;
}

/** Card access one login at a time: the next login's card waits until the previous login ended. */
export class CardLock {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((r) => {
      release = r;
    });
    const before = this.tail;
    this.tail = before.then(() => mine);
    return before.then(() => release);
  }
}

export class Job {
  readonly id = randomBytes(16).toString('hex');
  readonly created = Date.now();
  private seq = 0;
  private current?: Pending;
  outcome?: OnlineAuthenticationOutcome;
  /** A form answer that could not be taken (e.g. the new PINs differ), shown with the prompt. */
  formError?: { readonly zh: string; readonly en: string };
  readonly done: Promise<void>;

  constructor(tcTokenUrl: string, openCard: () => Promise<OpenedCard>, lock: CardLock) {
    this.done = this.run(tcTokenUrl, openCard, lock);
  }

  get pending(): Pending | undefined {
    return this.current;
  }

  get finished(): boolean {
    return this.outcome !== undefined;
  }

  /** The citizen's answer to prompt `seq`; false when that prompt is no longer open. */
  answer(seq: number, a: Answer): boolean {
    const p = this.current;
    if (!p || p.seq !== seq) return false;
    this.current = undefined;
    this.formError = undefined;
    p.answer(a);
    return true;
  }

  /** Ends a login that waits for the citizen (superseded by a newer one). */
  supersede(): void {
    const p = this.current;
    if (!p) return;
    this.answer(
      p.seq,
      p.prompt.kind === 'consent' ? { accept: false, deselect: [], pin: '' } : { cancel: true },
    );
  }

  private ask<A extends Answer>(prompt: Prompt): Promise<A> {
    return new Promise<A>((resolve, reject) => {
      const seq = ++this.seq;
      const timer = setTimeout(() => {
        if (this.current?.seq !== seq) return;
        this.current = undefined;
        reject(ended.timeout('the citizen did not answer the eID-Client in time'));
      }, PROMPT_TIMEOUT_MS);
      timer.unref();
      this.current = {
        seq,
        prompt,
        answer: (a) => {
          clearTimeout(timer);
          resolve(a as A);
        },
      };
    });
  }

  private async run(tcTokenUrl: string, openCard: () => Promise<OpenedCard>, lock: CardLock): Promise<void> {
    const slot = new CardSlot(openCard);
    let release: (() => void) | undefined;
    try {
      const eac = new EacClient({
        card: slot,
        consent: (request) => this.ask<ConsentDecision>({ kind: 'consent', request }),
        insertCard: async () => {
          release ??= await lock.acquire();
          await slot.insert();
        },
        dialogue: (prompt) => this.ask<PinAnswer>(prompt),
      });
      this.outcome = await runOnlineAuthentication(tcTokenUrl, eac);
    } catch (e) {
      // runOnlineAuthentication reports every failure in its outcome; this is a defect of the client.
      const err = e instanceof ClientError ? e : new ClientError('clientError', (e as Error).message);
      this.outcome = { ok: false, error: err };
    } finally {
      this.current = undefined;
      await slot.close();
      release?.();
    }
  }
}
