/**
 * An eService's life after approval: its profile (names, purpose, URL, the
 * session cap) changes directly; suspension takes it out of service at once on
 * every instance and resumption puts it back; revocation is final (its
 * terminal keys are destroyed). Approved fields change only by an application.
 * A changed profile reaches the CertificateDescription with the next terminal
 * certificate (amendment or renewal).
 */
import { appendAudit } from '../audit/chain.js';
import { testLogins } from '../audit/query.js';
import { markChanged, type RegistryContext } from '../context.js';
import { RegistryError } from '../errors.js';
import type { EServiceRecord, EServiceStatus } from '../model.js';
import { parseCidr } from '../networks.js';
import type { Principal } from '../roles.js';
import { getApplication, updateApplication } from '../store/applications.js';
import { type EServicePatch, getEService, updateEService } from '../store/eservices.js';
import { parseCertificatePem } from '../store/frontends.js';
import { terminalsOf } from '../store/terminals.js';
import { discardTerminalKey } from '../terminal-keys.js';
import { orderTerminal } from './terminals.js';

export async function patchEService(
  ctx: RegistryContext,
  actor: Principal,
  id: string,
  expected: number | undefined,
  patch: EServicePatch,
): Promise<EServiceRecord> {
  // TLS certificates for the CertificateDescription: each must be one (stored in its clean PEM form).
  const comm = patch.commCertificates?.map(
    (pem, i) => parseCertificatePem(pem, `/commCertificates/${i}`).pem,
  );
  const networks = patch.networks?.map((n, i) => parseCidr(n, `/networks/${i}`));
  return ctx.db.tx(async (q) => {
    const before = await getEService(q, id, true);
    if (before.status === 'revoked') throw new RegistryError('wrong-state', `eService ${id} is revoked`);
    const after = await updateEService(
      q,
      id,
      { ...patch, ...(comm ? { commCertificates: comm } : {}), ...(networks ? { networks } : {}) },
      expected,
    );
    await appendAudit(
      q,
      [
        {
          actor: actor.id,
          action: 'eservice.update',
          target: `eservice:${id}`,
          outcome: 'ok',
          details: { before, after },
        },
      ],
      ctx.now(),
    );
    await markChanged(q);
    return after;
  });
}

const TRANSITIONS: Record<'suspend' | 'resume' | 'revoke', { from: EServiceStatus[]; to: EServiceStatus }> = {
  suspend: { from: ['active'], to: 'suspended' },
  resume: { from: ['suspended'], to: 'active' },
  revoke: { from: ['active', 'suspended', 'pending'], to: 'revoked' },
};

export async function changeEServiceStatus(
  ctx: RegistryContext,
  actor: Principal,
  id: string,
  action: keyof typeof TRANSITIONS,
  expected: number | undefined,
  reason?: string,
): Promise<EServiceRecord> {
  const t = TRANSITIONS[action];
  const out = await ctx.db.tx(async (q) => {
    const before = await getEService(q, id, true);
    // The console's own eService carries every admin's card sign-in: it is the server's, not an admin's.
    if (before.activeApplication && (await getApplication(q, before.activeApplication)).form.system)
      throw new RegistryError(
        'wrong-state',
        `eService ${id} is the server's own (the console's card sign-in)`,
      );
    if (!t.from.includes(before.status))
      throw new RegistryError(
        'wrong-state',
        `eService ${id} is ${before.status}; ${action} needs ${t.from.join(' or ')}`,
      );
    const after = await updateEService(q, id, { status: t.to }, expected);
    if (before.activeApplication)
      await updateApplication(q, before.activeApplication, {
        status: t.to === 'suspended' ? 'suspended' : t.to === 'revoked' ? 'revoked' : 'active',
      });
    if (action === 'revoke') {
      await q.query(
        `UPDATE neid.terminals SET status = 'withdrawn', private_key = NULL
         WHERE eservice_id = $1 AND status IN ('active', 'requested', 'generating')`,
        [id],
      );
      await q.query(
        `UPDATE neid.applications SET status = 'rejected', version = version + 1, updated_at = now()
         WHERE eservice_id = $1 AND status IN ('draft', 'submitted', 'reviewed', 'approved')`,
        [id],
      );
    }
    await appendAudit(
      q,
      [
        {
          actor: actor.id,
          action: `eservice.${action}`,
          target: `eservice:${id}`,
          outcome: 'ok',
          details: {
            before: { status: before.status },
            after: { status: after.status },
            ...(reason ? { reason } : {}),
          },
        },
      ],
      ctx.now(),
    );
    await markChanged(q);
    return after;
  });
  if (action === 'revoke') {
    for (const term of await terminalsOf(ctx.db, id))
      if (term.keyStore === 'pkcs11') discardTerminalKey(ctx, { name: { terminal: id, chr: term.chr } });
  }
  return out;
}

/**
 * A reviewer promotes an eService from its test phase to production after checking its test logins
 * (seed 004 第陸章 壹.一): a terminal key and request for the production DV — issued at once with a
 * test PKI, else awaiting the Ministry's DV — whose activation ends the test phase; the test
 * certificate is superseded then, so test and production credentials never overlap.
 */
export async function promoteEService(ctx: RegistryContext, actor: Principal, id: string) {
  const es = await getEService(ctx.db, id);
  if (es.status !== 'active' || es.phase !== 'test')
    throw new RegistryError(
      'wrong-state',
      `eService ${id} is ${es.status} in its ${es.phase} phase; only an active eService in its test phase is promoted`,
    );
  const logins = await testLogins(ctx.db, id);
  if (logins.ok === 0)
    throw new RegistryError(
      'wrong-state',
      `eService ${id} has no successful test login yet; it is promoted after its tests (with test cards)`,
    );
  return orderTerminal(ctx, actor, { eServiceId: id, purpose: 'promotion', environment: 'production' });
}
