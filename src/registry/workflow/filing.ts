/**
 * Filing an application (seed 004 第陸章 壹.一): online, signed with a
 * certificate the organisation already holds (工商憑證, 組織憑證, 政府機關憑證) —
 * a detached CMS signature over the canonical application (filing/canonical.ts),
 * checked against the configured issuing CAs and their CRLs and bound to the
 * certificate's organisation identifier, which must be the form's 統一編號 — or
 * on paper: the printed 表8, sealed and signed, whose arrival a reviewer records.
 *
 * The signature is verified inside the submission's transaction against the
 * locked application, so it covers exactly what is submitted.
 */
import { createHash } from 'node:crypto';
import {
  OrganisationSignatureError,
  type OrganisationSignatureErrorCode,
  verifyOrganisationSignature,
} from '../../pki/x509/organisation-signature.js';
import type { RegistryContext } from '../context.js';
import { RegistryError } from '../errors.js';
import { canonicalApplication } from '../filing/canonical.js';
import type { ApplicationFiling, ApplicationRecord } from '../model.js';
import type { Principal } from '../roles.js';
import { checkRequest } from './application-checks.js';
import { step, stepOf } from './applications.js';
import { fourEyes } from './decisions.js';

/** The problem type (…:problem:<reason>) of each refusal. */
const REASON: Record<OrganisationSignatureErrorCode, string> = {
  malformed: 'malformed-signature',
  'bad-signature': 'bad-signature',
  'unknown-ca': 'unknown-ca',
  expired: 'certificate-expired',
  revoked: 'certificate-revoked',
  'revocation-unknown': 'revocation-unknown',
  'unsuitable-certificate': 'unsuitable-certificate',
};

const refused = (reason: string, message: string) =>
  new RegistryError('signature-refused', message, '/signature', reason);

/** The DER of a signature sent as base64 or PEM (`-----BEGIN CMS-----`, `PKCS7`); bounded. */
export function signatureBytes(text: string): Buffer {
  const b64 = text.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length > 96 * 1024)
    throw refused(
      'malformed-signature',
      'the signature must be a base64 (or PEM) CMS SignedData of at most 72 KiB',
    );
  return Buffer.from(b64, 'base64');
}

/** Verifies the signature for the locked application `a`; the filing record, or a refusal. */
function signedFiling(ctx: RegistryContext, a: ApplicationRecord, signature: Buffer): ApplicationFiling {
  const trust = ctx.filing?.trust();
  if (!trust)
    throw refused(
      'unknown-ca',
      'online filing with an organisation certificate is not configured here (registry.filing.issuers)',
    );
  const content = canonicalApplication(a);
  const now = ctx.now();
  let v: ReturnType<typeof verifyOrganisationSignature>;
  try {
    v = verifyOrganisationSignature(signature, content, trust, now);
  } catch (e) {
    if (e instanceof OrganisationSignatureError) throw refused(REASON[e.code], e.message);
    throw e;
  }
  if (v.organisationId !== a.form.taxId)
    throw refused(
      'organisation-mismatch',
      `the certificate belongs to organisation ${v.organisationId}, but the form's 統一編號 (taxId) is ${a.form.taxId}`,
    );
  return {
    method: 'signed',
    organisationId: v.organisationId,
    certificate: {
      subject: v.certificate.subject.replace(/\n/g, ', '),
      issuer: v.certificate.issuer.replace(/\n/g, ', '),
      serial: v.certificate.serialNumber.toLowerCase(),
      sha256: v.certificate.fingerprint256.replace(/:/g, '').toLowerCase(),
      notAfter: new Date(v.certificate.validTo).toISOString(),
    },
    signature: signature.toString('base64'),
    contentSha256: createHash('sha256').update(content).digest('hex'),
    at: now.toISOString(),
  };
}

/**
 * Submits a draft: with `signature`, filed online and bound to the certificate's organisation; without,
 * a paper filing when `registry.filing.unsigned` is `paper` (else taken as it is).
 */
export function submitApplication(
  ctx: RegistryContext,
  actor: Principal,
  id: string,
  expected?: number,
  signature?: string,
): Promise<ApplicationRecord> {
  const der = signature === undefined ? undefined : signatureBytes(signature);
  return step(ctx, actor, id, expected, ['draft'], 'submit', (a) => {
    checkRequest(a.requestedFields, a.requestedFunctions, a.form);
    const at = ctx.now().toISOString();
    const filing: ApplicationFiling | undefined = der
      ? signedFiling(ctx, a, der)
      : ctx.filing?.unsigned === 'paper'
        ? { method: 'paper', at }
        : undefined;
    return {
      status: 'submitted',
      stamp: 'submitted_at',
      ...(filing ? { filing } : {}),
      step: stepOf(
        ctx,
        actor,
        'submit',
        filing?.method === 'signed' ? `signed by ${filing.organisationId}` : filing?.method,
      ),
    };
  });
}

/** A reviewer records that the signed, sealed paper copy of 表8 arrived. */
export function recordPaperReceived(
  ctx: RegistryContext,
  actor: Principal,
  id: string,
  expected: number | undefined,
  note?: string,
): Promise<ApplicationRecord> {
  return step(
    ctx,
    actor,
    id,
    expected,
    ['submitted', 'reviewed'],
    'paper-received',
    (a) => {
      if (a.filing?.method === 'signed')
        throw new RegistryError(
          'wrong-state',
          `application ${id} was filed online, signed by organisation ${a.filing.organisationId}; no paper copy is needed`,
        );
      const at = ctx.now().toISOString();
      return {
        filing: {
          method: 'paper',
          at: a.filing?.at ?? a.submittedAt?.toISOString() ?? at,
          received: { by: actor.id, at, ...(note ? { note } : {}) },
        },
        step: stepOf(ctx, actor, 'paper-received', note),
      };
    },
    (a) => fourEyes(actor, a, 'review'),
  );
}
