/**
 * The server's Prometheus metrics (prom-client), all in one registry of one module, so that a
 * cluster aggregator (prom-client's AggregatorRegistry, one registry per worker) can be put in
 * front of it: every gauge states how copies from several workers combine (`aggregator`).
 *
 * Labels are bounded: eService ids come from the registry, protocols, outcomes and steps are
 * fixed sets, and wire codes pass through `BoundedLabel` (a code sent by an eID-Client is not
 * trusted to be one of a few). No session id, request id or personal data is ever a label.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export type Protocol = 'paos' | 'soap' | 'saml' | 'oidc';

/** A certificate whose expiry is watched (certificates.ts). */
export interface CertificateExpiry {
  /** terminal, dv, cvca, tls, saml, soap, oidc, csca, soap-client, saml-sp. */
  readonly kind: string;
  /** Which one of its kind: an eService id, a key name or a CHR. */
  readonly name: string;
  readonly notAfter: Date;
}

/** What the gauges read at scrape time; each source is cheap (cached state, a count per eService). */
export interface MetricSources {
  readonly openSessions?: () => Promise<ReadonlyMap<string, number>>;
  readonly certificates?: () => readonly CertificateExpiry[];
  /** thisUpdate of the last card revocation list loaded and whether it is current (undefined: none loaded). */
  readonly revocationList?: () => { readonly thisUpdate: Date; readonly current: boolean } | undefined;
  readonly crls?: () => readonly { readonly issuer: string; readonly thisUpdate: Date }[];
  readonly dependencies?: () => ReadonlyMap<string, boolean>;
}

/** Values of a label: a short, plain code, and at most `max` distinct ones; the rest is 'other'. */
export class BoundedLabel {
  private readonly seen = new Set<string>();
  constructor(private readonly max = 64) {}

  of(value: string | undefined): string {
    if (!value) return 'none';
    // ResultMinor URIs: the part after ".../resultminor/" (al/common#internalError, getResult#invalidDocument).
    const v = value.replace(/^.*\/resultminor\/?/, '');
    if (!/^[A-Za-z0-9_.:#/-]{1,80}$/.test(v)) return 'other';
    if (this.seen.has(v)) return v;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(v);
    return v;
  }
}

export class Metrics {
  readonly registry = new Registry();
  private readonly codes = new BoundedLabel();
  private readonly logins: Counter<'eservice' | 'protocol' | 'outcome'>;
  private readonly loginSeconds: Histogram<'protocol' | 'outcome'>;
  private readonly stepSeconds: Histogram<'step'>;
  private readonly failures: Counter<'protocol' | 'eservice' | 'code'>;
  private readonly capRefusals: Counter<'eservice' | 'limit' | 'stage'>;

  constructor(sources: MetricSources = {}) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.logins = new Counter({
      name: 'neid_logins_total',
      help: 'Finished authentications by eService, front-end protocol and outcome (ok or the failure code)',
      labelNames: ['eservice', 'protocol', 'outcome'],
      registers,
    });
    this.loginSeconds = new Histogram({
      name: 'neid_login_duration_seconds',
      help: 'Time from the front-end request to the end of the authentication (includes the citizen)',
      labelNames: ['protocol', 'outcome'],
      buckets: [2, 5, 10, 20, 30, 45, 60, 90, 120, 300, 600],
      registers,
    });
    this.stepSeconds = new Histogram({
      name: 'neid_eac_step_duration_seconds',
      help: "The server's time for one PAOS message of the EAC conversation, by the step it answers",
      labelNames: ['step'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.failures = new Counter({
      name: 'neid_failures_total',
      help: 'Error answers on the wire: PAOS/SOAP ResultMinor, SAML status reason, OAuth error',
      labelNames: ['protocol', 'eservice', 'code'],
      registers,
    });
    this.capRefusals = new Counter({
      name: 'neid_session_cap_refusals_total',
      help: 'Logins refused at a session cap: maxOpenSessions of the eService, or maxUnclaimed of the server; stage create (a new login) or admit (an eID-Client picking one up)',
      labelNames: ['eservice', 'limit', 'stage'],
      registers,
    });
    new Gauge({
      name: 'neid_open_sessions',
      help: 'Open authentication sessions per eService (across instances with the Redis store)',
      labelNames: ['eservice'],
      aggregator: 'first',
      registers,
      async collect() {
        this.reset();
        const counts = await sources.openSessions?.().catch(() => undefined);
        for (const [eservice, n] of counts ?? []) this.set({ eservice }, n);
      },
    });
    new Gauge({
      name: 'neid_certificate_expiry_seconds',
      help: 'Time until a certificate of the server, its PKI or a registered eService expires (days: / 86400; negative: expired)',
      labelNames: ['kind', 'name'],
      aggregator: 'min',
      registers,
      collect() {
        this.reset();
        const now = Date.now();
        for (const c of sources.certificates?.() ?? [])
          this.set({ kind: c.kind, name: c.name }, (c.notAfter.getTime() - now) / 1000);
      },
    });
    new Gauge({
      name: 'neid_revocation_list_age_seconds',
      help: 'Age (since thisUpdate) of the last card revocation list loaded; +Inf when none was',
      aggregator: 'max',
      registers,
      collect() {
        const l = sources.revocationList?.();
        this.set(l ? (Date.now() - l.thisUpdate.getTime()) / 1000 : Number.POSITIVE_INFINITY);
      },
    });
    new Gauge({
      name: 'neid_revocation_list_current',
      help: 'Whether a current card revocation list is in force (0: every authentication fails closed)',
      aggregator: 'min',
      registers,
      collect() {
        this.set(sources.revocationList?.()?.current ? 1 : 0);
      },
    });
    new Gauge({
      name: 'neid_crl_age_seconds',
      help: 'Age (since thisUpdate) of each CSCA certificate revocation list',
      labelNames: ['issuer'],
      aggregator: 'max',
      registers,
      collect() {
        this.reset();
        for (const c of sources.crls?.() ?? [])
          this.set({ issuer: c.issuer }, (Date.now() - c.thisUpdate.getTime()) / 1000);
      },
    });
    new Gauge({
      name: 'neid_dependency_up',
      help: 'Health of what the server depends on (1 up, 0 down): session store, PKI, revocation list, registry',
      labelNames: ['dependency'],
      aggregator: 'min',
      registers,
      collect() {
        this.reset();
        for (const [dependency, up] of sources.dependencies?.() ?? []) this.set({ dependency }, up ? 1 : 0);
      },
    });
  }

  /** An authentication ended (the EAC conversation): `outcome` is 'ok' or the AuthFailure code. */
  login(eService: string, protocol: string, outcome: string, seconds: number): void {
    this.logins.inc({ eservice: eService, protocol, outcome });
    this.loginSeconds.observe({ protocol, outcome }, seconds);
  }

  eacStep(step: string, seconds: number): void {
    this.stepSeconds.observe({ step }, seconds);
  }

  /** An error answer on the wire; `code` is bounded (BoundedLabel). */
  failure(protocol: Protocol, code: string, eService?: string): void {
    this.failures.inc({ protocol, eservice: eService ?? '', code: this.codes.of(code) });
  }

  /** A login refused because a session cap is reached (an eService locked out is visible). */
  capRefused(eService: string, limit: string, stage: string): void {
    this.capRefusals.inc({ eservice: eService, limit, stage });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
