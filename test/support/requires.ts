/**
 * Gate for the interop suites, which need Debian packages
 * (scripts/install-test-deps.sh). On a developer machine a missing package
 * skips the suite with a note; under CI (CI=true) it is a failing test: a
 * green CI run that quietly skipped the independent implementations would
 * prove nothing.
 */
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';

/** True when `cmd` is on the PATH. */
export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { stdio: 'ignore' }).status === 0;
}

/** Returns whether the suite can run; `missing` names what is absent (empty: all there). */
export function requires(suite: string, missing: readonly string[]): boolean {
  if (missing.length === 0) return true;
  const why = `${suite}: missing ${missing.join(', ')} (run scripts/install-test-deps.sh as root)`;
  if (process.env.CI) {
    describe(suite, () => {
      it('has its test dependencies installed', () => {
        throw new Error(why);
      });
    });
  } else {
    console.warn(`${why}; skipped`);
  }
  return false;
}

/** The names in `checks` whose test is false. */
export function absent(checks: Record<string, boolean>): string[] {
  return Object.entries(checks)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
}
