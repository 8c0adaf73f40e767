/**
 * SoftHSM2 (Debian softhsm2) as the PKCS#11 token of tests: a private token
 * store in a temp directory (SOFTHSM2_CONF for this process and the children
 * it spawns), tokens initialised with softhsm2-util, and the `neid pki init`
 * options that generate the server's signing keys in one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The SoftHSM2 PKCS#11 module, where Debian (or a multiarch layout) puts it. */
export const SOFTHSM_MODULE = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
].find((p) => existsSync(p));

/** Whether the optional native dependency pkcs11js is built. */
export function pkcs11jsInstalled(): boolean {
  try {
    createRequire(import.meta.url)('pkcs11js');
    return true;
  } catch {
    return false;
  }
}

/** A token store in `dir` with one token per label (user PIN `pin`); sets SOFTHSM2_CONF. */
export function softhsmTokens(dir: string, labels: readonly string[], pin: string): void {
  mkdirSync(join(dir, 'tokens'), { recursive: true });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  process.env.SOFTHSM2_CONF = conf;
  for (const label of labels) {
    const r = spawnSync(
      'softhsm2-util',
      ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', '13579111'],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`softhsm2-util --init-token ${label}: ${r.stdout}${r.stderr}`);
  }
}

/** The `neid pki init` options for a token. */
export const pkcs11InitArgs = (token: string, pinEnv: string): string[] => [
  '--pkcs11-module',
  SOFTHSM_MODULE!,
  '--pkcs11-token',
  token,
  '--pkcs11-pin-env',
  pinEnv,
];
