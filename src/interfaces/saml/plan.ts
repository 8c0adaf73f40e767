/**
 * From a verified AuthnRequest to the authentication request of the session
 * (workflows/session/types.ts AuthRequest) and the context needed to answer
 * later. Requests the IdP will not serve become SamlStatusErrors (answered to
 * the verified ACS, TR-03130-1 §4.8.2): IsPassive, a Subject, an
 * unsatisfiable RequestedAuthnContext or NameIDPolicy, unsupported required
 * attributes. Requested attributes come from the EncryptedAuthnRequestExtension
 * (TR-03130-1 §4.7.2) or from the SP metadata's AttributeConsumingService.
 */
import type { KeyObject } from 'node:crypto';
import type { AuthRequest } from '../../workflows/session/types.js';
import { interpretRequested } from './attributes/requested.js';
import type { RequestedSummary } from './attributes/values.js';
import { SamlRejection, SamlStatusError } from './errors.js';
import type { ReceivedRequest } from './intake.js';
import { readAuthnRequestExtension } from './messages/authn-request-extension.js';
import { defaultEndpoint } from './metadata/sp-metadata.js';
import { checkNameIdPolicy } from './nameid.js';
import { AUTHN_CONTEXT_SMARTCARD_PKI, type Binding } from './namespaces.js';

/** Everything the answer needs, kept with the login (no personal data). */
export interface LoginContext {
  readonly sp: string;
  readonly requestId: string;
  readonly acs: string;
  readonly binding: Binding;
  readonly relayState?: string;
  readonly address?: string;
  readonly requested: RequestedSummary;
  readonly ageRequired: boolean;
  readonly placeRequired: boolean;
  /**
   * 'tr-03130': the request uses the TR-03130-1 §4 profile (an EncryptedAuthnRequestExtension, or
   * it came through the eID-Client at /saml/tctoken); 'web-sso': plain SAML Web Browser SSO.
   * Decides saml.resultStyle 'auto'.
   */
  readonly profile?: 'tr-03130' | 'web-sso';
}

export type PlannedRequest = Omit<AuthRequest, 'refreshAddress' | 'communicationErrorAddress' | 'channel'>;

/** Authentication context classes an eID login satisfies with Comparison "minimum" (weaker or equal). */
const SATISFIED_MINIMUM = new Set([
  AUTHN_CONTEXT_SMARTCARD_PKI,
  'urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:Password',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:SoftwarePKI',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:TLSClient',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract',
]);

function checkAuthnContext(rac: ReceivedRequest['request']['requestedAuthnContext']): void {
  if (!rac) return;
  const ok =
    rac.comparison === 'minimum'
      ? rac.classRefs.some((c) => SATISFIED_MINIMUM.has(c))
      : rac.comparison === 'exact' || rac.comparison === 'maximum'
        ? rac.classRefs.includes(AUTHN_CONTEXT_SMARTCARD_PKI)
        : false; // "better": nothing stronger than SmartcardPKI is offered
  if (!ok) throw new SamlStatusError('no-authn-context', `only ${AUTHN_CONTEXT_SMARTCARD_PKI} is offered`);
}

export function planLogin(
  r: ReceivedRequest,
  idpEncryptionKey: KeyObject,
  clientAddress?: string,
  flow: 'browser' | 'eid-client' = 'browser',
): { auth: PlannedRequest; context: LoginContext; ignored: readonly string[] } {
  const { sp, request } = r;
  if (request.isPassive) throw new SamlStatusError('no-passive', 'IsPassive="true"');
  if (request.hasSubject)
    throw new SamlStatusError('unsupported-request', 'a Subject in the AuthnRequest is not supported');
  checkAuthnContext(request.requestedAuthnContext);
  checkNameIdPolicy(sp.settings.nameIdFormat, request.nameIdPolicy?.format);

  const fromExtension = readAuthnRequestExtension(request.extensions, idpEncryptionKey, sp.inbound);
  // The eID-Client flow is the TR-03130 profile proper, where the extension is mandatory
  // (TR-03130-1 §4.7.1 table 12; TR-03130-4 B1_3_04, B1_3_05).
  if (!fromExtension && flow === 'eid-client')
    throw new SamlRejection('extension', 'the TR-03130 profile requires an EncryptedAuthnRequestExtension');
  let list = fromExtension;
  if (list && request.attributeConsumingServiceIndex !== undefined) {
    throw new SamlStatusError(
      'unsupported-request',
      'both an AuthnRequestExtension and an AttributeConsumingServiceIndex',
    );
  }
  if (!list) {
    const services = sp.metadata.attributeServices;
    const i = request.attributeConsumingServiceIndex;
    const service = i !== undefined ? services.find((s) => s.index === i) : defaultEndpoint(services);
    if (!service) {
      throw new SamlStatusError(
        'unsupported-request',
        i !== undefined
          ? `no AttributeConsumingService with index ${i}`
          : 'no attributes requested (AuthnRequestExtension or AttributeConsumingService)',
      );
    }
    list = [...service.requested];
  }
  const wanted = interpretRequested(list);
  const requested: RequestedSummary = {
    required: wanted.required,
    optional: wanted.optional,
    ...(wanted.ageVerification ? { age: wanted.ageVerification.age } : {}),
    ...(wanted.placeVerification ? { place: wanted.placeVerification.areaCode } : {}),
    restrictedId: wanted.restrictedId,
    notOnChip: wanted.notOnChip,
  };
  const context: LoginContext = {
    sp: sp.entityId,
    requestId: request.id,
    acs: r.acs.location,
    binding: r.acs.binding,
    ...(r.relayState !== undefined ? { relayState: r.relayState } : {}),
    ...(clientAddress ? { address: clientAddress } : {}),
    requested,
    ageRequired: wanted.ageVerification?.required ?? false,
    placeRequired: wanted.placeVerification?.required ?? false,
    profile: fromExtension || flow === 'eid-client' ? 'tr-03130' : 'web-sso',
  };
  const auth: PlannedRequest = {
    eServiceId: sp.eService.id,
    frontEnd: 'saml',
    required: wanted.required,
    optional: wanted.optional,
    ...(wanted.ageVerification ? { ageVerification: wanted.ageVerification } : {}),
    ...(wanted.placeVerification ? { placeVerification: wanted.placeVerification } : {}),
    ...(wanted.transactionInfo ? { transactionInfo: wanted.transactionInfo } : {}),
    context: { saml: JSON.stringify(context) },
  };
  return { auth, context, ignored: wanted.ignored };
}

/** The context back from the login's opaque record. */
export function contextOf(record: Readonly<Record<string, string>>): LoginContext | undefined {
  try {
    return record.saml ? (JSON.parse(record.saml) as LoginContext) : undefined;
  } catch {
    return undefined;
  }
}
