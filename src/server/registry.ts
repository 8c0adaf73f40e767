/**
 * The registry inside the running server: the database (opened before
 * anything else, so an unreachable one stops the start within the connect
 * timeout), crash recovery, the first-start import of the YAML registry, the
 * live registry every front-end reads, the audit trail, and the periodic jobs
 * (terminal renewal, audit retention, SAML metadata refresh).
 */
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { type EService, loadRegistry, type Registry } from '../config/relying-parties.js';
import type { ServerConfig } from '../config/server-config.js';
import { parseSpMetadata } from '../interfaces/saml/metadata/sp-metadata.js';
import type { KeySource } from '../provisioning/keys/source.js';
import { secretKeyFile } from '../provisioning/secret-key-file.js';
import { AuditTrail } from '../registry/audit/trail.js';
import { loadRegistryPki, type RegistryContext } from '../registry/context.js';
import type { Database } from '../registry/db/database.js';
import { migrate } from '../registry/db/migrate.js';
import { filingFromConfig } from '../registry/filing/trust.js';
import { Jobs } from '../registry/jobs.js';
import { type LiveLog, LiveRegistry } from '../registry/live.js';
import { SYSTEM } from '../registry/roles.js';
import { recoverRegistry } from '../registry/workflow/recovery.js';
import { renewDueTerminals } from '../registry/workflow/terminal-import.js';
import { importRegistry } from '../registry/yaml-import.js';

export interface RegistryRuntime {
  readonly ctx: RegistryContext;
  readonly live: LiveRegistry;
  readonly trail: AuditTrail;
  readonly jobs: Jobs;
  close(): Promise<void>;
}

export const EMPTY_REGISTRY: Registry = { file: '(none)', eServices: [], get: () => undefined };

/** The YAML registry file, when there is one (test PKI creation and the first-start import). */
export function yamlRegistry(config: ServerConfig): Registry {
  return existsSync(config.relyingParties)
    ? loadRegistry(config.relyingParties, { pkiDir: config.pki.dir })
    : EMPTY_REGISTRY;
}

const inspectSaml = (xml: string) => {
  const m = parseSpMetadata(xml);
  return { entityId: m.entityId, ...(m.validUntil ? { validUntil: m.validUntil } : {}) };
};

export async function startRegistry(
  config: ServerConfig,
  db: Database,
  keys: KeySource,
  log: LiveLog,
  o: { readonly ownsDatabase: boolean; readonly now?: () => Date },
): Promise<RegistryRuntime> {
  await migrate(db);
  const ctx: RegistryContext = {
    db,
    sealKey: secretKeyFile(config.registry.keyFile),
    keys,
    pki: loadRegistryPki(config.pki.dir, config.web.publicUrl),
    terminals: config.registry.terminals,
    filing: filingFromConfig(config.registry.filing, config.pki.dir, config.production),
    testPhase: config.registry.testPhase,
    now: o.now ?? (() => new Date()),
  };
  const recovered = await recoverRegistry(ctx, SYSTEM);
  if (recovered.discardedKeys.length || recovered.reordered.length || recovered.failed.length)
    log.warn({ ...recovered }, 'registry: steps interrupted by a crash were recovered');
  const [{ n }] = (await db.query<{ n: string | number }>('SELECT count(*) AS n FROM neid.eservices')) as [
    { n: string | number },
  ];
  if (Number(n) === 0) {
    const yaml = yamlRegistry(config);
    if (yaml.eServices.length) {
      const r = await importRegistry(ctx, SYSTEM, yaml, inspectSaml);
      log.info({ file: yaml.file, ...r }, 'registry was empty: imported the registry file');
    }
  }
  const live = await LiveRegistry.load(ctx, log);
  await live.start(config.registry.pollSeconds);
  warnAboutCertificates(live.eServices, log, ctx.now());
  const trail = new AuditTrail(db, log, { retentionDays: config.registry.audit.retentionDays });
  trail.start();
  const jobs = new Jobs(db, log);
  jobs.schedule({
    name: 'renew-terminals',
    everyMs: 3_600_000,
    run: async () => {
      const renewed = await renewDueTerminals(ctx, SYSTEM);
      for (const t of renewed)
        log.info(
          { eService: t.eServiceId, chr: t.chr, status: t.status },
          'terminal certificate renewal ordered',
        );
    },
  });
  jobs.schedule({ name: 'prune-audit', everyMs: 86_400_000, run: () => trail.prune(ctx.now()) });
  return {
    ctx,
    live,
    trail,
    jobs,
    async close() {
      await jobs.close();
      await live.close();
      await trail.close();
      if (o.ownsDatabase) await db.close();
    },
  };
}

/** Start-up warning for registered certificates that are no longer valid (refused on every request). */
function warnAboutCertificates(eServices: readonly EService[], log: LiveLog, now: Date): void {
  for (const es of eServices) {
    for (const c of es.soap?.certificates ?? []) {
      try {
        const x = new X509Certificate(c.pem);
        if (Date.parse(x.validTo) < now.getTime() || Date.parse(x.validFrom) > now.getTime())
          log.warn(
            { eService: es.id, usage: c.usage, notAfter: x.validTo },
            'a registered SOAP certificate is not valid now; requests with it are refused',
          );
      } catch {
        /* parsed when registered */
      }
    }
  }
}
