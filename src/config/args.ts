/** Shared command-line parsing for `neid` and `neid-client` (node:util parseArgs, with usage errors). */
import { type ParseArgsConfig, parseArgs } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** One command of a command-line tool. */
export interface CommandSpec {
  /** Options, one line per form, without the program and command name. */
  readonly usage: string;
  /** One line for the overview. */
  readonly summary: string;
  /** More lines for `--help`: what the arguments mean, the output, exit codes. */
  readonly details?: string;
  run(argv: string[]): Promise<number>;
}

const HELP = new Set(['--help', '-h']);

function usageOf(prog: string, key: string, c: CommandSpec): string {
  const lines = c.usage.split('\n').filter(Boolean);
  return `usage: ${prog} ${key} ${lines[0] ?? ''}\n${lines
    .slice(1)
    .map((l) => `${' '.repeat(`usage: ${prog} ${key} `.length)}${l}\n`)
    .join('')}\n${c.summary}\n${c.details ? `\n${c.details.trim()}\n` : ''}`;
}

function overview(prog: string, commands: Readonly<Record<string, CommandSpec>>, group?: string): string {
  const keys = Object.keys(commands).filter((k) => !group || k.startsWith(`${group} `));
  const width = Math.max(...keys.map((k) => k.length));
  const what = group ? `${group} <subcommand>` : '<command>';
  const rows = keys.map((k) => `  ${k.padEnd(width)}  ${commands[k]!.summary}\n`).join('');
  return `usage: ${prog} ${what} [options]\n\n${rows}\n${prog} ${what} --help shows its options.\n`;
}

/**
 * Runs `prog <command> [<subcommand>] …`: `--help` (or `-h`, or `help <command>`) at every level
 * prints that level's usage on stdout and exits 0; an unknown command is named; a usage error
 * prints the command's usage and exits 2. Other errors are left to `onError`.
 */
export async function runCommand(
  prog: string,
  argv: string[],
  commands: Readonly<Record<string, CommandSpec>>,
  onError: (key: string, e: unknown) => number,
): Promise<number> {
  const out = (s: string) => process.stdout.write(s);
  const err = (s: string) => process.stderr.write(s);
  if (argv[0] === 'help') argv = [...argv.slice(1), '--help'];
  if (argv.length === 0 || HELP.has(argv[0]!)) {
    (argv.length ? out : err)(overview(prog, commands));
    return argv.length ? 0 : 2;
  }
  // Commands of up to three words (`admin application submit`); the longest that exists wins.
  const lead = argv.slice(0, 3).filter((w) => !w.startsWith('-'));
  const words = lead.slice(0, 2);
  const key = [lead.join(' '), words.join(' '), words[0] ?? ''].find((k) => k && commands[k]);
  if (!key) {
    const within = (g: string) => Object.keys(commands).some((k) => k.startsWith(`${g} `));
    const group = lead.length > 1 && within(lead.join(' ')) ? lead.join(' ') : (words[0] ?? '');
    const isGroup = within(group);
    if (isGroup && (words.length === 1 || group.includes(' ') || argv.some((a) => HELP.has(a)))) {
      const help = argv.some((a) => HELP.has(a));
      if (!help) err(`${prog} ${group}: a subcommand is needed\n\n`);
      (help ? out : err)(overview(prog, commands, group));
      return help ? 0 : 2;
    }
    err(`${prog}: unknown command "${words.join(' ') || argv[0]}"\n\n${overview(prog, commands)}`);
    return 2;
  }
  const cmd = commands[key]!;
  const rest = argv.slice(key.split(' ').length);
  if (rest.some((a) => HELP.has(a))) {
    out(usageOf(prog, key, cmd));
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`${prog} ${key}: ${e.message}\n\n${usageOf(prog, key, cmd)}`);
      return 2;
    }
    return onError(key, e);
  }
}
