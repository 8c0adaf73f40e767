/**
 * The virtual New eID card: a chip simulator behind the CardTransport
 * interface (raw command APDU in, raw response APDU out).
 *
 *   const card = VirtualCard.fromFile('card.json', { persist: true });
 *   const atr = card.reset();
 *   const response = await card.transmit(Buffer.from('00A4020C02011C', 'hex'));
 *
 * The persistent state (PIN, retry counters, current date, trust points) is
 * reported after every command that changed it; `fromFile({ persist: true })`
 * writes it back atomically (temporary file + rename).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CardTransport } from '../apdu/transport.js';
import { atr } from './atr.js';
import { type CardData, type CardFileJson, parseCardFile, serializeCardFile } from './card-file.js';
import { type CardHooks, type CommandContext, cardConfig } from './context.js';
import { dispatch, type ErrorLogger } from './dispatcher.js';
import { CardFileError } from './errors.js';
import { buildFileSystem } from './file-system.js';
import { type CardRng, systemRng } from './rng.js';
import { newSession } from './session.js';
import { CardState } from './state.js';

export interface VirtualCardOptions {
  /** Random source (tests inject a deterministic one). */
  readonly rng?: CardRng;
  /** Test hooks (e.g. a fixed PACE password key). */
  readonly hooks?: CardHooks;
  /** Where unexpected internal errors (answered 6F00) are reported; default: stderr under vitest, else silent. */
  readonly onError?: ErrorLogger;
  /** Called with the whole card file after every command that changed the persistent state. */
  readonly onStateChange?: (json: CardFileJson) => void;
}

const defaultLogger: ErrorLogger = (message, error) => {
  if (process.env['VITEST']) console.error(`[virtual card] ${message}:`, error);
};

/** Writes `json` to `path` atomically: a temporary file in the same directory, then rename. */
export function writeCardFileAtomic(path: string, json: CardFileJson): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(json, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

export class VirtualCard implements CardTransport {
  private readonly ctx: CommandContext;
  private readonly log: ErrorLogger;

  private constructor(
    private readonly data: CardData,
    private readonly opts: VirtualCardOptions,
  ) {
    const fs = buildFileSystem(data);
    const state = new CardState(
      data.passwords.pin,
      data.passwords.can,
      data.passwords.userCode,
      data.retryCounters.pin,
      data.retryCounters.userCode,
      data.currentDate,
      [...data.trustPoints].sort((a, b) => (a.effectiveDate < b.effectiveDate ? 1 : -1)),
    );
    this.ctx = {
      config: cardConfig(data),
      fs,
      state,
      session: newSession(fs.mf),
      rng: opts.rng ?? systemRng,
      hooks: opts.hooks ?? {},
      transportNe: 0,
    };
    this.log = opts.onError ?? defaultLogger;
  }

  /** Loads a card from its card file (object or JSON text); throws CardFileError. */
  static fromJson(json: unknown, opts: VirtualCardOptions = {}): VirtualCard {
    return new VirtualCard(parseCardFile(json), opts);
  }

  /** Loads a card file; with `persist`, state changes are written back to it. */
  static fromFile(path: string, opts: VirtualCardOptions & { persist?: boolean } = {}): VirtualCard {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new CardFileError(`cannot read ${path}: ${(e as Error).message}`);
    }
    const { persist, ...rest } = opts;
    const onStateChange = persist
      ? (json: CardFileJson) => {
          writeCardFileAtomic(path, json);
          opts.onStateChange?.(json);
        }
      : opts.onStateChange;
    return VirtualCard.fromJson(text, { ...rest, ...(onStateChange ? { onStateChange } : {}) });
  }

  /** The serial number (the CAN is derived from it). */
  get serialNumber(): string {
    return this.data.serialNumber;
  }

  /** Processes one command APDU. Never rejects: every failure is a status word. */
  async transmit(apdu: Buffer): Promise<Buffer> {
    return this.transmitSync(apdu);
  }

  transmitSync(apdu: Buffer): Buffer {
    const response = dispatch(Buffer.from(apdu), this.ctx, this.log);
    if (this.ctx.state.takeChanged()) {
      try {
        this.opts.onStateChange?.(this.toJson());
      } catch (e) {
        this.log('persisting the card state failed', e);
      }
    }
    return response;
  }

  /** Warm or cold reset: the session ends, the MF is selected. Returns the ATR. */
  reset(): Buffer {
    this.ctx.session.sm?.close();
    this.ctx.session = newSession(this.ctx.fs.mf);
    return atr();
  }

  /** Power off: the session and every temporarily imported key are gone. */
  powerOff(): void {
    this.reset();
  }

  get atr(): Buffer {
    return atr();
  }

  /** The card file with the current persistent state. */
  toJson(): CardFileJson {
    const s = this.ctx.state;
    return serializeCardFile({
      ...this.data,
      passwords: { pin: s.pin, can: s.can, userCode: s.userCode },
      retryCounters: { pin: s.pinRc, userCode: s.pukRc },
      currentDate: s.currentDate,
      trustPoints: [...s.trustPoints],
    });
  }
}
