/**
 * The persistent state of the chip (what a real card keeps in EEPROM across
 * power cycles): passwords, retry counters (TR-03110-2 §2.2.3), the current
 * date and the trust points (TR-03110-3 §2.5, §2.6). Every mutation marks the
 * state dirty so the owner can persist it after the command.
 */
import type { CvCertificate } from '../pki/cvc/certificate.js';
import { PIN_MAX_RETRIES, USER_CODE_MAX_RETRIES } from './card-file.js';

export type Password = 'can' | 'pin' | 'puk';

export class CardState {
  private changed = false;

  constructor(
    private _pin: string,
    readonly can: string,
    readonly userCode: string,
    private _pinRc: number,
    private _pukRc: number,
    private _currentDate: string,
    private _trustPoints: CvCertificate[],
  ) {}

  get pin(): string {
    return this._pin;
  }
  get pinRc(): number {
    return this._pinRc;
  }
  get pukRc(): number {
    return this._pukRc;
  }
  get currentDate(): string {
    return this._currentDate;
  }
  /** Enabled trust points, most recent effective date first. */
  get trustPoints(): readonly CvCertificate[] {
    return this._trustPoints;
  }

  /** True once after a change; the card persists and clears it. */
  takeChanged(): boolean {
    const c = this.changed;
    this.changed = false;
    return c;
  }

  secret(p: Password): string {
    return p === 'pin' ? this._pin : p === 'can' ? this.can : this.userCode;
  }

  retryCounter(p: Password): number | undefined {
    return p === 'pin' ? this._pinRc : p === 'puk' ? this._pukRc : undefined;
  }

  static maxRetries(p: Password): number | undefined {
    return p === 'pin' ? PIN_MAX_RETRIES : p === 'puk' ? USER_CODE_MAX_RETRIES : undefined;
  }

  /** A failed verification: the counter decreases (never below zero). Returns the new value. */
  decrement(p: Password): number {
    if (p === 'pin') this._pinRc = Math.max(0, this._pinRc - 1);
    else if (p === 'puk') this._pukRc = Math.max(0, this._pukRc - 1);
    this.changed = true;
    return this.retryCounter(p) ?? 0;
  }

  /** A successful verification or an unblock: the counter returns to its initial value. */
  resetCounter(p: Password): void {
    const max = CardState.maxRetries(p);
    if (max === undefined || this.retryCounter(p) === max) return;
    if (p === 'pin') this._pinRc = max;
    else this._pukRc = max;
    this.changed = true;
  }

  setPin(pin: string): void {
    this._pin = pin;
    this.changed = true;
  }

  /** Advances the current date (never backwards). */
  advanceDate(to: string): void {
    if (to > this._currentDate) {
      this._currentDate = to;
      this.changed = true;
    }
  }

  /**
   * Enables a new trust point (TR-03110-3 §2.5.1 steps 2-3): at most two stay
   * enabled, the one with the least recent effective date is dropped.
   */
  addTrustPoint(cert: CvCertificate): void {
    const list = [cert, ...this._trustPoints.filter((t) => t.chr !== cert.chr)];
    list.sort((a, b) => (a.effectiveDate < b.effectiveDate ? 1 : a.effectiveDate > b.effectiveDate ? -1 : 0));
    this._trustPoints = list.slice(0, 2);
    this.changed = true;
  }
}
