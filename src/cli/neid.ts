#!/usr/bin/env node
/**
 * `neid`: operator tooling — test PKI, CV certificates, virtual cards,
 * the card revocation list, the eService registry, terminal certificates,
 * the audit log, admin API credentials, the Open API verifier.
 * Exit codes: 0 ok, 1 failed check, 2 usage error.
 * `neid --help`, `neid <command> --help` and `neid <command> <subcommand> --help` print usage.
 */
import { type CommandSpec, runCommand } from '../config/args.js';
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

export const COMMANDS: Record<string, CommandSpec> = {
  'pki init': {
    usage: `--out DIR [--force] [--cvca-chr CHR] [--curve NAME] [--server-url URL] [--config FILE] [--relying-parties FILE]
[--pkcs11 | --pkcs11-module PATH --pkcs11-token LABEL] [--pkcs11-pin-env NAME] [--pkcs11-replace]`,
    summary: 'create a test PKI (CVCA, DV, terminal certificates, CSCA, TLS/SAML/SOAP keys) in DIR',
    run: pkiInit,
  },
  'pki rollover': {
    usage: '[--dir DIR] [--config FILE]',
    summary:
      'roll a test PKI over: new CVCA with a link certificate from the previous one, new DV and terminal certificates',
    run: pkiRollover,
  },
  'cvc print': {
    usage: 'FILE... [--description FILE]',
    summary: 'print CV certificates (or chains) as JSON',
    run: cvcPrint,
  },
  'cvc verify': {
    usage: 'FILE... [--trust FILE ...] [--date YYYYMMDD]',
    summary: 'verify CVCA → (link) → DV → terminal and print the effective rights as field names',
    run: cvcVerify,
  },
  'card create': {
    usage: `--out FILE [--pki DIR] [--set FIELD=VALUE ...] [--no-field FIELD ...] [--empty-field FIELD ...]
[--pin N] [--can N] [--user-code X] [--serial S] [--curve NAME] [--date YYYYMMDD] [--test-card]`,
    summary: 'personalise a virtual New eID card (the sample citizen, fields replaced with --set)',
    run: lazy(async () => (await import('./commands/card-create.js')).cardCreate),
  },
  'card vpcd': {
    usage: '--card FILE [--host 127.0.0.1] [--port 35963]',
    summary: "insert a virtual card into vsmartcard's vpcd reader (PC/SC) until SIGINT",
    run: lazy(async () => (await import('./commands/card-vpcd.js')).cardVpcd),
  },
  'revocation add': {
    usage: '--card FILE [--pki DIR] [--reason TEXT]',
    summary: 'revoke a card in the signed card revocation list',
    run: revocationAdd,
  },
  'revocation list': {
    usage: '[--pki DIR]',
    summary: 'show the card revocation list (Restricted Identification keys only)',
    run: revocationList,
  },
  'registry import': {
    usage: 'FILE [--config FILE]',
    summary:
      'import eServices from a registry YAML file (config/relying-parties.yaml format) into the registry',
    run: lazy(async () => (await import('./commands/registry.js')).registryImport),
  },
  'registry export': {
    usage: '--out DIR [--config FILE]',
    summary: 'export the registry as YAML with its metadata and certificates',
    run: lazy(async () => (await import('./commands/registry.js')).registryExport),
  },
  'terminal list': {
    usage: '[--eservice ID] [--config FILE]',
    summary: "list the eServices' terminal certificates and requests",
    run: lazy(async () => (await import('./commands/terminal.js')).terminalList),
  },
  'terminal request': {
    usage: '(CHR | --eservice ID) [--out FILE] [--config FILE]',
    summary: "write a terminal's CV certificate request (TR-03110-3 §C.2) for the Ministry's DV",
    run: lazy(async () => (await import('./commands/terminal.js')).terminalRequest),
  },
  'terminal import': {
    usage: 'FILE [--config FILE]',
    summary: 'import a terminal certificate the DV issued',
    run: lazy(async () => (await import('./commands/terminal.js')).terminalImport),
  },
  'audit verify': {
    usage: '[--config FILE]',
    summary: 'verify the audit log hash chain; names the first edited, inserted or deleted entry',
    run: lazy(async () => (await import('./commands/audit.js')).auditVerify),
  },
  'audit export': {
    usage: '[--out FILE] [--after SEQ] [--config FILE]',
    summary: 'export the audit log as JSON Lines',
    run: lazy(async () => (await import('./commands/audit.js')).auditExport),
  },
  'admin bootstrap': {
    usage: '[--name NAME] [--force] [--config FILE]',
    summary: 'create the first admin API credential of a new installation and print it once',
    run: lazy(async () => (await import('./commands/admin.js')).adminBootstrap),
  },
  'admin token': {
    usage: '--credential FILE [--ca FILE | --insecure] [--config FILE]',
    summary: 'exchange an admin credential for a bearer token of the admin API',
    run: lazy(async () => (await import('./commands/admin.js')).adminToken),
  },
  'admin invite': {
    usage: '--name NAME [--roles ROLE,…] [--eservice ID …] [--config FILE]',
    summary: 'invite a person to the web console: a one-time link, accepted by signing in with their card',
    run: lazy(async () => (await import('./commands/admin-invite.js')).adminInvite),
  },
  'admin application submit': {
    usage: 'ID --credential FILE [--sign-cert CERT --sign-key KEY] [--ca FILE | --insecure] [--config FILE]',
    summary:
      'submit a draft application: signed with an organisation certificate (detached CMS over its canonical form), or unsigned (paper filing)',
    run: lazy(async () => (await import('./commands/admin-application.js')).applicationSubmit),
  },
  'admin application canonical': {
    usage: 'ID --credential FILE [--out FILE] [--ca FILE | --insecure] [--config FILE]',
    summary: 'write the canonical application: the exact bytes an organisation signs (openssl cms -sign)',
    run: lazy(async () => (await import('./commands/admin-application.js')).applicationCanonical),
  },
  'verify-public': {
    usage: `BUNDLE|- --trust DIR|URL --anchor FILE|sha256:HEX [--challenge-key FILE] [--json]
--new-challenge --challenge-key FILE
--serve --trust DIR|URL --anchor FILE|sha256:HEX [--port N]`,
    summary: 'verify an Open API public-data bundle where the eService runs (docs/open-api.md); or serve it',
    run: lazy(async () => (await import('./commands/verify-public.js')).verifyPublic),
  },
};

export function main(argv: string[]): Promise<number> {
  return runCommand('neid', argv, COMMANDS, (key, e) => {
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
  });
}

const invoked = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invoked) main(process.argv.slice(2)).then((code) => process.exit(code));
