/**
 * Terminal certificates for approved eServices — without touching the CVCA,
 * the DV or any card. For an approval, an amendment or a renewal the server
 * makes a new terminal key and a CV certificate request (TR-03110-3 §C.2)
 * whose inner signature is by the new key and, when the eService already has
 * a terminal certificate, whose outer signature is by the current one. The
 * certificate grants exactly the approved fields and functions plus
 * Restricted Identification (chatFor):
 *
 * - with a test PKI, the embedded test DV issues it at once;
 * - in production the request waits (`requested`) until the certificate the
 *   Ministry's DV returned is imported (`neid terminal import`, the API),
 *   which checks it against the request and the approval.
 *
 * Activation is one transaction: the terminal becomes active, its
 * predecessor superseded, the application active, the eService live with the
 * approved fields, and every instance is notified. Nothing is stored before
 * that transaction except a token key's `generating` marker, which a failure
 * (or the next start, after a crash) destroys with the key.
 */
import { createHash } from 'node:crypto';
import { publicPointOf } from '../../crypto/keys.js';
import type { CvCertificate } from '../../pki/cvc/certificate.js';
import { hashCertificateDescription } from '../../pki/cvc/certificate-description.js';
import { dateString } from '../../pki/cvc/dates.js';
import { nextSequence } from '../../pki/cvc/holder-reference.js';
import { issueSubordinateCertificate, sectorKeyHash } from '../../pki/cvc/issue.js';
import { createCvRequest } from '../../pki/cvc/request.js';
import { derFromPem } from '../../pki/x509/pem.js';
import { chatFor } from '../../profile/authorization.js';
import { terminalDescription } from '../../provisioning/terminal-description.js';
import { appendAudit } from '../audit/chain.js';
import { markChanged, type RegistryContext } from '../context.js';
import type { Queryable } from '../db/database.js';
import { RegistryError } from '../errors.js';
import type { ApplicationRecord, EServiceRecord, TerminalPurpose, TerminalRecord } from '../model.js';
import type { Principal } from '../roles.js';
import { getApplication, updateApplication } from '../store/applications.js';
import { getEService, updateEService } from '../store/eservices.js';
import {
  chrsOf,
  deleteTerminal,
  getTerminal,
  insertTerminal,
  setTerminalStatus,
  terminalOf,
  terminalsByStatus,
} from '../store/terminals.js';
import { discardTerminalKey, newTerminalKey, sectorKeyOf, terminalSigningKey } from '../terminal-keys.js';
import { SYSTEM_FORM } from './applications.js';

const spki = (k: { export(o: { format: 'der'; type: 'spki' }): Buffer }) =>
  k.export({ format: 'der', type: 'spki' });

/** TW + mnemonic + the next 5-digit sequence of this eService's certificates. */
async function nextChr(q: Queryable, es: EServiceRecord): Promise<string> {
  const used = (await chrsOf(q, es.id)).filter((c) => c.startsWith(`TW${es.terminalMnemonic}`)).sort();
  return used.length ? nextSequence(used[used.length - 1]!) : `TW${es.terminalMnemonic}00001`;
}

async function activeTerminal(q: Queryable, eServiceId: string): Promise<TerminalRecord | undefined> {
  const [row] = await q.query<Record<string, unknown>>(
    "SELECT * FROM neid.terminals WHERE eservice_id = $1 AND status = 'active'",
    [eServiceId],
  );
  return row ? terminalOf(row) : undefined;
}

export interface TerminalOrder {
  readonly eServiceId: string;
  readonly purpose: Exclude<TerminalPurpose, 'imported'>;
  /** The approved application (initial, amendment); renewals keep the eService's current approval. */
  readonly application?: ApplicationRecord;
  /**
   * Which EAC PKI: `test` — the test environment's DV (test cards only); default: a first approval
   * with `registry.testPhase` on is `test`, a promotion `production`, everything else stays in the
   * eService's phase.
   */
  readonly environment?: 'test' | 'production';
}

/** The DV (and its key, when it issues at once) of an environment; the test one must exist. */
function dvOf(ctx: RegistryContext, environment: 'test' | 'production') {
  if (environment === 'production')
    return { dv: ctx.pki.dv, ...(ctx.pki.dvKey ? { key: ctx.pki.dvKey } : {}) };
  const t = ctx.pki.testEnv;
  if (!t)
    throw new RegistryError(
      'certificate-failed',
      'registry.testPhase is on, but the PKI directory has no test environment (eac/test-env/): run neid pki init, or turn the test phase off',
    );
  return { dv: t.dv, ...(t.dvKey ? { key: t.dvKey } : {}) };
}

/**
 * Makes the key and request for `order` and, with the test DV, the certificate, activating it.
 * Returns the terminal as stored (`active`, or `requested` awaiting the Ministry's DV).
 */
export async function orderTerminal(
  ctx: RegistryContext,
  actor: Principal,
  order: TerminalOrder,
): Promise<TerminalRecord> {
  const { db } = ctx;
  const es = await getEService(db, order.eServiceId);
  const fields = order.application?.requestedFields ?? es.approvedFields;
  const functions = order.application?.requestedFunctions ?? es.approvedFunctions;
  const pending = (await terminalsByStatus(db, ['generating', 'requested'])).find(
    (t) => t.eServiceId === es.id,
  );
  if (pending)
    throw new RegistryError(
      'conflict',
      `eService ${es.id} has terminal request ${pending.chr} pending (${pending.status}); import its certificate or withdraw it`,
    );
  const current = await activeTerminal(db, es.id);
  // The server's own eServices (the console's card login) never have a test phase: admins use their
  // own production cards.
  const tested =
    order.purpose === 'initial' && ctx.testPhase && order.application?.form.system !== SYSTEM_FORM;
  const environment =
    order.environment ?? (tested && !current ? 'test' : current ? current.environment : es.phase);
  const issuer = dvOf(ctx, environment);
  // The outer signature proves the eService holds its current key; across environments the other DV
  // could not check it, so a promotion's request carries the inner signature only.
  const outer = current && current.environment === environment ? current : undefined;
  const chr = await nextChr(db, es);
  const chat = chatFor(fields, functions);
  const hash = ctx.pki.curve.hash;
  const sector = await db.tx((q) => sectorKeyOf(ctx, q, es.id));
  const description = terminalDescription(
    { ...es, approvedFields: fields },
    {
      serverUrl: ctx.pki.serverUrl,
      commCertificates: [...ctx.pki.tlsCertificates, ...es.commCertificates.map(derFromPem)],
      hash,
    },
  );
  const base = {
    chr,
    eServiceId: es.id,
    ...(order.application ? { applicationId: order.application.id } : {}),
    purpose: order.purpose,
    environment,
    description,
    chat: chat.encode(),
    ...(current ? { previousChr: current.chr } : {}),
  };
  // A token key is announced before it exists, so a crash in between is found and cleaned up.
  if (ctx.keys.generator) {
    await insertTerminal(db, {
      ...base,
      status: 'generating',
      keyStore: 'pkcs11',
      keyLabel: `neid-terminal-${es.id}-${chr}`,
    });
  }
  let key: ReturnType<typeof newTerminalKey> | undefined;
  try {
    key = newTerminalKey(ctx, es.id, chr);
    const sectorPoint = publicPointOf(sector);
    const descriptionHash = hashCertificateDescription(description, hash);
    const request = createCvRequest({
      car: issuer.dv.chr,
      chr,
      key: key.signing,
      descriptionHash,
      sectorKeyHash: sectorKeyHash(ctx.pki.curve, sectorPoint, hash),
      ...(outer ? { outer: { key: terminalSigningKey(ctx, outer), car: outer.chr } } : {}),
    });
    const stored: Omit<TerminalRecord, 'createdAt'> = {
      ...base,
      status: 'requested',
      keyStore: key.keyStore,
      ...(key.sealed ? { privateKey: key.sealed } : {}),
      ...(key.label ? { keyLabel: key.label } : {}),
      publicKey: spki(key.signing.publicKey),
      request: request.raw,
    };
    const certificate = issuer.key
      ? issueSubordinateCertificate(
          { cert: issuer.dv, key: issuer.key },
          {
            role: 'terminal',
            chr,
            chat,
            effectiveDate: dateString(ctx.now()),
            validityDays: ctx.terminals.validityDays,
            curve: ctx.pki.curve,
            descriptionHash,
            sectorKeyHash: sectorKeyHash(ctx.pki.curve, sectorPoint, hash),
          },
          key.signing.publicKey,
        )
      : undefined;
    return await db.tx(async (q) => {
      if (ctx.keys.generator) await deleteTerminal(q, chr);
      await insertTerminal(q, stored);
      await appendAudit(
        q,
        [
          {
            actor: actor.id,
            action: 'terminal.request',
            target: `terminal:${chr}`,
            outcome: 'ok',
            details: {
              eService: es.id,
              purpose: order.purpose,
              chat: chat.toHex(),
              environment,
              outerSignature: outer?.chr ?? null,
            },
          },
        ],
        ctx.now(),
      );
      if (certificate) return activate(ctx, q, actor, await getTerminal(q, chr, true), certificate);
      await markChanged(q);
      return getTerminal(q, chr);
    });
  } catch (e) {
    if (key) discardTerminalKey(ctx, key);
    if (ctx.keys.generator) await deleteTerminal(db, chr).catch(() => {});
    if (e instanceof RegistryError) throw e;
    throw new RegistryError(
      'certificate-failed',
      `terminal certificate for eService ${es.id} failed: ${(e as Error).message}`,
    );
  }
}

/** Puts `cert` in force for the requested terminal `t` (in the caller's transaction). */
export async function activate(
  ctx: RegistryContext,
  q: Queryable,
  actor: Principal,
  t: TerminalRecord,
  cert: CvCertificate,
): Promise<TerminalRecord> {
  const previous = await activeTerminal(q, t.eServiceId);
  if (previous) await setTerminalStatus(q, previous.chr, 'superseded');
  await setTerminalStatus(q, t.chr, 'active', {
    certificate: cert.raw,
    effectiveDate: cert.effectiveDate,
    expirationDate: cert.expirationDate,
  });
  const audit = [
    {
      actor: actor.id,
      action: 'terminal.activate',
      target: `terminal:${t.chr}`,
      outcome: 'ok',
      details: { eService: t.eServiceId, expires: cert.expirationDate, superseded: previous?.chr ?? null },
    },
  ];
  if (t.applicationId) {
    const app = await getApplication(q, t.applicationId, true);
    const es = await getEService(q, t.eServiceId, true);
    if (es.activeApplication && es.activeApplication !== app.id)
      await updateApplication(q, es.activeApplication, { status: 'superseded' });
    const after = await updateApplication(q, app.id, { status: 'active', stamp: 'activated_at' });
    const live = await updateEService(q, es.id, {
      status: 'active',
      approvedFields: app.requestedFields,
      approvedFunctions: app.requestedFunctions,
      activeApplication: app.id,
      // The applicant's addresses the reviewer recorded (表8) are where its calls are accepted from.
      ...(app.assessment ? { networks: app.assessment.applicantNetworks } : {}),
    });
    audit.push({
      actor: actor.id,
      action: 'application.activate',
      target: `application:${app.id}`,
      outcome: 'ok',
      details: {
        eService: es.id,
        before: {
          status: app.status,
          approvedFields: es.approvedFields,
          approvedFunctions: es.approvedFunctions,
          networks: es.networks,
        },
        after: {
          status: after.status,
          approvedFields: live.approvedFields,
          approvedFunctions: live.approvedFunctions,
          networks: live.networks,
        },
        superseded: es.activeApplication ?? null,
      } as never,
    });
  }
  // The certificate's environment is the eService's phase: a test terminal puts it in its test
  // phase, a production one (a promotion) ends it.
  const es = await getEService(q, t.eServiceId, true);
  if (es.phase !== t.environment) {
    await updateEService(q, es.id, { phase: t.environment });
    audit.push({
      actor: actor.id,
      action: t.environment === 'production' ? 'eservice.promote' : 'eservice.test-phase',
      target: `eservice:${es.id}`,
      outcome: 'ok',
      details: { eService: es.id, before: { phase: es.phase }, after: { phase: t.environment } } as never,
    });
  }
  await appendAudit(q, audit, ctx.now());
  await markChanged(q);
  return getTerminal(q, t.chr);
}

/** Certificates fingerprints, for listings. */
export const fingerprintOf = (der: Buffer): string => createHash('sha256').update(der).digest('hex');
