/**
 * One consistent picture of the live registry, read from the database: every
 * active eService as the front-ends consume it (src/config/relying-parties.ts
 * `EService`), with its SAML, OIDC and SOAP registrations, and the material
 * of its active terminal certificate. An active eService without a usable
 * terminal certificate is left out and reported (it cannot run EAC).
 */
import type { KeyObject } from 'node:crypto';
import type { OidcSettings } from '../config/eservice/oidc.js';
import type { SoapCertificateEntry } from '../config/eservice/soap.js';
import type { EService } from '../config/relying-parties.js';
import type { TerminalMaterial } from '../provisioning/store.js';
import type { RegistryContext } from './context.js';
import type { EServiceRecord } from './model.js';
import { eServiceOf } from './store/eservices.js';
import { samlOf } from './store/frontends.js';
import { bytes, type Row } from './store/rows.js';
import { terminalOf } from './store/terminals.js';
import { terminalMaterial, unsealSectorKey } from './terminal-keys.js';

export interface Snapshot {
  readonly version: number;
  readonly loadedAt: Date;
  readonly eServices: readonly EService[];
  readonly terminals: ReadonlyMap<string, TerminalMaterial>;
  /** Active eServices left out, and why. */
  readonly problems: readonly { readonly eServiceId: string; readonly message: string }[];
}

/** Terminal material by CHR: certificates and keys are immutable, so reloads reuse them. */
export type MaterialCache = Map<string, { readonly material: TerminalMaterial; readonly sector: KeyObject }>;

export async function loadSnapshot(
  ctx: RegistryContext,
  cache: MaterialCache = new Map(),
): Promise<Snapshot> {
  const { db } = ctx;
  // One REPEATABLE READ transaction would be stricter; the version read first and the NOTIFY after
  // every change make a torn read heal at the next reload.
  const [state] = await db.query<{ version: string | number }>('SELECT version FROM neid.registry_state');
  const version = Number(state!.version);
  const records = (
    await db.query<Row>("SELECT * FROM neid.eservices WHERE status = 'active' ORDER BY id")
  ).map(eServiceOf);
  const ids = records.map((r) => r.id);
  const byId = <T>(rows: Row[], f: (r: Row) => T) =>
    new Map(rows.map((r) => [r.eservice_id as string, f(r)]));
  const saml = byId(
    await db.query<Row>('SELECT * FROM neid.saml_registrations WHERE eservice_id = ANY($1::text[])', [ids]),
    samlOf,
  );
  const oidc = byId(
    await db.query<Row>(
      'SELECT eservice_id, settings FROM neid.oidc_registrations WHERE eservice_id = ANY($1::text[])',
      [ids],
    ),
    (r) => r.settings as OidcSettings,
  );
  const soap = byId(
    await db.query<Row>(
      'SELECT eservice_id, settings FROM neid.soap_registrations WHERE eservice_id = ANY($1::text[])',
      [ids],
    ),
    (r) => r.settings as { requestCounter: 'strict' | 'increasing' },
  );
  const soapCerts = new Map<string, SoapCertificateEntry[]>();
  for (const r of await db.query<Row>(
    'SELECT eservice_id, usage, pem FROM neid.soap_certificates WHERE eservice_id = ANY($1::text[]) ORDER BY not_after DESC',
    [ids],
  )) {
    const list = soapCerts.get(r.eservice_id as string) ?? [];
    list.push({ usage: r.usage as SoapCertificateEntry['usage'], pem: r.pem as string });
    soapCerts.set(r.eservice_id as string, list);
  }
  const terminals = byId(
    await db.query<Row>(
      "SELECT * FROM neid.terminals WHERE status = 'active' AND eservice_id = ANY($1::text[])",
      [ids],
    ),
    terminalOf,
  );
  const sectors = byId(
    await db.query<Row>(
      'SELECT eservice_id, private_key FROM neid.sector_keys WHERE eservice_id = ANY($1::text[])',
      [ids],
    ),
    (r) => bytes(r.private_key)!,
  );

  const eServices: EService[] = [];
  const materials = new Map<string, TerminalMaterial>();
  const problems: { eServiceId: string; message: string }[] = [];
  for (const rec of records) {
    const t = terminals.get(rec.id);
    const sealedSector = sectors.get(rec.id);
    if (!t?.certificate || !sealedSector) {
      problems.push({ eServiceId: rec.id, message: 'active, but it has no active terminal certificate' });
      continue;
    }
    let hit = cache.get(t.chr);
    if (!hit) {
      try {
        const sector = unsealSectorKey(ctx.sealKey, rec.id, sealedSector);
        hit = { material: terminalMaterial(ctx, t, sector), sector };
        cache.set(t.chr, hit);
      } catch (e) {
        problems.push({
          eServiceId: rec.id,
          message: `terminal ${t.chr} is unusable: ${(e as Error).message}`,
        });
        continue;
      }
    }
    materials.set(rec.id, hit.material);
    eServices.push(
      toEService(rec, {
        saml: saml.get(rec.id),
        oidc: oidc.get(rec.id),
        soap: soap.get(rec.id),
        soapCertificates: soapCerts.get(rec.id) ?? [],
      }),
    );
  }
  return { version, loadedAt: new Date(), eServices, terminals: materials, problems };
}

function toEService(
  r: EServiceRecord,
  f: {
    saml?: ReturnType<typeof samlOf> | undefined;
    oidc?: OidcSettings | undefined;
    soap?: { requestCounter: 'strict' | 'increasing' } | undefined;
    soapCertificates: readonly SoapCertificateEntry[];
  },
): EService {
  return {
    id: r.id,
    displayName: r.displayName,
    purpose: r.purpose,
    ...(r.url ? { url: r.url } : {}),
    approvedFields: r.approvedFields,
    approvedFunctions: r.approvedFunctions,
    terminalMnemonic: r.terminalMnemonic,
    ...(r.terminalSubjectUrl ? { terminalSubjectUrl: r.terminalSubjectUrl } : {}),
    maxOpenSessions: r.maxOpenSessions,
    ...(r.networks.length ? { networks: r.networks } : {}),
    ...(f.saml
      ? {
          saml: {
            metadata: f.saml.metadataUrl ?? `registry:${r.id}`,
            metadataXml: f.saml.metadataXml,
            resultStyle: 'auto' as const,
            ...f.saml.settings,
          },
        }
      : {}),
    ...(f.soap
      ? {
          soap: {
            clientCertificate: `registry:${r.id}`,
            requestCounter: f.soap.requestCounter,
            certificates: f.soapCertificates,
          },
        }
      : {}),
    ...(f.oidc ? { oidc: f.oidc } : {}),
  };
}
