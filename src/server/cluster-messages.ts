/**
 * The messages between the cluster's primary and its workers (cluster.ts, cluster-worker.ts),
 * over node:cluster's IPC channel. prom-client's scrape messages travel on the same channel with
 * their own `type`; these carry `neid`.
 */
import type { Readiness } from '../operations/health.js';

/** The environment variable telling a worker its index (0-based; a replacement keeps its index). */
export const WORKER_INDEX_ENV = 'NEID_WORKER_INDEX';

export type ToWorker =
  /** Report readiness (the reply carries the same id). */
  | { readonly neid: 'ready?'; readonly id: number }
  /** Drain: no new logins, running ones finish within shutdown.graceSeconds, then exit 0. */
  | { readonly neid: 'shutdown' }
  /** A second signal: stop at once. */
  | { readonly neid: 'stop-now' };

export type FromWorker =
  /** Listening on every listener: the next worker may start. */
  | { readonly neid: 'started' }
  | { readonly neid: 'ready'; readonly id: number; readonly code: number; readonly body: Readiness };

const has = (m: unknown, k: string): m is Record<string, unknown> =>
  typeof m === 'object' && m !== null && k in m;

export const isToWorker = (m: unknown): m is ToWorker =>
  has(m, 'neid') && (m.neid === 'ready?' || m.neid === 'shutdown' || m.neid === 'stop-now');

export const isFromWorker = (m: unknown): m is FromWorker =>
  has(m, 'neid') && (m.neid === 'started' || m.neid === 'ready');
