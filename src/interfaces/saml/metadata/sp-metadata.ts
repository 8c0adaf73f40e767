/**
 * Parsing an SP's SAML metadata file (saml-metadata §2.3–2.4.4): entityID,
 * AssertionConsumerService endpoints (binding, location, index, isDefault),
 * signing and encryption certificates (KeyDescriptor; no `use` means both),
 * AttributeConsumingService / RequestedAttribute, NameIDFormat. The file is
 * trusted configuration (the operator registered it), read once at start-up;
 * its own signature, if any, is not needed for that trust and not checked.
 */
import { X509Certificate } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { elementChildren, textOf } from '../../../xml/dom.js';
import { parseXml } from '../../../xml/parse.js';
import { type Binding, bindingOf, NS, SAML_PROTOCOL } from '../namespaces.js';

export class MetadataError extends Error {
  override readonly name = 'MetadataError';
}

export interface AcsEndpoint {
  readonly binding: Binding;
  readonly location: string;
  readonly index: number;
  readonly isDefault: boolean;
}

/** A requested attribute, from SP metadata or from the TR-03130 AuthnRequestExtension. */
export interface RequestedAttribute {
  readonly name: string;
  readonly nameFormat?: string;
  readonly required: boolean;
  /** The saml:AttributeValue elements (request values, e.g. the age of AgeVerification). */
  readonly values: readonly Element[];
}

export interface AttributeConsumingService {
  readonly index: number;
  readonly isDefault: boolean;
  readonly requested: readonly RequestedAttribute[];
}

export interface SpMetadata {
  readonly entityId: string;
  readonly acs: readonly AcsEndpoint[];
  readonly signingCertificates: readonly X509Certificate[];
  readonly encryptionCertificates: readonly X509Certificate[];
  readonly attributeServices: readonly AttributeConsumingService[];
  readonly nameIdFormats: readonly string[];
  readonly authnRequestsSigned: boolean;
  /** The EntityDescriptor's validUntil (saml-metadata §2.3.2): after it the SP is not served. */
  readonly validUntil?: Date;
}

const fail = (msg: string): never => {
  throw new MetadataError(msg);
};

function bool(el: Element, attr: string, def: boolean): boolean {
  const v = el.getAttribute(attr);
  if (v === null || v === '') return def;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return fail(`${el.localName}/@${attr} is not a boolean`);
}

function index(el: Element): number {
  const v = el.getAttribute('index') ?? '';
  if (!/^\d{1,5}$/.test(v)) fail(`${el.localName} has no valid index`);
  return Number(v);
}

function certificates(sp: Element): { signing: X509Certificate[]; encryption: X509Certificate[] } {
  const signing: X509Certificate[] = [];
  const encryption: X509Certificate[] = [];
  for (const kd of elementChildren(sp, NS.md, 'KeyDescriptor')) {
    const use = kd.getAttribute('use') ?? '';
    if (use !== '' && use !== 'signing' && use !== 'encryption')
      fail(`KeyDescriptor use="${use}" is unknown`);
    for (const ki of elementChildren(kd, NS.ds, 'KeyInfo')) {
      for (const xd of elementChildren(ki, NS.ds, 'X509Data')) {
        for (const xc of elementChildren(xd, NS.ds, 'X509Certificate')) {
          let cert: X509Certificate;
          try {
            cert = new X509Certificate(Buffer.from(textOf(xc).replace(/\s+/g, ''), 'base64'));
          } catch (e) {
            return fail(`a KeyDescriptor certificate cannot be parsed: ${(e as Error).message}`);
          }
          if (use !== 'encryption') signing.push(cert);
          if (use !== 'signing') encryption.push(cert);
        }
      }
    }
  }
  return { signing, encryption };
}

/** saml:Attribute / md:RequestedAttribute → RequestedAttribute; `required` is read by the caller (the flag and its default differ). */
export function requestedAttribute(el: Element, required: boolean): RequestedAttribute {
  const name = el.getAttribute('Name') ?? '';
  if (!name) fail(`<${el.localName}> has no Name`);
  const nameFormat = el.getAttribute('NameFormat');
  return {
    name,
    ...(nameFormat ? { nameFormat } : {}),
    required,
    values: elementChildren(el, NS.saml, 'AttributeValue'),
  };
}

function attributeServices(sp: Element): AttributeConsumingService[] {
  return elementChildren(sp, NS.md, 'AttributeConsumingService').map((acs) => ({
    index: index(acs),
    isDefault: bool(acs, 'isDefault', false),
    requested: elementChildren(acs, NS.md, 'RequestedAttribute').map((ra) =>
      requestedAttribute(ra, bool(ra, 'isRequired', false)),
    ),
  }));
}

function endpoints(sp: Element): AcsEndpoint[] {
  const out: AcsEndpoint[] = [];
  for (const e of elementChildren(sp, NS.md, 'AssertionConsumerService')) {
    const binding = bindingOf(e.getAttribute('Binding') ?? '');
    if (!binding) continue; // artifact, PAOS …: not offered by this IdP
    const location = e.getAttribute('Location') ?? '';
    let url: URL;
    try {
      url = new URL(location);
    } catch {
      return fail(`AssertionConsumerService Location "${location}" is not a URL`);
    }
    if (
      url.protocol !== 'https:' &&
      !(url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
    ) {
      fail(`AssertionConsumerService ${location} must be https (http only on loopback)`);
    }
    out.push({ binding, location, index: index(e), isDefault: bool(e, 'isDefault', false) });
  }
  if (out.length === 0) fail('no AssertionConsumerService with the HTTP-POST or HTTP-Redirect binding');
  if (new Set(out.map((a) => a.index)).size !== out.length)
    fail('two AssertionConsumerService endpoints share an index');
  return out;
}

export function parseSpMetadata(xml: string | Buffer): SpMetadata {
  const doc = parseXml(xml, { maxBytes: 2 * 1024 * 1024, maxNodes: 100_000 });
  const root = doc.documentElement!;
  if (root.namespaceURI !== NS.md || root.localName !== 'EntityDescriptor')
    fail('the root element is not md:EntityDescriptor');
  const entityId = root.getAttribute('entityID') ?? '';
  if (!entityId || entityId.length > 1024) fail('entityID is missing or too long');
  const sps = elementChildren(root, NS.md, 'SPSSODescriptor').filter((d) =>
    (d.getAttribute('protocolSupportEnumeration') ?? '').split(/\s+/).includes(SAML_PROTOCOL),
  );
  if (sps.length !== 1) fail('expected exactly one SAML 2.0 SPSSODescriptor');
  const sp = sps[0]!;
  const certs = certificates(sp);
  const until = root.getAttribute('validUntil');
  const validUntil = until ? new Date(until) : undefined;
  if (validUntil && Number.isNaN(validUntil.getTime())) fail(`validUntil "${until}" is not a dateTime`);
  return {
    entityId,
    acs: endpoints(sp),
    signingCertificates: certs.signing,
    encryptionCertificates: certs.encryption,
    attributeServices: attributeServices(sp),
    nameIdFormats: elementChildren(sp, NS.md, 'NameIDFormat').map((n) => textOf(n).trim()),
    authnRequestsSigned: bool(sp, 'AuthnRequestsSigned', false),
    ...(validUntil ? { validUntil } : {}),
  };
}

/** saml-metadata §2.2.3: the endpoint with isDefault="true", else the first. */
export function defaultEndpoint<T extends { isDefault: boolean }>(list: readonly T[]): T | undefined {
  return list.find((e) => e.isDefault) ?? list[0];
}
