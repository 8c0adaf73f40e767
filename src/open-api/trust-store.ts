/**
 * Keeps a verifier's trust material current (docs/open-api.md §3): loads it
 * from a directory or the server's /trust/ URL, then refreshes it — for a URL
 * with conditional GETs (If-None-Match with the ETag held; a 304 confirms the
 * copy), for a directory by re-reading it. A refresh that fails, or whose
 * documents do not verify, keeps the last good material, which then ages
 * until `trustProblems` calls it stale and verifications fail closed.
 *
 * Only trust documents travel: the store never sends anything about a card.
 */
import { TRUST_DOCUMENTS, type TrustDocumentName } from '../pki/layout.js';
import { OpenApiError } from './errors.js';
import { fetchDocument } from './fetch.js';
import {
  buildTrust,
  type PublicTrust,
  readTrustDirectory,
  type TrustAnchor,
  type TrustDocuments,
} from './trust.js';

export const DEFAULT_MAX_AGE_SECONDS = 86_400;

export interface TrustSourceOptions {
  /** A directory holding the /trust/ documents, or the server's trust URL (…/trust/). */
  readonly source: string;
  readonly anchors: readonly TrustAnchor[];
  /** How long the material counts as current without its source confirming it; 0: no limit. Default 1 day. */
  readonly maxAgeSeconds?: number;
  /** Extra TLS trust (PEM) for an https source, e.g. a test server's self-signed certificate. */
  readonly tlsCa?: string | Buffer;
  readonly timeoutMs?: number;
  readonly now?: () => Date;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

export class TrustStore {
  private trust!: PublicTrust;
  private readonly held = new Map<TrustDocumentName, { bytes: Buffer; etag?: string }>();
  private timer?: NodeJS.Timeout;
  private readonly now: () => Date;

  private constructor(private readonly o: TrustSourceOptions) {
    this.now = o.now ?? (() => new Date());
    const max = o.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
    if (!Number.isInteger(max) || max < 0)
      throw new OpenApiError('invalid-argument', 'maxAgeSeconds must be a whole number ≥ 0');
  }

  /** Loads and verifies the material; OpenApiError('trust-unavailable') when that fails. */
  static async open(o: TrustSourceOptions): Promise<TrustStore> {
    const store = new TrustStore(o);
    await store.refresh();
    return store;
  }

  /** The material verified last (check it with `trustProblems` before use). */
  get current(): PublicTrust {
    return this.trust;
  }

  get source(): string {
    return this.o.source;
  }

  private build(docs: TrustDocuments, confirmedAt: Date): PublicTrust {
    return buildTrust(docs, {
      anchors: this.o.anchors,
      source: this.o.source,
      confirmedAt,
      maxAgeSeconds: this.o.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS,
      at: this.now(),
    });
  }

  /** Fetches (or re-reads) and verifies; returns whether a document changed. Keeps the old material on failure. */
  async refresh(): Promise<boolean> {
    if (!isUrl(this.o.source)) {
      const { docs, writtenAt } = readTrustDirectory(this.o.source);
      const changed = !this.trust || this.changedFrom(docs);
      if (changed) this.trust = this.build(docs, writtenAt);
      else this.trust = { ...this.trust, confirmedAt: writtenAt };
      this.remember(docs);
      return changed;
    }
    const base = new URL(this.o.source.endsWith('/') ? this.o.source : `${this.o.source}/`);
    const names = Object.values(TRUST_DOCUMENTS);
    const fetched = await Promise.all(
      names.map((name) =>
        fetchDocument(new URL(name, base), {
          ...(this.held.get(name)?.etag ? { etag: this.held.get(name)!.etag! } : {}),
          ...(this.o.tlsCa ? { tlsCa: this.o.tlsCa } : {}),
          ...(this.o.timeoutMs ? { timeoutMs: this.o.timeoutMs } : {}),
        }),
      ),
    );
    const confirmedAt = this.now();
    const next = new Map(this.held);
    let changed = false;
    fetched.forEach((r, i) => {
      const name = names[i]!;
      if (r.status === 304) {
        if (!next.has(name)) throw new OpenApiError('trust-unavailable', `${name}: 304 without a copy held`);
        return;
      }
      if (!next.get(name)?.bytes.equals(r.body)) changed = true;
      next.set(name, { bytes: r.body, ...(r.etag ? { etag: r.etag } : {}) });
    });
    if (changed || !this.trust) {
      const docs = {
        masterList: next.get(TRUST_DOCUMENTS.masterList)!.bytes,
        crls: [next.get(TRUST_DOCUMENTS.crl)!.bytes],
        cardRevocation: next.get(TRUST_DOCUMENTS.cardRevocation)!.bytes,
      };
      this.trust = this.build(docs, confirmedAt);
    } else {
      this.trust = { ...this.trust, confirmedAt };
    }
    for (const [k, v] of next) this.held.set(k, v);
    return changed;
  }

  private changedFrom(docs: TrustDocuments): boolean {
    const same = (name: TrustDocumentName, b: Buffer) => this.held.get(name)?.bytes.equals(b) ?? false;
    return !(
      same(TRUST_DOCUMENTS.masterList, docs.masterList) &&
      same(TRUST_DOCUMENTS.crl, docs.crls[0]!) &&
      same(TRUST_DOCUMENTS.cardRevocation, docs.cardRevocation)
    );
  }

  private remember(docs: TrustDocuments): void {
    this.held.set(TRUST_DOCUMENTS.masterList, { bytes: docs.masterList });
    this.held.set(TRUST_DOCUMENTS.crl, { bytes: docs.crls[0]! });
    this.held.set(TRUST_DOCUMENTS.cardRevocation, { bytes: docs.cardRevocation });
  }

  /** Refreshes every `intervalMs`; a failure is reported to `onError` and the old material kept. */
  start(intervalMs: number, onError: (e: Error) => void, onRefresh?: (changed: boolean) => void): void {
    this.stop();
    this.timer = setInterval(() => {
      this.refresh().then(
        (changed) => onRefresh?.(changed),
        (e: Error) => onError(e),
      );
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
