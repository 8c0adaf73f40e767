#!/usr/bin/env node
import { UsageError } from '../config/args.js';
/**
 * `neid`: operator tooling — test PKI, CV certificates, virtual cards,
 * the card revocation list, the eService registry, terminal certificates,
 * the audit log, admin API credentials. Exit codes: 0 ok, 1 failed check, 2 usage error.
 */
import { ConfigError } from '../config/errors.js';
import { RegistryError } from '../registry/errors.js';
import { cvcPrint, cvcVerify } from './commands/cvc.js';
import { pkiInit } from './commands/pki-init.js';
import { pkiRollover } from './commands/pki-rollover.js';
import { revocationAdd, revocationList } from './commands/revocation.js';

type Command = (argv: string[]) => Promise<number>;

const lazy =
  (load: () => Promise<Command>): Command =>
  async (argv) =>
    (await load())(argv);

const COMMANDS: Record<string, Command> = {
  'pki init': pkiInit,
  'pki rollover': pkiRollover,
  'cvc print': cvcPrint,
  'cvc verify': cvcVerify,
  'card create': lazy(async () => (await import('./commands/card-create.js')).cardCreate),
  'card vpcd': lazy(async () => (await import('./commands/card-vpcd.js')).cardVpcd),
  'revocation add': revocationAdd,
  'revocation list': revocationList,
  'registry import': lazy(async () => (await import('./commands/registry.js')).registryImport),
  'registry export': lazy(async () => (await import('./commands/registry.js')).registryExport),
  'terminal list': lazy(async () => (await import('./commands/terminal.js')).terminalList),
  'terminal request': lazy(async () => (await import('./commands/terminal.js')).terminalRequest),
  'terminal import': lazy(async () => (await import('./commands/terminal.js')).terminalImport),
  'audit verify': lazy(async () => (await import('./commands/audit.js')).auditVerify),
  'audit export': lazy(async () => (await import('./commands/audit.js')).auditExport),
  'admin bootstrap': lazy(async () => (await import('./commands/admin.js')).adminBootstrap),
  'admin token': lazy(async () => (await import('./commands/admin.js')).adminToken),
  'admin invite': lazy(async () => (await import('./commands/admin-invite.js')).adminInvite),
  'verify-public': lazy(async () => (await import('./commands/verify-public.js')).verifyPublic),
};

const USAGE = `usage: neid <command> [options]

  pki init --out DIR [--force] [--cvca-chr CHR] [--curve NAME] [--server-url URL] [--config FILE]
           [--pkcs11 | --pkcs11-module PATH --pkcs11-token LABEL] [--pkcs11-pin-env NAME] [--pkcs11-replace]
  pki rollover [--dir DIR] [--config FILE]     new CVCA + link certificate, DV and terminal certificates
  cvc print FILE... [--description FILE]
  cvc verify FILE... [--trust FILE] [--date YYYYMMDD]
  card create --out FILE [--pki DIR] [--set FIELD=VALUE ...] [--pin N] [--can N]
  card vpcd --card FILE [--host H] [--port N]
  revocation add --card FILE [--pki DIR] [--reason TEXT]
  revocation list [--pki DIR]
  registry import FILE [--config FILE]
  registry export --out DIR [--config FILE]
  terminal list [--eservice ID] [--config FILE]
  terminal request (CHR | --eservice ID) [--out FILE] [--config FILE]
  terminal import FILE [--config FILE]
  audit verify [--config FILE]
  audit export [--out FILE] [--after SEQ] [--config FILE]
  admin bootstrap [--name NAME] [--force] [--config FILE]
  admin token --credential FILE [--ca FILE | --insecure] [--config FILE]
  admin invite --name NAME [--roles ROLE,…] [--eservice ID …] [--config FILE]
  verify-public BUNDLE|- --trust DIR|URL --anchor FILE|sha256:HEX [--challenge-key FILE] [--json]
  verify-public --new-challenge --challenge-key FILE | --serve --trust DIR|URL --anchor … [--port N]
`;

export async function main(argv: string[]): Promise<number> {
  // Two-word commands ("pki init"), and one-word ones ("verify-public") whose second word is an argument.
  const key = COMMANDS[argv.slice(0, 2).join(' ')] ? argv.slice(0, 2).join(' ') : (argv[0] ?? '');
  const cmd = COMMANDS[key];
  if (!cmd) {
    process.stderr.write(USAGE);
    return argv.length === 0 || argv[0] === '--help' ? 0 : 2;
  }
  try {
    return await cmd(argv.slice(key.split(' ').length));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof ConfigError) {
      process.stderr.write(`configuration error: ${e.message}\n`);
      return 2;
    }
    if (e instanceof RegistryError) {
      process.stderr.write(`neid ${key}: ${e.field ? `${e.field}: ` : ''}${e.message}\n`);
      return 1;
    }
    process.stderr.write(`neid ${key}: ${(e as Error).message}\n`);
    return 1;
  }
}

const invoked = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invoked) main(process.argv.slice(2)).then((code) => process.exit(code));
