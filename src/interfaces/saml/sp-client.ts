/**
 * The SP side, for an eService written against this IdP in TypeScript (the
 * demo SP, benchmarks): a signed HTTP-Redirect AuthnRequest (optionally with
 * the TR-03130 EncryptedAuthnRequestExtension), and reading the HTTP-POST
 * Response with every check saml-profiles §4.1.4.3 and TR-03130-1 §4.9
 * ask of an SP: Response signature against the IdP metadata keys only,
 * Destination, InResponseTo, Issuer, status; assertion decrypted, its
 * signature verified, Issuer, bearer SubjectConfirmation (Recipient,
 * InResponseTo, NotOnOrAfter), Conditions (time window, Audience). The caller
 * keeps the request ID per browser session and rejects assertion IDs it has
 * seen (OneTimeUse).
 */
import { type KeyObject, randomBytes, type X509Certificate } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { el, textEl } from '../../xml/build.js';
import { elementChildren, optionalChild, requireChild, textOf } from '../../xml/dom.js';
import { parseXml } from '../../xml/parse.js';
import { type AlgorithmSetName, INBOUND, OUTBOUND } from './algorithms.js';
import { redirectUrl } from './bindings/redirect.js';
import type { Signer } from './crypto/keys.js';
import { verifyEnvelopedSignature } from './crypto/xmldsig-verify.js';
import { decryptEncryptedData } from './crypto/xmlenc-decrypt.js';
import { encryptElement } from './crypto/xmlenc-encrypt.js';
import { parseInstant } from './messages/authn-request.js';
import { BINDING, NS, STATUS } from './namespaces.js';

export interface SpClientConfig {
  readonly entityId: string;
  readonly acsUrl: string;
  /** Signs AuthnRequests (its algorithm must be one the IdP accepts for this SP). */
  readonly signer: Signer;
  /** The SP's encryption private key (the IdP encrypts assertions for its certificate). */
  readonly decryptionKey: KeyObject;
  /** The SP's algorithm set as registered (decides what is accepted from the IdP). */
  readonly algorithms?: AlgorithmSetName;
  readonly idp: {
    readonly entityId: string;
    readonly ssoUrl: string;
    /** The signing keys of the IdP metadata. */
    readonly signingKeys: readonly KeyObject[];
    /** The encryption certificate of the IdP metadata (for the AuthnRequestExtension). */
    readonly encryptionCertificate?: X509Certificate;
  };
}

export interface ExtensionAttribute {
  readonly name: string;
  readonly required?: boolean;
  /** A request value: Age for AgeVerification, CommunityID for PlaceVerification, text for TransactionInfo. */
  readonly value?: string | number;
}

export class SamlResponseError extends Error {
  override readonly name = 'SamlResponseError';
}

export interface ReleasedAttribute {
  readonly name: string;
  readonly friendlyName?: string;
  /** Text of each AttributeValue (for complex TR-03130 types: the concatenated text of its elements). */
  readonly values: readonly string[];
  /** The AttributeValue elements, for complex types (GeneralDateType, GeneralPlaceType, …). */
  readonly elements: readonly Element[];
  readonly notOnChip: boolean;
}

export type LoginResult =
  | {
      readonly ok: true;
      readonly nameId: string;
      readonly nameIdFormat: string;
      readonly assertionId: string;
      readonly attributes: ReadonlyMap<string, ReleasedAttribute>;
      readonly relayState?: string;
    }
  | {
      readonly ok: false;
      readonly statusCodes: readonly string[];
      readonly message?: string;
      /** A Success whose assertion says the card is not valid (TR-03130-1 §4.4.3; saml.resultStyle tr-03130). */
      readonly documentValidity?: string;
      readonly relayState?: string;
    };

const fail = (msg: string): never => {
  throw new SamlResponseError(msg);
};

function extensionXml(attrs: readonly ExtensionAttribute[], cert: X509Certificate): string {
  const value = (a: ExtensionAttribute) => {
    if (a.value === undefined) return undefined;
    const v = String(a.value);
    if (a.name === 'AgeVerification')
      return el(
        'saml2:AttributeValue',
        { 'xsi:type': 'eid:AgeVerificationRequestType' },
        textEl('eid:Age', v),
      );
    if (a.name === 'PlaceVerification')
      return el(
        'saml2:AttributeValue',
        { 'xsi:type': 'eid:PlaceVerificationRequestType' },
        textEl('eid:CommunityID', v),
      );
    return textEl('saml2:AttributeValue', v);
  };
  const plain = el(
    'eid:AuthnRequestExtension',
    { 'xmlns:eid': NS.eid, 'xmlns:saml2': NS.saml, 'xmlns:xsi': NS.xsi, Version: '2' },
    el(
      'eid:RequestedAttributes',
      {},
      ...attrs.map((a) =>
        el(
          'saml2:Attribute',
          { Name: a.name, 'eid:RequiredAttribute': String(a.required ?? true) },
          value(a),
        ),
      ),
    ),
  );
  return el(
    'eid:EncryptedAuthnRequestExtension',
    { 'xmlns:eid': NS.eid },
    encryptElement(plain, cert.publicKey, OUTBOUND['tr-03116-4']),
  );
}

/** A signed HTTP-Redirect AuthnRequest to the IdP; keep `id` in the browser session. */
export function loginRequestUrl(
  c: SpClientConfig,
  o: { relayState?: string; requested?: readonly ExtensionAttribute[] } = {},
): { id: string; url: string } {
  const id = `_${randomBytes(20).toString('hex')}`;
  if (o.requested && !c.idp.encryptionCertificate)
    throw new Error('the IdP encryption certificate is needed for an AuthnRequestExtension');
  const xml = el(
    'samlp:AuthnRequest',
    {
      'xmlns:samlp': NS.samlp,
      'xmlns:saml': NS.saml,
      ID: id,
      Version: '2.0',
      IssueInstant: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      Destination: c.idp.ssoUrl,
      ProtocolBinding: BINDING.post,
      AssertionConsumerServiceURL: c.acsUrl,
    },
    textEl('saml:Issuer', c.entityId),
    o.requested
      ? el('samlp:Extensions', {}, extensionXml(o.requested, c.idp.encryptionCertificate!))
      : undefined,
  );
  return { id, url: redirectUrl(c.idp.ssoUrl, 'SAMLRequest', xml, o.relayState, c.signer) };
}

function verified(xml: string, c: SpClientConfig): Element {
  try {
    return verifyEnvelopedSignature(xml, parseXml(xml), {
      keys: c.idp.signingKeys,
      algorithms: INBOUND[c.algorithms ?? 'tr-03116-4'],
    }).element;
  } catch (e) {
    return fail(`signature: ${(e as Error).message}`);
  }
}

function checkTimes(
  notBefore: string | null,
  notOnOrAfter: string | null,
  now: number,
  skewMs: number,
  what: string,
): void {
  if (notBefore && now + skewMs < parseInstant(notBefore, `${what} NotBefore`))
    fail(`${what} is not yet valid`);
  if (!notOnOrAfter) fail(`${what} has no NotOnOrAfter`);
  if (now - skewMs >= parseInstant(notOnOrAfter!, `${what} NotOnOrAfter`)) fail(`${what} has expired`);
}

function attributesOf(assertion: Element): Map<string, ReleasedAttribute> {
  const out = new Map<string, ReleasedAttribute>();
  const statement = optionalChild(assertion, NS.saml, 'AttributeStatement');
  for (const a of statement ? elementChildren(statement, NS.saml, 'Attribute') : []) {
    const values = elementChildren(a, NS.saml, 'AttributeValue');
    const friendlyName = a.getAttribute('FriendlyName') || undefined;
    out.set(a.getAttribute('Name') ?? '', {
      name: a.getAttribute('Name') ?? '',
      ...(friendlyName ? { friendlyName } : {}),
      values: values.map((v) => (elementChildren(v).length ? (v.textContent ?? '') : textOf(v))),
      elements: values,
      notOnChip: a.getAttributeNS(NS.eid, 'AttributeNotOnChip') === 'true',
    });
  }
  return out;
}

/** Reads and checks an HTTP-POST SAMLResponse for the request `requestId`. Throws SamlResponseError. */
export function readLoginResponse(
  c: SpClientConfig,
  form: { SAMLResponse?: string; RelayState?: string },
  requestId: string,
  now = Date.now(),
  skewMs = 60_000,
): LoginResult {
  try {
    return read(c, form, requestId, now, skewMs);
  } catch (e) {
    if (e instanceof SamlResponseError) throw e;
    throw new SamlResponseError((e as Error).message);
  }
}

function read(
  c: SpClientConfig,
  form: { SAMLResponse?: string; RelayState?: string },
  requestId: string,
  now: number,
  skewMs: number,
): LoginResult {
  const relay = form.RelayState !== undefined ? { relayState: form.RelayState } : {};
  const response = verified(
    Buffer.from(form.SAMLResponse ?? fail('no SAMLResponse'), 'base64').toString('utf8'),
    c,
  );
  if (response.namespaceURI !== NS.samlp || response.localName !== 'Response') fail('not a samlp:Response');
  if (response.getAttribute('Destination') !== c.acsUrl) fail('Destination is not this ACS');
  if (response.getAttribute('InResponseTo') !== requestId)
    fail('InResponseTo is not the request of this session');
  if (textOf(requireChild(response, NS.saml, 'Issuer')).trim() !== c.idp.entityId)
    fail('the Response Issuer is not the IdP');
  const codes: string[] = [];
  for (
    let s: Element | undefined = requireChild(
      requireChild(response, NS.samlp, 'Status'),
      NS.samlp,
      'StatusCode',
    );
    s;
    s = optionalChild(s, NS.samlp, 'StatusCode')
  ) {
    codes.push(s.getAttribute('Value') ?? '');
  }
  if (codes[0] !== STATUS.success) {
    const msg = optionalChild(requireChild(response, NS.samlp, 'Status'), NS.samlp, 'StatusMessage');
    return { ok: false, statusCodes: codes, ...(msg ? { message: textOf(msg) } : {}), ...relay };
  }
  const enc = requireChild(response, NS.saml, 'EncryptedAssertion');
  const plain = decryptEncryptedData(
    requireChild(enc, NS.xenc, 'EncryptedData'),
    elementChildren(enc, NS.xenc, 'EncryptedKey'),
    c.decryptionKey,
    INBOUND[c.algorithms ?? 'tr-03116-4'],
  ).toString('utf8');
  const assertion = verified(plain, c);
  if (textOf(requireChild(assertion, NS.saml, 'Issuer')).trim() !== c.idp.entityId)
    fail('the Assertion Issuer is not the IdP');
  const subject = requireChild(assertion, NS.saml, 'Subject');
  const nameId = requireChild(subject, NS.saml, 'NameID');
  const bearer =
    elementChildren(subject, NS.saml, 'SubjectConfirmation').find(
      (sc) => sc.getAttribute('Method') === 'urn:oasis:names:tc:SAML:2.0:cm:bearer',
    ) ?? fail('no bearer SubjectConfirmation');
  const scd = requireChild(bearer, NS.saml, 'SubjectConfirmationData');
  if (scd.getAttribute('Recipient') !== c.acsUrl) fail('Recipient is not this ACS');
  if (scd.getAttribute('InResponseTo') !== requestId) fail('SubjectConfirmationData InResponseTo differs');
  checkTimes(null, scd.getAttribute('NotOnOrAfter'), now, skewMs, 'SubjectConfirmationData');
  const cond = requireChild(assertion, NS.saml, 'Conditions');
  checkTimes(cond.getAttribute('NotBefore'), cond.getAttribute('NotOnOrAfter'), now, skewMs, 'the assertion');
  const audiences = elementChildren(cond, NS.saml, 'AudienceRestriction').flatMap((r) =>
    elementChildren(r, NS.saml, 'Audience').map((a) => textOf(a).trim()),
  );
  if (!audiences.includes(c.entityId)) fail('the assertion is not addressed to this SP');
  const attributes = attributesOf(assertion);
  // TR-03130-1 §4.4.3: a processed request always carries DocumentValidity; anything but
  // "valid" (revoked, expired, notAuthentic, failed) is no login, Success or not.
  const validity = attributes.get('DocumentValidity')?.elements[0];
  const status = validity ? textOf(requireChild(validity, NS.eid, 'Status')).trim() : 'absent';
  if (status !== 'valid') {
    return {
      ok: false,
      statusCodes: codes,
      documentValidity: status,
      message: `the document is not valid: DocumentValidity ${status}`,
      ...relay,
    };
  }
  return {
    ok: true,
    nameId: textOf(nameId).trim(),
    nameIdFormat: nameId.getAttribute('Format') ?? '',
    assertionId: assertion.getAttribute('ID') ?? '',
    attributes,
    ...relay,
  };
}
