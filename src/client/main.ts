#!/usr/bin/env node
/**
 * `neid-client`: an eID-Client after TR-03124-1.
 *
 *   neid-client auth --tctoken-url URL (--card FILE | --reader NAME) --pin PIN [--can CAN]
 *                    [--deselect FIELD,...] [--decline] [--follow]
 *   neid-client serve (--card FILE | --reader NAME) [--port 24727]
 *   neid-client read-public --can CAN (--card FILE | --reader NAME) [--challenge TOKEN] [--out FILE]
 *
 * `auth` prints one JSON line: {ok, redirectUrl, error?}; exit 0 when the
 * authentication succeeded, 1 otherwise, 2 on a usage error.
 */
import { parse, UsageError } from '../config/args.js';
import { isFunctionId } from '../profile/authorization.js';
import { isFieldId } from '../profile/fields.js';
import { type OpenedCard, openReader, openVirtualCard } from './card-source.js';
import { EacClient } from './eac-client.js';
import { httpsCall } from './network.js';
import { runOnlineAuthentication } from './paos-client.js';

const USAGE = `usage:
  neid-client auth --tctoken-url URL (--card FILE | --reader NAME) --pin PIN [--can CAN] [--deselect FIELD,...] [--decline] [--follow]
  neid-client serve (--card FILE | --reader NAME) [--port 24727] [--host 127.0.0.1]
  neid-client read-public --can CAN (--card FILE | --reader NAME) [--challenge TOKEN] [--fields FIELD,...] [--out FILE]
`;

export async function openCard(v: { card?: string; reader?: string }): Promise<OpenedCard> {
  if (v.card && v.reader) throw new UsageError('give either --card or --reader');
  if (v.card) return openVirtualCard(v.card);
  if (v.reader) return openReader(v.reader);
  throw new UsageError('--card FILE or --reader NAME is required');
}

async function auth(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    'tctoken-url': { type: 'string' },
    card: { type: 'string' },
    reader: { type: 'string' },
    pin: { type: 'string' },
    can: { type: 'string' },
    deselect: { type: 'string' },
    decline: { type: 'boolean' },
    follow: { type: 'boolean' },
  });
  const url = values['tctoken-url'];
  if (!url) throw new UsageError('--tctoken-url is required');
  if (!values.pin && !values.decline) throw new UsageError('--pin is required');
  const deselect = (values.deselect ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = deselect.filter((d) => !isFieldId(d) && !isFunctionId(d));
  if (unknown.length) throw new UsageError(`--deselect: unknown field or function ${unknown.join(', ')}`);
  const opened = await openCard(values);
  try {
    const eac = new EacClient({
      card: opened.card,
      ...(values.can ? { can: values.can } : {}),
      consent: async () => ({
        accept: !values.decline,
        deselect,
        pin: values.pin ?? '',
      }),
    });
    const outcome = await runOnlineAuthentication(url, eac);
    const out: Record<string, unknown> = {
      ok: outcome.ok,
      ...(outcome.redirectUrl ? { redirectUrl: outcome.redirectUrl } : {}),
      ...(outcome.error ? { error: { minor: outcome.error.minor, message: outcome.error.message } } : {}),
      ...(outcome.serverResult ? { serverResult: outcome.serverResult } : {}),
    };
    if (values.follow && outcome.redirectUrl) {
      const r = await httpsCall(new URL(outcome.redirectUrl), {});
      out.followed = {
        status: r.status,
        ...(r.headers.location ? { location: r.headers.location } : {}),
        body: r.body.toString('utf8').slice(0, 65536),
      };
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return outcome.ok ? 0 : 1;
  } finally {
    await opened.close();
  }
}

async function serve(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    card: { type: 'string' },
    reader: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
  });
  const { startClientServer } = await import('./serve.js');
  const port = Number(values.port ?? 24727);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError('--port must be a port number');
  const server = await startClientServer({
    host: values.host ?? '127.0.0.1',
    port,
    openCard: () => openCard(values),
  });
  process.stdout.write(
    `eID-Client listening on http://${values.host ?? '127.0.0.1'}:${server.port}/eID-Client\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === 'auth') return await auth(rest);
    if (cmd === 'serve') return await serve(rest);
    if (cmd === 'read-public') return await (await import('./read-public.js')).readPublic(rest, openCard);
    process.stderr.write(USAGE);
    return cmd === undefined || cmd === '--help' ? 0 : 2;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`neid-client: ${(e as Error).message}\n`);
    return 1;
  }
}

const invoked = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invoked) main(process.argv.slice(2)).then((code) => process.exit(code));
