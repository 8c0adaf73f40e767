/**
 * `neid verify-public`: the Open API verifier an eService runs itself, with no
 * call home (docs/open-api.md §6–7).
 *
 *   neid verify-public BUNDLE|- --trust DIR|URL --anchor FILE|sha256:HEX [--anchor …]
 *        [--challenge-key FILE] [--allow-without-chip-auth] [--max-age SECONDS] [--tls-ca FILE] [--json]
 *   neid verify-public --new-challenge --challenge-key FILE [--ttl SECONDS]
 *   neid verify-public --serve --trust DIR|URL --anchor … [--challenge-key FILE] [--host H] [--port N]
 *        [--refresh SECONDS] [--max-age SECONDS] [--tls-ca FILE] [--allow-without-chip-auth]
 *
 * The one-shot form prints every check (PASS / WARN / FAIL / ----) and, when
 * all passed, the decoded fields; exit 0 verified, 1 refused (the failed
 * check and its reason are named), 2 usage. Only trust documents are fetched
 * from the server; the bundle never leaves this process.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parse, UsageError } from '../../config/args.js';
import { CHALLENGE_SECRET_BYTES, issueChallenge } from '../../open-api/challenge.js';
import { CHECK_LABELS } from '../../open-api/checks.js';
import { FileReplayGuard } from '../../open-api/replay.js';
import { loadAnchor } from '../../open-api/trust.js';
import { DEFAULT_MAX_AGE_SECONDS, type TrustSourceOptions, TrustStore } from '../../open-api/trust-store.js';
import { type PublicDataVerification, verifyPublicData } from '../../open-api/verify.js';
import { MARITAL_STATUS, MILITARY_SERVICE } from '../../profile/codes.js';
import { type FieldId, fieldDef } from '../../profile/fields.js';
import { type Address, formatAddress } from '../../profile/values.js';

const OPTIONS = {
  trust: { type: 'string' },
  anchor: { type: 'string', multiple: true },
  'challenge-key': { type: 'string' },
  'allow-without-chip-auth': { type: 'boolean' },
  'max-age': { type: 'string' },
  'tls-ca': { type: 'string' },
  json: { type: 'boolean' },
  'new-challenge': { type: 'boolean' },
  ttl: { type: 'string' },
  serve: { type: 'boolean' },
  host: { type: 'string' },
  port: { type: 'string' },
  refresh: { type: 'string' },
  'log-level': { type: 'string' },
} as const;

export type VerifyPublicArgs = ReturnType<typeof parse<typeof OPTIONS>>['values'];

export function intOption(
  v: string | undefined,
  name: string,
  def: number,
  min: number,
  max: number,
): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${name} must be a whole number ${min}..${max}`);
  return n;
}

/** The verifier's 32-byte challenge secret (hex in FILE), created with mode 0600 when `create`. */
export function challengeSecret(file: string, create: boolean): Buffer {
  if (!existsSync(file)) {
    if (!create) throw new UsageError(`${file} does not exist (create it with --new-challenge)`);
    writeFileSync(file, `${randomBytes(CHALLENGE_SECRET_BYTES).toString('hex')}\n`, { mode: 0o600 });
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  if (key.length !== CHALLENGE_SECRET_BYTES)
    throw new UsageError(`${file} must hold ${CHALLENGE_SECRET_BYTES} bytes in hex`);
  return key;
}

/** The trust source options shared by the one-shot form and the service. */
export function trustOptions(v: VerifyPublicArgs): TrustSourceOptions {
  if (!v.trust) throw new UsageError('--trust DIR|URL is required');
  if (!v.anchor?.length)
    throw new UsageError('--anchor FILE|sha256:HEX is required: pin the Ministry’s CSCA');
  return {
    source: v.trust,
    anchors: v.anchor.map(loadAnchor),
    maxAgeSeconds: intOption(v['max-age'], '--max-age', DEFAULT_MAX_AGE_SECONDS, 0, 366 * 86_400),
    ...(v['tls-ca'] ? { tlsCa: readFileSync(v['tls-ca']) } : {}),
  };
}

function show(id: FieldId, value: unknown): string {
  if (id === 'householdAddress') return formatAddress(value as Address);
  const list =
    id === 'maritalStatus' ? MARITAL_STATUS : id === 'militaryService' ? MILITARY_SERVICE : undefined;
  const code = list?.find((c) => c.code === value);
  return code ? `${code.code} (${code.zh} ${code.en})` : String(value);
}

/** The human-readable report: every check, then the fields (only when verified). */
export function report(r: PublicDataVerification): string {
  const mark = { passed: 'PASS', warning: 'WARN', failed: 'FAIL', 'not-run': '----' } as const;
  const lines = r.checks.map(
    (c) =>
      `  ${mark[c.status]}  ${c.id.padEnd(21)} ${c.status === 'not-run' ? CHECK_LABELS[c.id] : c.detail}`,
  );
  lines.push(
    r.ok
      ? 'RESULT: VERIFIED'
      : `RESULT: REFUSED at ${r.failure?.check} (${r.failure?.reason}): ${r.failure?.message}`,
  );
  if (r.ok && r.fields) {
    lines.push('fields:');
    for (const [id, value] of Object.entries(r.fields)) {
      const def = fieldDef(id as FieldId);
      lines.push(`  ${def.label.zh} ${def.label.en}: ${show(def.id, value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export async function verifyPublic(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(argv, OPTIONS, true);
  if (v['new-challenge']) {
    if (!v['challenge-key']) throw new UsageError('--new-challenge needs --challenge-key FILE');
    const c = issueChallenge(challengeSecret(v['challenge-key'], true), {
      ttlSeconds: intOption(v.ttl, '--ttl', 300, 1, 3600),
    });
    process.stdout.write(`${c.token}\n`);
    process.stderr.write(`challenge valid until ${c.expiresAt.toISOString()}\n`);
    return 0;
  }
  if (v.serve) return (await import('./verify-public-serve.js')).serveVerifier(v);
  if (positionals.length !== 1) throw new UsageError('give one BUNDLE file (or - for stdin)');
  const path = positionals[0]!;
  const text = path === '-' ? readFileSync(0) : readFileSync(path);
  const key = v['challenge-key'];
  const store = await TrustStore.open(trustOptions(v));
  const r = verifyPublicData(text, store.current, {
    ...(key
      ? { challengeSecret: challengeSecret(key, false), replay: new FileReplayGuard(`${key}.used`) }
      : {}),
    ...(v['allow-without-chip-auth'] ? { allowWithoutChipAuthentication: true } : {}),
  });
  process.stdout.write(v.json ? `${JSON.stringify(r, null, 2)}\n` : report(r));
  return r.ok ? 0 : 1;
}
