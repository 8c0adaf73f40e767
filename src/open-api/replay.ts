/**
 * Single use of challenges (docs/open-api.md §5): a verifier accepts each
 * challenge nonce once, until the challenge expires (after that its time
 * check refuses it anyway, so the entry can go). In memory for one process
 * (the library, `neid verify-public --serve`), or in a small file beside the
 * challenge key for the one-shot command line.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface ReplayGuard {
  /** Records the nonce; false when it was used before (and has not expired). */
  use(nonce: string, expiresAt: Date, now?: Date): boolean;
}

export class MemoryReplayGuard implements ReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(private readonly max = 100_000) {}

  use(nonce: string, expiresAt: Date, now = new Date()): boolean {
    if (this.seen.size >= this.max / 2) {
      for (const [k, exp] of this.seen) if (exp < now.getTime()) this.seen.delete(k);
    }
    const exp = this.seen.get(nonce);
    if (exp !== undefined && exp >= now.getTime()) return false;
    // Full of live entries: refuse rather than forget one (fail closed).
    if (this.seen.size >= this.max) return false;
    this.seen.set(nonce, expiresAt.getTime());
    return true;
  }
}

/** Lines "<nonce> <expiry ms>" in `file`, rewritten on every use without the expired ones. */
export class FileReplayGuard implements ReplayGuard {
  constructor(private readonly file: string) {}

  use(nonce: string, expiresAt: Date, now = new Date()): boolean {
    const live = existsSync(this.file)
      ? readFileSync(this.file, 'utf8')
          .split('\n')
          .map((l) => l.split(' '))
          .filter(([n, e]) => n && Number(e) >= now.getTime())
      : [];
    if (live.some(([n]) => n === nonce)) return false;
    const lines = [...live.map(([n, e]) => `${n} ${e}\n`), `${nonce} ${expiresAt.getTime()}\n`];
    writeFileSync(this.file, lines.join(''), { mode: 0o600 });
    return true;
  }
}
