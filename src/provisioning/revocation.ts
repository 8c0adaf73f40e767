/**
 * Per-eService blacklists from the signed card revocation list, derived once
 * at load (one EC multiplication per revoked card and sector) and reloaded
 * when the file changes. A list that is not current fails closed: every
 * authentication then ends as invalidDocument until a current list arrives.
 */
import { readFileSync, statSync } from 'node:fs';
import { sectorBlacklist, verifyCardRevocationList } from '../pki/revocation/card-revocation-list.js';
import type { PkiMaterial } from './store.js';

/** The logger calls this needs (pino's Logger fits). */
export interface RevocationLog {
  info(o: object, m: string): void;
  error(o: object, m: string): void;
}

export class RevocationLists {
  private lists = new Map<string, ReadonlySet<string>>();
  private mtime = 0;
  private current = false;
  private dates?: { readonly thisUpdate: Date; readonly nextUpdate: Date };
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly pki: PkiMaterial,
    private readonly file: string,
    private readonly log: RevocationLog,
  ) {
    this.reload();
  }

  /** Reloads the list if it changed on disk; keeps the old one when the new one is invalid. */
  reload(): void {
    let mtime: number;
    try {
      mtime = statSync(this.file).mtimeMs;
    } catch (e) {
      this.log.error({ file: this.file, err: (e as Error).message }, 'card revocation list missing');
      this.current = false;
      return;
    }
    if (mtime === this.mtime && this.current) {
      // The same file past its nextUpdate: no longer current (fail closed) until a new list arrives.
      if (!this.isCurrent) {
        this.current = false;
        this.log.error(
          { nextUpdate: this.dates?.nextUpdate.toISOString() },
          'card revocation list is past its nextUpdate; authentications fail closed',
        );
      }
      return;
    }
    try {
      const list = verifyCardRevocationList(readFileSync(this.file), this.pki.cscaCerts);
      const lists = new Map<string, ReadonlySet<string>>();
      for (const [id, t] of this.pki.terminals) lists.set(id, sectorBlacklist(list, t.sectorKey));
      this.lists = lists;
      this.dates = { thisUpdate: list.thisUpdate, nextUpdate: list.nextUpdate };
      this.mtime = mtime;
      this.current = true;
      this.log.info(
        { revoked: list.revoked.length, nextUpdate: list.nextUpdate.toISOString() },
        'card revocation list loaded',
      );
    } catch (e) {
      this.current = false;
      this.log.error(
        { err: (e as Error).message },
        'card revocation list rejected; authentications fail closed',
      );
    }
  }

  /** Derives the blacklists again now (the set of terminals and their sectors changed). */
  refresh(): void {
    this.mtime = 0;
    this.reload();
  }

  watch(intervalMs = 30_000): void {
    this.timer = setInterval(() => this.reload(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  get isCurrent(): boolean {
    return this.current && (!this.dates || Date.now() <= this.dates.nextUpdate.getTime());
  }

  /** thisUpdate and nextUpdate of the last list loaded (metrics, the start-up summary). */
  get updates(): { readonly thisUpdate: Date; readonly nextUpdate: Date } | undefined {
    return this.dates;
  }

  /** The blacklist of an eService's sector; undefined when no current list is available. */
  blacklist(eServiceId: string): ReadonlySet<string> | undefined {
    return this.isCurrent ? (this.lists.get(eServiceId) ?? new Set()) : undefined;
  }
}
