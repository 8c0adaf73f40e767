/**
 * Front-end registrations of an eService — SAML SP metadata, the OIDC
 * client, SOAP settings and certificates — each change in one transaction
 * with its audit entry (before/after; metadata and PEMs by digest) and a
 * registry version bump, so every instance serves it within the poll/notify
 * delay.
 */
import { createHash } from 'node:crypto';
import { appendAudit } from '../audit/chain.js';
import { markChanged, type RegistryContext } from '../context.js';
import type { Queryable } from '../db/database.js';
import { RegistryError } from '../errors.js';
import type { Principal } from '../roles.js';
import { getEService } from '../store/eservices.js';
import {
  addSoapCertificate,
  getOidc,
  getSaml,
  getSoap,
  putOidc,
  putSaml,
  putSoapSettings,
  removeSoapCertificate,
  type SamlRegistration,
  type SoapCertificate,
} from '../store/frontends.js';

const digest = (s: string) => createHash('sha256').update(s).digest('hex');

async function changed(
  ctx: RegistryContext,
  q: Queryable,
  actor: Principal,
  action: string,
  eServiceId: string,
  details: Record<string, unknown>,
): Promise<void> {
  await appendAudit(
    q,
    [{ actor: actor.id, action, target: `eservice:${eServiceId}`, outcome: 'ok', details }],
    ctx.now(),
  );
  await markChanged(q);
}

async function usable(q: Queryable, id: string): Promise<void> {
  const es = await getEService(q, id, true);
  if (es.status === 'revoked') throw new RegistryError('wrong-state', `eService ${id} is revoked`);
}

const samlView = (s: SamlRegistration | undefined) =>
  s && {
    source: s.source,
    metadataUrl: s.metadataUrl ?? null,
    entityId: s.entityId,
    metadataSha256: digest(s.metadataXml),
    settings: s.settings,
  };

export async function registerSaml(
  ctx: RegistryContext,
  actor: Principal,
  reg: Omit<SamlRegistration, 'version' | 'updatedAt'>,
  expected?: number,
): Promise<SamlRegistration> {
  return ctx.db.tx(async (q) => {
    await usable(q, reg.eServiceId);
    const before = await getSaml(q, reg.eServiceId);
    if (expected !== undefined && before && before.version !== expected)
      throw new RegistryError(
        'stale',
        `the SAML registration is at version ${before.version}, not ${expected}`,
      );
    const after = await putSaml(q, reg);
    await changed(ctx, q, actor, 'saml.register', reg.eServiceId, {
      before: samlView(before),
      after: samlView(after),
    });
    return after;
  });
}

export async function unregisterFrontEnd(
  ctx: RegistryContext,
  actor: Principal,
  eServiceId: string,
  kind: 'saml' | 'oidc' | 'soap',
): Promise<void> {
  await ctx.db.tx(async (q) => {
    await usable(q, eServiceId);
    if (kind === 'soap')
      await q.query('DELETE FROM neid.soap_certificates WHERE eservice_id = $1', [eServiceId]);
    const rows = await q.query(`DELETE FROM neid.${kind}_registrations WHERE eservice_id = $1 RETURNING 1`, [
      eServiceId,
    ]);
    if (!rows.length)
      throw new RegistryError(
        'not-found',
        `eService ${eServiceId} has no ${kind.toUpperCase()} registration`,
      );
    await changed(ctx, q, actor, `${kind}.unregister`, eServiceId, {});
  });
}

/** `settings` as the OIDC front-end reads it (src/config/eservice/oidc.ts), files already inline. */
export async function registerOidc(
  ctx: RegistryContext,
  actor: Principal,
  eServiceId: string,
  settings: Record<string, unknown> & { client?: { clientId?: string } },
  expected?: number,
) {
  return ctx.db.tx(async (q) => {
    await usable(q, eServiceId);
    const before = await getOidc(q, eServiceId);
    if (expected !== undefined && before && before.version !== expected)
      throw new RegistryError(
        'stale',
        `the OIDC registration is at version ${before.version}, not ${expected}`,
      );
    const after = await putOidc(q, eServiceId, settings.client?.clientId, settings);
    const view = (s: Record<string, unknown> | undefined) =>
      s && { sha256: digest(JSON.stringify(s)), clientId: settings.client?.clientId ?? null };
    await changed(ctx, q, actor, 'oidc.register', eServiceId, {
      before: view(before?.settings),
      after: view(after.settings),
    });
    return after;
  });
}

export async function setSoapSettings(
  ctx: RegistryContext,
  actor: Principal,
  eServiceId: string,
  settings: { requestCounter: 'strict' | 'increasing' },
) {
  return ctx.db.tx(async (q) => {
    await usable(q, eServiceId);
    const before = await getSoap(q, eServiceId);
    await putSoapSettings(q, eServiceId, settings);
    await changed(ctx, q, actor, 'soap.settings', eServiceId, {
      before: before?.settings ?? null,
      after: settings,
    });
    return (await getSoap(q, eServiceId))!;
  });
}

const certView = (c: SoapCertificate) => ({
  usage: c.usage,
  fingerprint: c.fingerprint,
  subject: c.subject,
  notAfter: c.notAfter.toISOString(),
});

export async function addSoapCert(
  ctx: RegistryContext,
  actor: Principal,
  eServiceId: string,
  usage: SoapCertificate['usage'],
  pem: string,
): Promise<SoapCertificate> {
  return ctx.db.tx(async (q) => {
    await usable(q, eServiceId);
    if (!(await getSoap(q, eServiceId))) await putSoapSettings(q, eServiceId, { requestCounter: 'strict' });
    const c = await addSoapCertificate(q, eServiceId, usage, pem);
    if (c.notAfter.getTime() <= ctx.now().getTime())
      throw new RegistryError(
        'invalid',
        `the certificate expired on ${c.notAfter.toISOString()}`,
        '/certificate',
      );
    await changed(ctx, q, actor, 'soap.certificate.add', eServiceId, { after: certView(c) });
    return c;
  });
}

export async function removeSoapCert(
  ctx: RegistryContext,
  actor: Principal,
  eServiceId: string,
  usage: SoapCertificate['usage'],
  fingerprint: string,
): Promise<void> {
  await ctx.db.tx(async (q) => {
    await usable(q, eServiceId);
    const c = await removeSoapCertificate(q, eServiceId, usage, fingerprint);
    await changed(ctx, q, actor, 'soap.certificate.remove', eServiceId, { before: certView(c) });
  });
}
