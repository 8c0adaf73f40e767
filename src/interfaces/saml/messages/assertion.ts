/**
 * The saml:Assertion of a successful authentication (saml-core §2.3–2.7;
 * saml-profiles §4.1.4.2; TR-03130-1 §4.7.4 table 15): Issuer; Subject with
 * the NameID and a bearer SubjectConfirmation (Recipient = ACS URL,
 * InResponseTo, NotOnOrAfter 5 minutes after issue, Address of the client);
 * Conditions (NotBefore/NotOnOrAfter, AudienceRestriction to the SP,
 * OneTimeUse); AuthnStatement with the SmartcardPKI context; the
 * AttributeStatement of attributes/values.ts. It is signed, then encrypted
 * for the SP (response.ts).
 */
import { randomBytes } from 'node:crypto';
import { el, textEl } from '../../../xml/build.js';
import type { NameId } from '../nameid.js';
import { AUTHN_CONTEXT_SMARTCARD_PKI, BEARER, NS } from '../namespaces.js';

/** TR-03130-1 table 15: the assertion is valid for at most 5 minutes. */
export const ASSERTION_LIFETIME_MS = 5 * 60_000;
/** NotBefore lies this far before the issue instant, for SP clocks running slightly behind. */
export const CLOCK_SKEW_MS = 30_000;

export const samlId = (): string => `_${randomBytes(20).toString('hex')}`;
export const instant = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface AssertionParams {
  readonly id: string;
  readonly idpEntityId: string;
  readonly spEntityId: string;
  readonly nameId: NameId;
  readonly inResponseTo: string;
  readonly recipient: string;
  readonly address?: string;
  readonly now: number;
  readonly authnInstant: number;
  readonly attributeStatement: string;
}

export function buildAssertion(p: AssertionParams): string {
  const notOnOrAfter = instant(p.now + ASSERTION_LIFETIME_MS);
  return el(
    'saml:Assertion',
    {
      'xmlns:saml': NS.saml,
      'xmlns:xs': NS.xs,
      'xmlns:xsi': NS.xsi,
      'xmlns:eid': NS.eid,
      ID: p.id,
      Version: '2.0',
      IssueInstant: instant(p.now),
    },
    textEl('saml:Issuer', p.idpEntityId),
    el(
      'saml:Subject',
      {},
      textEl('saml:NameID', p.nameId.value, {
        Format: p.nameId.format,
        NameQualifier: p.idpEntityId,
        SPNameQualifier: p.spEntityId,
      }),
      el(
        'saml:SubjectConfirmation',
        { Method: BEARER },
        el('saml:SubjectConfirmationData', {
          ...(p.address ? { Address: p.address } : {}),
          InResponseTo: p.inResponseTo,
          NotOnOrAfter: notOnOrAfter,
          Recipient: p.recipient,
        }),
      ),
    ),
    el(
      'saml:Conditions',
      { NotBefore: instant(p.now - CLOCK_SKEW_MS), NotOnOrAfter: notOnOrAfter },
      el('saml:AudienceRestriction', {}, textEl('saml:Audience', p.spEntityId)),
      el('saml:OneTimeUse'),
    ),
    el(
      'saml:AuthnStatement',
      { AuthnInstant: instant(p.authnInstant), SessionIndex: p.id },
      el(
        'saml:AuthnContext',
        {},
        textEl('saml:AuthnContextClassRef', AUTHN_CONTEXT_SMARTCARD_PKI),
        textEl('saml:AuthnContextDeclRef', AUTHN_CONTEXT_SMARTCARD_PKI),
      ),
    ),
    p.attributeStatement,
  );
}
