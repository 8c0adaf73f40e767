/**
 * `neid terminal list [--eservice ID]` — terminal certificates and pending requests.
 * `neid terminal request (CHR | --eservice ID) [--out FILE]` — write a pending CV certificate
 *   request (TR-03110-3 §C.2, DER) for the Ministry's DV, and print the rights it must grant.
 * `neid terminal import FILE` — import the CV certificate the DV returned; it is checked against
 *   the request and the approval, then takes effect on every instance.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, UsageError } from '../../config/args.js';
import { grantsOf } from '../../profile/authorization.js';
import { RegistryError } from '../../registry/errors.js';
import { cliPrincipal } from '../../registry/roles.js';
import { getTerminal, terminalsByStatus, terminalsOf } from '../../registry/store/terminals.js';
import { importTerminalCertificate, terminalChat } from '../../registry/workflow/terminal-import.js';
import { withRegistry } from './registry-open.js';

export async function terminalList(argv: string[]): Promise<number> {
  const { values } = parse(argv, { config: { type: 'string' }, eservice: { type: 'string' } });
  return withRegistry(values.config, async (r) => {
    const list = values.eservice
      ? await terminalsOf(r.db, values.eservice)
      : await terminalsByStatus(r.db, ['generating', 'requested', 'active', 'superseded', 'withdrawn']);
    for (const t of list) {
      const g = grantsOf(terminalChat(t));
      process.stdout.write(
        `${t.chr.padEnd(18)} ${t.eServiceId.padEnd(20)} ${t.status.padEnd(10)} ${t.purpose.padEnd(9)} ` +
          `${t.expirationDate ? `expires ${t.expirationDate}` : 'awaiting the DV'.padEnd(16)} ${[...g.fields, ...g.functions].join(',')}\n`,
      );
    }
    if (list.length === 0) process.stdout.write('no terminal certificates\n');
    return 0;
  });
}

export async function terminalRequest(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { config: { type: 'string' }, eservice: { type: 'string' }, out: { type: 'string' } },
    true,
  );
  if ((positionals.length === 1) === !!values.eservice) throw new UsageError('give a CHR or --eservice ID');
  return withRegistry(values.config, async (r) => {
    const t = values.eservice
      ? (await terminalsOf(r.db, values.eservice)).find((x) => x.status === 'requested')
      : await getTerminal(r.db, positionals[0]!);
    if (!t) throw new RegistryError('not-found', `eService ${values.eservice} has no pending request`);
    if (!t.request) throw new RegistryError('not-found', `terminal ${t.chr} has no request`);
    const file = values.out ?? `${t.chr}.cvreq`;
    writeFileSync(file, t.request);
    const g = grantsOf(terminalChat(t));
    process.stdout.write(
      `${file}: CV certificate request ${t.chr} (${t.status}) for eService ${t.eServiceId}, ` +
        `${t.request[0] === 0x67 ? 'inner and outer signature' : 'inner signature'}\n` +
        `the certificate must grant exactly CHAT ${terminalChat(t).toHex()}: ` +
        `${[...g.fields, ...g.functions, ...(g.restrictedIdentification ? ['restrictedIdentification'] : [])].join(', ')}\n`,
    );
    return 0;
  });
}

export async function terminalImport(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { config: { type: 'string' } }, true);
  if (positionals.length !== 1) throw new UsageError('terminal import takes one FILE (DER CV certificate)');
  const der = readFileSync(positionals[0]!);
  return withRegistry(values.config, async (r) => {
    const t = await importTerminalCertificate(await r.context(), cliPrincipal(), der);
    process.stdout.write(`${t.chr} is active for eService ${t.eServiceId} until ${t.expirationDate}\n`);
    return 0;
  });
}
