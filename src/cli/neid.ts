#!/usr/bin/env node
/**
 * `neid`: operator tooling — test PKI, CV certificates, virtual cards,
 * the card revocation list. Exit codes: 0 ok, 1 failed check, 2 usage error.
 * `neid --help`, `neid <command> --help` and `neid <command> <subcommand> --help` print usage.
 */
import { type CommandSpec, runCommand } from '../config/args.js';
import { ConfigError } from '../config/errors.js';
import { cvcPrint, cvcVerify } from './commands/cvc.js';
import { pkiInit } from './commands/pki-init.js';
import { revocationAdd, revocationList } from './commands/revocation.js';

type Command = (argv: string[]) => Promise<number>;

const lazy =
  (load: () => Promise<Command>): Command =>
  async (argv) =>
    (await load())(argv);

export const COMMANDS: Record<string, CommandSpec> = {
  'pki init': {
    usage: `--out DIR [--cvca-chr CHR] [--curve NAME] [--server-url URL] [--config FILE] [--relying-parties FILE]
[--pkcs11 | --pkcs11-module PATH --pkcs11-token LABEL] [--pkcs11-pin-env NAME] [--pkcs11-replace]`,
    summary: 'create a test PKI (CVCA, DV, terminal certificates, CSCA, TLS/SAML/SOAP keys) in DIR',
    run: pkiInit,
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
    usage: `--out FILE [--pki DIR] [--set FIELD=VALUE ...] [--no-field FIELD ...]
[--pin N] [--can N] [--user-code X] [--serial S] [--curve NAME] [--date YYYYMMDD]`,
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
};

export function main(argv: string[]): Promise<number> {
  return runCommand('neid', argv, COMMANDS, (key, e) => {
    if (e instanceof ConfigError) {
      process.stderr.write(`configuration error: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`neid ${key}: ${(e as Error).message}\n`);
    return 1;
  });
}

const invoked = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invoked) main(process.argv.slice(2)).then((code) => process.exit(code));
