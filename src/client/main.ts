#!/usr/bin/env node
/**
 * `neid-client`: an eID-Client after TR-03124-1.
 *
 *   neid-client auth --tctoken-url URL (--card FILE | --reader NAME) --pin PIN [--can CAN]
 *                    [--deselect FIELD,...] [--decline] [--follow]
 *   neid-client serve (--card FILE | --reader NAME) [--port 24727]
 *   neid-client unblock (--card FILE | --reader NAME) --user-code CODE --new-pin PIN
 *   neid-client change-pin (--card FILE | --reader NAME) --pin PIN --new-pin PIN [--can CAN]
 *   neid-client read-public --can CAN (--card FILE | --reader NAME) [--challenge TOKEN] [--out FILE]
 *
 * `auth` prints one JSON line: {ok, redirectUrl, error?, serverResult?}; `ok` is the
 * eID-Server's verdict on the card exchange (StartPAOSResponse), exit 0 when it succeeded,
 * 1 otherwise, 2 on a usage error. A revoked or expired card completes the exchange (TR-03130-4
 * C1_2_09/10): the eService gets the verdict and tells the citizen (`--follow` shows its answer).
 */
import { type CommandSpec, parse, runCommand, UsageError } from '../config/args.js';
import { isFunctionId } from '../profile/authorization.js';
import { isFieldId } from '../profile/fields.js';
import { CardSlot, type OpenedCard, openReader, openVirtualCard } from './card-source.js';
import type { ConsentRequest } from './consent.js';
import { EacClient } from './eac-client.js';
import { ClientError, ended } from './errors.js';
import { httpsCall } from './network.js';
import { runOnlineAuthentication } from './paos-client.js';
import { changePin, unblockPin } from './pin-dialogue.js';

const CARD_OPTIONS = { card: { type: 'string' }, reader: { type: 'string' } } as const;

export function cardOpener(v: { card?: string; reader?: string }): () => Promise<OpenedCard> {
  if (v.card && v.reader) throw new UsageError('give either --card or --reader');
  const { card, reader } = v;
  if (card) return () => openVirtualCard(card);
  if (reader) return () => openReader(reader);
  throw new UsageError('--card FILE or --reader NAME is required');
}

/** The TC Token URL, also when given as the eID-Client link of an activation page (TR-03124-1 §2.2). */
function tcTokenUrlOf(arg: string): string {
  let u: URL;
  try {
    u = new URL(arg);
  } catch {
    throw new UsageError(`--tctoken-url: not a URL: ${arg}`);
  }
  const inner = u.pathname === '/eID-Client' ? u.searchParams.get('tcTokenURL') : null;
  const url = inner ?? arg;
  if (!url.startsWith('https://')) throw new UsageError('--tctoken-url must be an https URL');
  return url;
}

/** A required right named in --deselect: refused, the citizen cannot withhold it (TR-03112-7 §3.6.4.1). */
function refuseRequired(req: ConsentRequest, deselect: readonly string[]): void {
  const required = new Set<string>([...req.required.fields, ...req.required.functions]);
  const bad = deselect.filter((d) => required.has(d));
  if (bad.length)
    throw new UsageError(
      `--deselect ${bad.join(',')}: ${req.description.subjectName} requires ${bad.length > 1 ? 'these' : 'this'}; ` +
        'required fields cannot be withheld (leave them out of --deselect, or decline with --decline)',
    );
}

async function auth(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    'tctoken-url': { type: 'string' },
    ...CARD_OPTIONS,
    pin: { type: 'string' },
    can: { type: 'string' },
    deselect: { type: 'string' },
    decline: { type: 'boolean' },
    follow: { type: 'boolean' },
  });
  if (!values['tctoken-url']) throw new UsageError('--tctoken-url is required');
  const url = tcTokenUrlOf(values['tctoken-url']);
  if (!values.pin && !values.decline) throw new UsageError('--pin is required');
  // TR-03124-1 §3.8: PIN and CAN are decimal digits; a malformed one must not cost a retry.
  if (values.pin && !/^\d{6}$/.test(values.pin)) throw new UsageError('--pin must be 6 digits (PIN1)');
  if (values.can && !/^\d{6}$/.test(values.can)) throw new UsageError('--can must be 6 digits');
  const deselect = (values.deselect ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = deselect.filter((d) => !isFieldId(d) && !isFunctionId(d));
  if (unknown.length) throw new UsageError(`--deselect: unknown field or function ${unknown.join(', ')}`);
  const slot = new CardSlot(cardOpener(values));
  let refused: UsageError | undefined;
  try {
    const eac = new EacClient({
      card: slot,
      insertCard: () => slot.insert(),
      ...(values.can ? { can: values.can } : {}),
      consent: async (req) => {
        if (values.decline) return { accept: false, deselect: [], pin: '' };
        try {
          refuseRequired(req, deselect);
        } catch (e) {
          refused = e as UsageError;
          throw ended.cancelled(refused.message);
        }
        return { accept: true, deselect, pin: values.pin ?? '' };
      },
    });
    const outcome = await runOnlineAuthentication(url, eac);
    const out: Record<string, unknown> = {
      ok: outcome.ok,
      ...(outcome.redirectUrl ? { redirectUrl: outcome.redirectUrl } : {}),
      ...(outcome.error ? { error: { minor: outcome.error.minor, message: outcome.error.message } } : {}),
      ...(outcome.serverResult ? { serverResult: outcome.serverResult } : {}),
    };
    if (values.follow && outcome.redirectUrl) out.followed = await follow(outcome.redirectUrl);
    process.stdout.write(`${JSON.stringify(out)}\n`);
    if (refused) throw refused;
    return outcome.ok ? 0 : 1;
  } finally {
    await slot.close();
  }
}

/**
 * Goes where the browser would be sent (the refresh URL) and on through the eService's redirects
 * (https only, at most 10), and reports each stop and the last answer. A browser login's
 * RefreshAddress belongs to the browser that started it (its binding cookie); without it the
 * server answers that the login belongs to another browser, and that browser still gets it.
 */
async function follow(redirectUrl: string): Promise<Record<string, unknown>> {
  const hops: { url: string; status: number }[] = [];
  let url = new URL(redirectUrl);
  try {
    for (let i = 0; ; i++) {
      const r = await httpsCall(url);
      hops.push({ url: url.href, status: r.status });
      const loc = r.headers.location;
      if (![301, 302, 303, 307, 308].includes(r.status) || !loc || i >= 10)
        return { status: r.status, hops, body: r.body.toString('utf8').slice(0, 65536) };
      url = new URL(loc, url);
    }
  } catch (e) {
    return { hops, error: (e as Error).message };
  }
}

async function serve(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...CARD_OPTIONS, port: { type: 'string' }, host: { type: 'string' } });
  const open = cardOpener(values);
  const { startClientServer } = await import('./serve.js');
  const port = Number(values.port ?? 24727);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('--port must be a port number (0: any free port)');
  const host = values.host ?? '127.0.0.1';
  const server = await startClientServer({ host, port, openCard: open });
  process.stdout.write(`eID-Client listening on http://${host}:${server.port}/eID-Client\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}

/** Runs a PIN-management operation on the card and prints one JSON line. */
async function onCard(
  v: { card?: string; reader?: string },
  op: (slot: CardSlot) => Promise<string>,
): Promise<number> {
  const slot = new CardSlot(cardOpener(v));
  try {
    await slot.insert();
    const message = await op(slot);
    process.stdout.write(`${JSON.stringify({ ok: true, message })}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof ClientError)) throw e;
    process.stdout.write(`${JSON.stringify({ ok: false, error: { message: e.message } })}\n`);
    return 1;
  } finally {
    await slot.close();
  }
}

async function unblock(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...CARD_OPTIONS,
    'user-code': { type: 'string' },
    'new-pin': { type: 'string' },
  });
  if (!values['user-code']) throw new UsageError('--user-code is required (用戶代碼, on the 領證確認書)');
  if (!values['new-pin'] || !/^\d{6}$/.test(values['new-pin']))
    throw new UsageError('--new-pin must be 6 digits');
  const userCode = values['user-code'];
  const newPin = values['new-pin'];
  return onCard(values, async (slot) => {
    await unblockPin(slot, userCode, newPin);
    return 'PIN1 is unblocked and set to the new PIN';
  });
}

async function changePinCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...CARD_OPTIONS,
    pin: { type: 'string' },
    'new-pin': { type: 'string' },
    can: { type: 'string' },
  });
  if (!values.pin) throw new UsageError('--pin is required');
  if (!values['new-pin'] || !/^\d{6}$/.test(values['new-pin']))
    throw new UsageError('--new-pin must be 6 digits');
  const { pin, can } = values;
  const newPin = values['new-pin'];
  return onCard(values, async (slot) => {
    await changePin(slot, { pin, newPin, ...(can ? { can } : {}) });
    return 'PIN1 is changed';
  });
}

export const COMMANDS: Record<string, CommandSpec> = {
  auth: {
    usage: `--tctoken-url URL (--card FILE | --reader NAME) --pin PIN [--can CAN]
[--deselect FIELD,...] [--decline] [--follow]`,
    summary: 'run one online authentication and print its outcome as one JSON line',
    details: `URL         the TC Token URL an eService hands out, or the whole eID-Client link of an
            activation page (http://127.0.0.1:24727/eID-Client?tcTokenURL=…, behind the
            "Start the eID-Client" button of the IdP's login page)
--deselect  optional fields or verifications to withhold (a required one is refused)
--decline   answer the consent with no
--follow    also GET the URL the browser would be sent to, and report what it answers
output      {ok, redirectUrl, error?, serverResult?, followed?}; ok is the eID-Server's verdict on
            the card exchange (a revoked card's verdict goes to the eService: see --follow)
exit        0 authenticated, 1 not, 2 usage error`,
    run: auth,
  },
  serve: {
    usage: '(--card FILE | --reader NAME) [--port 24727] [--host 127.0.0.1]',
    summary: 'browser activation on http://127.0.0.1:24727/eID-Client (consent and PIN pages)',
    run: serve,
  },
  unblock: {
    usage: '(--card FILE | --reader NAME) --user-code CODE --new-pin PIN',
    summary: 'unblock PIN1 with the user code (用戶代碼) and set a new PIN1',
    details: `The user code is printed on the confirmation slip (領證確認書) of the card; it has its
own retry counter of 10. A blocked user code can only be reset at a household registration
office (戶政事務所).`,
    run: unblock,
  },
  'change-pin': {
    usage: '(--card FILE | --reader NAME) --pin PIN --new-pin PIN [--can CAN]',
    summary: 'change PIN1 (with the CAN first when PIN1 is suspended)',
    run: changePinCommand,
  },
  'read-public': {
    usage: `--can CAN (--card FILE | --reader NAME) [--challenge TOKEN] [--fields FIELD,...] [--out FILE]`,
    summary: 'Open API: read the public area with the CAN into a JSON bundle (docs/open-api.md)',
    run: async (argv) => (await import('./read-public.js')).readPublic(argv, (v) => cardOpener(v)()),
  },
};

export function main(argv: string[]): Promise<number> {
  return runCommand('neid-client', argv, COMMANDS, (key, e) => {
    process.stderr.write(`neid-client ${key}: ${(e as Error).message}\n`);
    return 1;
  });
}

const invoked = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invoked) main(process.argv.slice(2)).then((code) => process.exit(code));
