/**
 * `neid verify-public --serve`: the Open API verifier as a small HTTP service
 * an eService hosts next to its application (docs/open-api.md §7). Plain HTTP
 * on 127.0.0.1 by default: it belongs behind the eService's own TLS, if
 * exposed at all.
 *
 *   POST /challenge   → {"challenge": token, "expiresAt": ISO}         (no-store)
 *   POST /verify      bundle JSON (≤ 64 KiB) → the verification result (no-store)
 *   GET  /health      200 while the trust material is current, else 503
 *
 * The trust material is refreshed every `--refresh` seconds (conditional
 * GETs); while it is stale every verification fails closed. Challenges are
 * single use (in memory). Logs carry a request id, the outcome, the failed
 * check and its reason — never the bundle, a field or a message about it.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { UsageError } from '../../config/args.js';
import { BodyTooLargeError, readBody } from '../../interfaces/http/body.js';
import { createLogger } from '../../interfaces/http/log.js';
import { MAX_BUNDLE_BYTES } from '../../open-api/bundle.js';
import { CHALLENGE_SECRET_BYTES, issueChallenge } from '../../open-api/challenge.js';
import { MemoryReplayGuard } from '../../open-api/replay.js';
import { trustProblems } from '../../open-api/trust.js';
import { TrustStore } from '../../open-api/trust-store.js';
import { verifyPublicData } from '../../open-api/verify.js';
import { challengeSecret, intOption, trustOptions, type VerifyPublicArgs } from './verify-public.js';

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  res.writeHead(status, {
    'content-type': `${type}; charset=utf-8`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(`${JSON.stringify(body)}\n`);
}

const problem = (res: ServerResponse, status: number, title: string) =>
  send(res, status, { type: 'about:blank', title, status }, 'application/problem+json');

export async function serveVerifier(v: VerifyPublicArgs): Promise<number> {
  const log = createLogger(v['log-level'] ?? 'info');
  const host = v.host ?? '127.0.0.1';
  const port = intOption(v.port, '--port', 8450, 0, 65535);
  const refreshSeconds = intOption(v.refresh, '--refresh', 300, 5, 86_400);
  const ttlSeconds = intOption(v.ttl, '--ttl', 300, 1, 3600);
  const secret = v['challenge-key']
    ? challengeSecret(v['challenge-key'], true)
    : randomBytes(CHALLENGE_SECRET_BYTES);
  const allowWithout = v['allow-without-chip-auth'] ?? false;
  let store: TrustStore;
  try {
    store = await TrustStore.open(trustOptions(v));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    log.error({ source: v.trust, err: (e as Error).message }, 'trust material unavailable; not starting');
    return 1;
  }
  store.start(
    refreshSeconds * 1000,
    (e) =>
      log.error(
        { source: store.source, err: e.message },
        'trust material refresh failed; keeping the last good copy',
      ),
    (changed) => changed && log.info({ source: store.source }, 'trust material updated'),
  );
  const replay = new MemoryReplayGuard();
  let counter = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const id = `${Date.now().toString(36)}-${(counter++).toString(36)}`;
    if (req.method === 'GET' && path === '/health') {
      const problems = trustProblems(store.current, new Date());
      return send(res, problems.length ? 503 : 200, {
        status: problems.length ? 'stale' : 'ok',
        trust: {
          source: store.source,
          confirmedAt: store.current.confirmedAt,
          cardRevocationNextUpdate: store.current.cardRevocation.nextUpdate,
          crlNextUpdate: store.current.crlValidity.map((c) => c.nextUpdate),
          problems,
        },
      });
    }
    if (req.method === 'POST' && path === '/challenge') {
      const c = issueChallenge(secret, { ttlSeconds });
      log.info({ request: id, expiresAt: c.expiresAt.toISOString() }, 'challenge issued');
      return send(res, 200, { challenge: c.token, expiresAt: c.expiresAt.toISOString() });
    }
    if (req.method === 'POST' && path === '/verify') {
      let body: Buffer;
      try {
        body = await readBody(req, MAX_BUNDLE_BYTES);
      } catch (e) {
        if (e instanceof BodyTooLargeError) {
          log.info({ request: id, outcome: 'refused', reason: 'too-large' }, 'verification refused');
          return problem(res, 413, `a bundle has at most ${MAX_BUNDLE_BYTES} bytes`);
        }
        throw e;
      }
      const r = verifyPublicData(body, store.current, {
        challengeSecret: secret,
        replay,
        allowWithoutChipAuthentication: allowWithout,
      });
      log.info(
        {
          request: id,
          outcome: r.ok ? 'verified' : 'refused',
          ...(r.failure ? { check: r.failure.check, reason: r.failure.reason } : {}),
          warnings: r.checks.filter((c) => c.status === 'warning').map((c) => c.id),
        },
        'public data verification',
      );
      return send(res, 200, r);
    }
    return problem(res, 404, 'not found');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      log.error({ err: e.message }, 'internal error');
      if (!res.headersSent) problem(res, 500, 'internal error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  log.info({ url: `http://${host}:${actual}`, source: store.source }, 'public data verifier listening');
  process.stdout.write(`verifier listening on http://${host}:${actual}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  store.stop();
  await new Promise<void>((r) => server.close(() => r()));
  return 0;
}
