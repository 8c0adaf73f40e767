/**
 * samlp:AuthnRequest (saml-core §3.4.1; TR-03130-1 §4.7.1, table 12), read
 * from the element the signature check returned (or, for an SP allowed to
 * send unsigned requests, from the parsed message). Structural errors are
 * rejections (HTTP 400): such a request cannot be interpreted (§4.8.1).
 */
import type { Element } from '@xmldom/xmldom';
import { elementChildren, optionalChild, textOf } from '../../../xml/dom.js';
import { XmlError } from '../../../xml/errors.js';
import { SamlRejection } from '../errors.js';
import { type Binding, bindingOf, NS } from '../namespaces.js';

export interface AuthnRequestData {
  readonly id: string;
  readonly issueInstant: number;
  readonly issuer: string;
  readonly destination?: string;
  readonly acsUrl?: string;
  readonly acsIndex?: number;
  readonly protocolBinding?: Binding;
  readonly attributeConsumingServiceIndex?: number;
  readonly isPassive: boolean;
  readonly forceAuthn: boolean;
  readonly nameIdPolicy?: { readonly format?: string };
  readonly requestedAuthnContext?: { readonly comparison: string; readonly classRefs: readonly string[] };
  readonly hasSubject: boolean;
  readonly extensions?: Element;
  readonly providerName?: string;
}

const reject = (msg: string): never => {
  throw new SamlRejection('malformed', msg);
};

/** xs:dateTime in UTC as SAML requires (saml-core §1.3.3). */
export function parseInstant(s: string, what: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(s))
    reject(`${what} is not a UTC xs:dateTime`);
  const t = Date.parse(s);
  if (Number.isNaN(t)) reject(`${what} is not a valid time`);
  return t;
}

function bool(el: Element, attr: string): boolean {
  const v = el.getAttribute(attr);
  if (v === null || v === '' || v === 'false' || v === '0') return false;
  if (v === 'true' || v === '1') return true;
  return reject(`@${attr} is not a boolean`);
}

function uint(el: Element, attr: string): number | undefined {
  const v = el.getAttribute(attr);
  if (v === null || v === '') return undefined;
  if (!/^\d{1,5}$/.test(v)) reject(`@${attr} is not an unsigned short`);
  return Number(v);
}

/** The Issuer of an AuthnRequest root, unverified (to find the SP whose key verifies the message). */
export function peekIssuer(root: Element): string {
  try {
    const issuer = optionalChild(root, NS.saml, 'Issuer');
    return issuer ? textOf(issuer).trim() : '';
  } catch {
    return '';
  }
}

export function readAuthnRequest(root: Element): AuthnRequestData {
  try {
    return read(root);
  } catch (e) {
    if (e instanceof XmlError) return reject(e.message);
    throw e;
  }
}

function read(root: Element): AuthnRequestData {
  if (root.namespaceURI !== NS.samlp || root.localName !== 'AuthnRequest') reject('not a samlp:AuthnRequest');
  if (root.getAttribute('Version') !== '2.0') reject('Version must be 2.0');
  const id = root.getAttribute('ID') ?? '';
  // TR-03130-1 table 12: the ID must be as unguessable as a session id; 16+ characters of an NCName.
  if (!/^[A-Za-z_][\w.-]{15,255}$/.test(id)) reject('ID must be an NCName of 16 to 256 characters');
  const issueInstant = parseInstant(root.getAttribute('IssueInstant') ?? '', 'IssueInstant');
  const issuerEl = optionalChild(root, NS.saml, 'Issuer') ?? reject('the request has no Issuer');
  const format = issuerEl.getAttribute('Format');
  if (format && format !== 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity')
    reject('Issuer Format must be entity');
  const issuer = textOf(issuerEl).trim();
  const acsUrl = root.getAttribute('AssertionConsumerServiceURL') || undefined;
  const acsIndex = uint(root, 'AssertionConsumerServiceIndex');
  if (acsUrl !== undefined && acsIndex !== undefined)
    reject('AssertionConsumerServiceURL and AssertionConsumerServiceIndex are mutually exclusive');
  const pb = root.getAttribute('ProtocolBinding');
  const protocolBinding = pb
    ? (bindingOf(pb) ?? reject(`ProtocolBinding ${pb} is not supported`))
    : undefined;
  if (protocolBinding && acsIndex !== undefined)
    reject('ProtocolBinding and AssertionConsumerServiceIndex are mutually exclusive');
  const policy = optionalChild(root, NS.samlp, 'NameIDPolicy');
  const rac = optionalChild(root, NS.samlp, 'RequestedAuthnContext');
  const extensions = optionalChild(root, NS.samlp, 'Extensions');
  const destination = root.getAttribute('Destination') || undefined;
  const providerName = root.getAttribute('ProviderName') || undefined;
  const acsi = uint(root, 'AttributeConsumingServiceIndex');
  const policyFormat = policy?.getAttribute('Format') || undefined;
  return {
    id,
    issueInstant,
    issuer,
    ...(destination ? { destination } : {}),
    ...(acsUrl ? { acsUrl } : {}),
    ...(acsIndex !== undefined ? { acsIndex } : {}),
    ...(protocolBinding ? { protocolBinding } : {}),
    ...(acsi !== undefined ? { attributeConsumingServiceIndex: acsi } : {}),
    isPassive: bool(root, 'IsPassive'),
    forceAuthn: bool(root, 'ForceAuthn'),
    ...(policy ? { nameIdPolicy: policyFormat ? { format: policyFormat } : {} } : {}),
    ...(rac
      ? {
          requestedAuthnContext: {
            comparison: rac.getAttribute('Comparison') || 'exact',
            classRefs: elementChildren(rac, NS.saml, 'AuthnContextClassRef').map((c) => textOf(c).trim()),
          },
        }
      : {}),
    hasSubject: elementChildren(root, NS.saml, 'Subject').length > 0,
    ...(extensions ? { extensions } : {}),
    ...(providerName ? { providerName } : {}),
  };
}
