/**
 * `neid registry import FILE` and the first start of a server with an empty
 * registry: the eServices of a registry file in today's YAML format
 * (config/relying-parties.yaml) become live registry records — each with an
 * approved application recorded as imported, its SAML/OIDC/SOAP registrations
 * (files read into the database) and a terminal certificate:
 *
 * - adopted from the PKI directory when `neid pki init` issued one there for
 *   this PKI (so existing cards and deployments keep working unchanged);
 * - else ordered like an approval (the test DV issues it at once; in
 *   production it waits for `neid terminal import`).
 *
 * eServices already in the registry are left alone (reported as skipped).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { needsJwks, type OidcSettings, oidcClientJwksFile } from '../config/eservice/oidc.js';
import type { EService, Registry } from '../config/relying-parties.js';
import { loadPrivateKey } from '../crypto/keys.js';
import { CvCertificate } from '../pki/cvc/certificate.js';
import { validateChain } from '../pki/cvc/chain.js';
import { dateString } from '../pki/cvc/dates.js';
import { terminalFiles } from '../pki/layout.js';
import { appendAudit } from './audit/chain.js';
import { markChanged, type RegistryContext } from './context.js';
import type { Queryable } from './db/database.js';
import { RegistryError } from './errors.js';
import type { ApplicationForm } from './model.js';
import type { Principal } from './roles.js';
import { getApplication, insertApplication, updateApplication } from './store/applications.js';
import { getEService, insertEService, updateEService } from './store/eservices.js';
import { addSoapCertificate, putOidc, putSaml, putSoapSettings } from './store/frontends.js';
import { insertTerminal } from './store/terminals.js';
import { sealSectorKey, sealTerminalKey } from './terminal-keys.js';
import { orderTerminal } from './workflow/terminals.js';

/** What the SAML front-end reads from SP metadata (passed in: the parser lives in interfaces/saml). */
export type SamlMetadataInspector = (xml: string, source: string) => { entityId: string; validUntil?: Date };

export interface ImportResult {
  readonly imported: readonly string[];
  readonly skipped: readonly string[];
  /** eServices whose terminal certificate waits for the Ministry's DV (`neid terminal request`). */
  readonly awaitingCertificate: readonly string[];
}

const readText = (file: string, what: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new RegistryError('invalid', `${what} ${file}: ${(e as Error).message}`);
  }
};

/** The OIDC settings with their files read in (the database holds no paths). */
function heldOidc(es: EService, pkiDir: string): OidcSettings {
  const o = es.oidc!;
  if (!o.client) return o;
  const c = o.client;
  const jwksFile = c.jwks ?? join(pkiDir, oidcClientJwksFile(es.id));
  const { jwks: _j, tlsClientCa: _t, ...rest } = c;
  return {
    ...o,
    client: {
      ...rest,
      ...(needsJwks(c) ? { jwksDocument: JSON.parse(readText(jwksFile, 'OIDC client JWKS')) } : {}),
      ...(c.tlsClientCa ? { tlsClientCaPem: readText(c.tlsClientCa, 'OIDC client CA') } : {}),
    },
  };
}

/** The terminal `neid pki init` issued for `es` in this PKI, if there is one. */
function adoptable(ctx: RegistryContext, es: EService): CvCertificate | undefined {
  const f = terminalFiles(es.id);
  const file = join(ctx.pki.dir, f.cert);
  if (!existsSync(file)) return undefined;
  const cert = CvCertificate.decode(readFileSync(file));
  try {
    validateChain([ctx.pki.dv, cert], {
      trustPoints: [ctx.pki.cvca],
      currentDate: dateString(ctx.now()),
      dateMode: 'clock',
    });
  } catch {
    return undefined; // from another PKI, or expired: order a new one instead
  }
  return cert;
}

async function adopt(
  ctx: RegistryContext,
  q: Queryable,
  es: EService,
  cert: CvCertificate,
  applicationId: string,
) {
  const f = terminalFiles(es.id);
  const read = (rel: string) => readFileSync(join(ctx.pki.dir, rel));
  const sector = loadPrivateKey(read(f.sectorKey));
  await q.query('INSERT INTO neid.sector_keys (eservice_id, private_key) VALUES ($1, $2)', [
    es.id,
    sealSectorKey(ctx.sealKey, es.id, sector),
  ]);
  const inToken = !existsSync(join(ctx.pki.dir, f.key));
  if (inToken && !ctx.keys.description.startsWith('PKCS#11'))
    throw new RegistryError('invalid', `eService ${es.id}: ${join(ctx.pki.dir, f.key)} is missing`);
  // The key is checked against the certificate now (a token key by its label), so a mismatch stops the import.
  ctx.keys.signingKey({ terminal: es.id }, cert.keyObject(ctx.pki.curve));
  await insertTerminal(q, {
    chr: cert.chr,
    eServiceId: es.id,
    applicationId,
    status: 'active',
    purpose: 'imported',
    keyStore: inToken ? 'pkcs11' : 'sealed',
    ...(inToken
      ? { keyLabel: `neid-terminal-${es.id}` }
      : { privateKey: sealTerminalKey(ctx.sealKey, cert.chr, loadPrivateKey(read(f.key))) }),
    publicKey: cert.keyObject(ctx.pki.curve).export({ format: 'der', type: 'spki' }),
    certificate: cert.raw,
    description: read(f.description),
    chat: cert.chat.encode(),
    effectiveDate: cert.effectiveDate,
    expirationDate: cert.expirationDate,
    activatedAt: ctx.now(),
  });
}

export async function importRegistry(
  ctx: RegistryContext,
  actor: Principal,
  registry: Registry,
  inspectSaml: SamlMetadataInspector,
): Promise<ImportResult> {
  const imported: string[] = [];
  const skipped: string[] = [];
  const awaiting: string[] = [];
  for (const es of registry.eServices) {
    const exists = await getEService(ctx.db, es.id).then(
      () => true,
      () => false,
    );
    if (exists) {
      skipped.push(es.id);
      continue;
    }
    const cert = adoptable(ctx, es);
    const saml = es.saml
      ? (() => {
          const xml = es.saml.metadataXml ?? readText(es.saml.metadata, 'SAML metadata');
          return { xml, ...inspectSaml(xml, es.saml.metadata) };
        })()
      : undefined;
    const appId = await ctx.db.tx(async (q) => {
      await insertEService(
        q,
        {
          id: es.id,
          displayName: es.displayName,
          purpose: es.purpose,
          ...(es.url ? { url: es.url } : {}),
          terminalMnemonic: es.terminalMnemonic,
          ...(es.terminalSubjectUrl ? { terminalSubjectUrl: es.terminalSubjectUrl } : {}),
          commCertificates: (es.terminalCommCertificates ?? []).map((f) =>
            readText(f, 'terminal.commCertificates'),
          ),
          maxOpenSessions: es.maxOpenSessions,
        },
        'pending',
      );
      const app = await insertApplication(q, {
        eServiceId: es.id,
        kind: 'initial',
        status: 'approved',
        form: { importedFrom: registry.file } as unknown as ApplicationForm,
        requestedFields: es.approvedFields,
        requestedFunctions: es.approvedFunctions,
        createdBy: actor.id,
      });
      await updateApplication(q, app.id, {
        stamp: 'decided_at',
        decision: {
          outcome: 'approved',
          text: `imported from ${registry.file}`,
          by: actor.id,
          at: ctx.now().toISOString(),
        },
      });
      if (saml) {
        await putSaml(q, {
          eServiceId: es.id,
          settings: {
            nameIdFormat: es.saml!.nameIdFormat,
            algorithms: es.saml!.algorithms,
            requireSignedRequests: es.saml!.requireSignedRequests,
            resultStyle: es.saml!.resultStyle,
          },
          source: 'upload',
          metadataXml: saml.xml,
          entityId: saml.entityId,
          ...(saml.validUntil ? { validUntil: saml.validUntil } : {}),
        });
      }
      if (es.oidc) {
        const held = heldOidc(es, ctx.pki.dir);
        await putOidc(q, es.id, held.client?.clientId, held as unknown as Record<string, unknown>);
      }
      if (es.soap) {
        await putSoapSettings(q, es.id, { requestCounter: es.soap.requestCounter });
        const client = readText(es.soap.clientCertificate, 'soap.clientCertificate');
        await addSoapCertificate(q, es.id, 'tls-client', client);
        const signing = es.soap.signingCertificate
          ? readText(es.soap.signingCertificate, 'soap.signingCertificate')
          : client;
        await addSoapCertificate(q, es.id, 'signing', signing);
      }
      if (cert) {
        await adopt(ctx, q, es, cert, app.id);
        await updateApplication(q, app.id, { status: 'active', stamp: 'activated_at' });
        await updateEService(q, es.id, {
          status: 'active',
          approvedFields: es.approvedFields,
          approvedFunctions: es.approvedFunctions,
          activeApplication: app.id,
        });
      }
      await appendAudit(
        q,
        [
          {
            actor: actor.id,
            action: 'registry.import',
            target: `eservice:${es.id}`,
            outcome: 'ok',
            details: {
              file: registry.file,
              approvedFields: es.approvedFields,
              approvedFunctions: es.approvedFunctions,
              terminal: cert ? `adopted ${cert.chr}` : 'ordered',
            },
          },
        ],
        ctx.now(),
      );
      await markChanged(q);
      return app.id;
    });
    if (!cert) {
      const app = await getApplication(ctx.db, appId);
      const t = await orderTerminal(ctx, actor, { eServiceId: es.id, purpose: 'initial', application: app });
      if (t.status !== 'active') awaiting.push(es.id);
    }
    imported.push(es.id);
  }
  return { imported, skipped, awaitingCertificate: awaiting };
}
