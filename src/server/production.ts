/**
 * What NODE_ENV=production means at start-up (docs/operations.md, "Production checklist"): the
 * server never creates a test PKI, refuses to run on one unless `pki.allowTestPki` says so (the
 * published demo SP keys are refused in front-ends.ts), and every start prints a summary of what
 * it loaded, so an operator sees at once which PKI, keys, registry and store are in use.
 */
import type { Registry } from '../config/relying-parties.js';
import type { ServerConfig } from '../config/server-config.js';
import type { CertificateExpiry } from '../operations/metrics.js';
import type { KeySource } from '../provisioning/keys/source.js';
import type { RevocationLists } from '../provisioning/revocation.js';
import type { PkiMaterial } from '../provisioning/store.js';
import { redactUrl } from '../workflows/session/redis-connection.js';

/** A test CVCA: its holder reference's mnemonic starts with TEST (TWTESTCVCA00001, DETESTeID00005). */
export const isTestCvca = (chr: string): boolean => /^[A-Z]{2}TEST/.test(chr);

/** No PKI in the directory: a test PKI may be created only outside production. */
export function mayCreateTestPki(config: ServerConfig): void {
  if (config.production)
    throw new Error(
      `no PKI in ${config.pki.dir}: NODE_ENV=production never creates a test PKI; install the production PKI there (docs/operations.md)`,
    );
  if (!config.pki.autoCreate)
    throw new Error(`no PKI in ${config.pki.dir}; run "neid pki init --out ${config.pki.dir}"`);
}

export function checkPki(config: ServerConfig, pki: PkiMaterial, warn: (o: object, m: string) => void): void {
  if (!isTestCvca(pki.cvca.chr)) return;
  if (config.production && !config.pki.allowTestPki)
    throw new Error(
      `the PKI in ${config.pki.dir} is a TEST PKI (CVCA ${pki.cvca.chr}); NODE_ENV=production refuses it unless pki.allowTestPki is true`,
    );
  if (config.production)
    warn({ cvca: pki.cvca.chr }, 'running on a TEST PKI (pki.allowTestPki): no real card trusts it');
}

export interface SummaryParts {
  readonly config: ServerConfig;
  readonly registry: Registry;
  /** Where the registry lives (its database, the password masked). */
  readonly registryDatabase: string;
  readonly pki: PkiMaterial;
  readonly keys: KeySource;
  readonly revocation: RevocationLists;
  readonly certificates: readonly CertificateExpiry[];
  readonly metricsUrl?: string;
}

/** The fields of the start-up line: no secret (the Redis password is masked), no personal data. */
export function startupSummary(p: SummaryParts): Record<string, unknown> {
  const c = p.config;
  const first = [...p.certificates].sort((a, b) => a.notAfter.getTime() - b.notAfter.getTime())[0];
  return {
    mode: c.production ? 'production' : 'development',
    web: c.web.publicUrl,
    pskUrl: c.psk?.publicUrl,
    metricsUrl: p.metricsUrl,
    pki: {
      dir: p.pki.dir,
      cvca: p.pki.cvca.chr,
      dv: p.pki.dv.chr,
      test: isTestCvca(p.pki.cvca.chr),
      terminals: p.pki.terminals.size,
      ...(first
        ? { firstExpiry: { kind: first.kind, name: first.name, notAfter: first.notAfter.toISOString() } }
        : {}),
    },
    keySource: p.keys.description,
    registry: { database: p.registryDatabase, eServices: p.registry.eServices.map((e) => e.id) },
    store: c.sessions.store,
    ...(c.sessions.store === 'redis' ? { redis: redactUrl(c.sessions.redisUrl) } : {}),
    revocationList: {
      current: p.revocation.isCurrent,
      nextUpdate: p.revocation.updates?.nextUpdate.toISOString(),
    },
    demo: c.demo.enabled,
  };
}
