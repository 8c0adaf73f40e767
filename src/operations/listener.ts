/**
 * The operations listener (config `metrics`, default http://127.0.0.1:9464): plain HTTP for
 * Prometheus and orchestrators, apart from the citizen-facing TLS listeners.
 *
 *   GET /metrics   Prometheus text format (metrics.ts)
 *   GET /health    liveness: 200 while the process serves requests
 *   GET /ready     readiness: 200 when every dependency is up, else 503, with the states (health.ts)
 *
 * Nothing here is secret or personal, but it tells an attacker the server's state: keep it on
 * loopback or an internal network (docs/operations.md).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Health } from './health.js';
import type { Metrics } from './metrics.js';

export interface OpsListenerDeps {
  /** This process's metrics, or (the primary of several workers) all workers' aggregated. */
  readonly metrics: Pick<Metrics, 'text' | 'contentType'>;
  /** This process's readiness (`readiness(health)`), or (cluster primary) that of every worker. */
  readonly ready: () => Promise<ReadyAnswer> | ReadyAnswer;
  readonly log: { error(o: object, m: string): void };
}

export interface ReadyAnswer {
  readonly code: number;
  readonly body: unknown;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(`${JSON.stringify(body)}\n`);
};

/** /health and /ready answers, shared with the web listener. */
export const liveness = (): { status: 'ok' } => ({ status: 'ok' });

/**
 * /ready: 200 or 503 with each dependency's state. `detail: false` (the public web listener)
 * leaves out the reasons, which name internal hosts.
 */
export function readiness(h: Health, detail = true): ReadyAnswer {
  const r = h.readiness();
  const body = detail
    ? r
    : {
        status: r.status,
        checks: Object.fromEntries(Object.entries(r.checks).map(([n, c]) => [n, { ok: c.ok }])),
      };
  return { code: h.isReady ? 200 : 503, body };
}

export function createOpsServer(d: OpsListenerDeps): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/health') return json(res, 200, liveness());
    if (path === '/ready') {
      Promise.resolve()
        .then(d.ready)
        .then(
          (r) => json(res, r.code, r.body),
          (e: Error) => {
            d.log.error({ err: e.message }, 'readiness check failed');
            json(res, 503, { status: 'not ready' });
          },
        );
      return;
    }
    if (path === '/metrics') {
      d.metrics
        .text()
        .then((text) => {
          res.writeHead(200, { 'content-type': d.metrics.contentType, 'cache-control': 'no-store' });
          res.end(text);
        })
        .catch((e: Error) => {
          d.log.error({ err: e.message }, 'metrics collection failed');
          res.writeHead(500).end();
        });
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: /metrics, /health, /ready\n');
  });
}
