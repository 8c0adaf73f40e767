/** The JSON the admin API answers with (dates as ISO strings, binary as digests or base64). */
import { createHash } from 'node:crypto';
import { grantsOf } from '../../profile/authorization.js';
import type { AuditRow } from '../../registry/audit/chain.js';
import type { ApplicationRecord, EServiceRecord, TerminalRecord } from '../../registry/model.js';
import type { AccountRecord, CredentialRecord } from '../../registry/store/accounts.js';
import type { AlertRecord } from '../../registry/store/alerts.js';
import type { SamlRegistration, SoapRegistration } from '../../registry/store/frontends.js';
import { terminalChat, terminalChatHex } from '../../registry/workflow/terminal-import.js';

const iso = (d: Date | undefined) => d?.toISOString() ?? null;
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export const eServiceView = (e: EServiceRecord, live: boolean) => ({
  id: e.id,
  status: e.status,
  live,
  displayName: e.displayName,
  purpose: e.purpose,
  url: e.url ?? null,
  terminalMnemonic: e.terminalMnemonic,
  terminalSubjectUrl: e.terminalSubjectUrl ?? null,
  commCertificates: e.commCertificates.length,
  maxOpenSessions: e.maxOpenSessions,
  networks: e.networks,
  phase: e.phase,
  approvedFields: e.approvedFields,
  approvedFunctions: e.approvedFunctions,
  activeApplication: e.activeApplication ?? null,
  version: e.version,
  createdAt: iso(e.createdAt),
  updatedAt: iso(e.updatedAt),
});

export const applicationView = (a: ApplicationRecord) => ({
  id: a.id,
  eServiceId: a.eServiceId,
  kind: a.kind,
  status: a.status,
  form: a.form,
  requestedFields: a.requestedFields,
  requestedFunctions: a.requestedFunctions,
  decision: a.decision ?? null,
  filing: a.filing ?? null,
  assessment: a.assessment ?? null,
  history: a.history,
  version: a.version,
  createdBy: a.createdBy,
  createdAt: iso(a.createdAt),
  updatedAt: iso(a.updatedAt),
  submittedAt: iso(a.submittedAt),
  decidedAt: iso(a.decidedAt),
  activatedAt: iso(a.activatedAt),
});

export const terminalView = (t: TerminalRecord) => ({
  chr: t.chr,
  eServiceId: t.eServiceId,
  applicationId: t.applicationId ?? null,
  status: t.status,
  purpose: t.purpose,
  environment: t.environment,
  keyStore: t.keyStore,
  keyLabel: t.keyLabel ?? null,
  /** TR-03110-3 Table 24 requests carry no CHAT: these are the rights the certificate must grant. */
  chat: { hex: terminalChatHex(t), ...grantsOf(terminalChat(t)) },
  effectiveDate: t.effectiveDate ?? null,
  expirationDate: t.expirationDate ?? null,
  previousChr: t.previousChr ?? null,
  request: t.request ? { sha256: sha256(t.request), outerSignature: t.request[0] === 0x67 } : null,
  certificateSha256: t.certificate ? sha256(t.certificate) : null,
  createdAt: iso(t.createdAt),
  activatedAt: iso(t.activatedAt),
});

export const samlView = (s: SamlRegistration) => ({
  source: s.source,
  metadataUrl: s.metadataUrl ?? null,
  entityId: s.entityId,
  metadataSha256: sha256(s.metadataXml),
  validUntil: iso(s.validUntil),
  fetchedAt: iso(s.fetchedAt),
  refreshError: s.refreshError ?? null,
  ...s.settings,
  version: s.version,
  updatedAt: iso(s.updatedAt),
});

export const soapView = (s: SoapRegistration, now: Date) => ({
  ...s.settings,
  certificates: s.certificates.map((c) => ({
    usage: c.usage,
    fingerprint: c.fingerprint,
    subject: c.subject,
    notBefore: iso(c.notBefore),
    notAfter: iso(c.notAfter),
    valid: c.notBefore <= now && now <= c.notAfter,
  })),
  version: s.version,
});

export const accountView = (a: AccountRecord, credentials?: readonly CredentialRecord[]) => ({
  id: a.id,
  name: a.name,
  kind: a.kind,
  roles: a.roles,
  status: a.status,
  eServices: a.eServices,
  /** A person's card is bound (the subject itself is never shown). */
  cardBound: a.bound,
  invitationExpires: iso(a.invitationExpires),
  lockedUntil: iso(a.lockedUntil),
  lastLogin: iso(a.lastLogin),
  version: a.version,
  createdAt: iso(a.createdAt),
  ...(credentials
    ? {
        credentials: credentials.map((c) => ({
          id: c.id,
          kind: c.kind,
          ...(c.publicJwk ? { kty: c.publicJwk.kty } : {}),
          ...(c.webauthn ? { name: c.webauthn.name } : {}),
          createdAt: iso(c.createdAt),
          lastUsedAt: iso(c.lastUsedAt),
          revokedAt: iso(c.revokedAt),
        })),
      }
    : {}),
});

export const alertView = (a: AlertRecord) => ({
  id: a.id,
  at: a.at.toISOString(),
  kind: a.kind,
  subject: a.subject,
  details: a.details,
  delivery: a.delivery,
  attempts: a.attempts,
  acknowledgedBy: a.acknowledgedBy ?? null,
  acknowledgedAt: iso(a.acknowledgedAt),
});

export const auditView = (r: AuditRow) => ({
  seq: r.seq,
  at: r.at.toISOString(),
  actor: r.actor,
  action: r.action,
  target: r.target,
  outcome: r.outcome,
  details: r.details,
  prevHash: r.prevHash.toString('hex'),
  hash: r.hash.toString('hex'),
});
