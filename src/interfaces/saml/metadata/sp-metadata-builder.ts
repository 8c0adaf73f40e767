/**
 * Writing SP metadata (saml-metadata §2.4.4) for an SP registered with this
 * IdP: entityID, signing and encryption certificates, ACS endpoints, NameID
 * format and an AttributeConsumingService. Used for the demo SP's file in
 * metadata/ and by tests; real SPs bring their own metadata.
 */
import type { X509Certificate } from 'node:crypto';
import { el, textEl } from '../../../xml/build.js';
import { BINDING, type Binding, NAMEID_FORMAT, NS, SAML_PROTOCOL } from '../namespaces.js';

export interface SpMetadataSpec {
  readonly entityId: string;
  readonly signingCertificate?: X509Certificate;
  readonly encryptionCertificate: X509Certificate;
  readonly acs: readonly {
    readonly binding: Binding;
    readonly location: string;
    readonly index: number;
    readonly isDefault?: boolean;
  }[];
  readonly nameIdFormat?: 'transient' | 'persistent';
  readonly serviceName?: string;
  readonly requestedAttributes?: readonly {
    readonly name: string;
    readonly nameFormat?: string;
    readonly friendlyName?: string;
    readonly required?: boolean;
  }[];
}

const key = (use: string, c: X509Certificate) =>
  el(
    'md:KeyDescriptor',
    { use },
    el('ds:KeyInfo', {}, el('ds:X509Data', {}, textEl('ds:X509Certificate', c.raw.toString('base64')))),
  );

export function buildSpMetadata(s: SpMetadataSpec): string {
  const attrs = s.requestedAttributes ?? [];
  return `<?xml version="1.0" encoding="UTF-8"?>\n${el(
    'md:EntityDescriptor',
    { 'xmlns:md': NS.md, 'xmlns:ds': NS.ds, entityID: s.entityId },
    el(
      'md:SPSSODescriptor',
      {
        protocolSupportEnumeration: SAML_PROTOCOL,
        AuthnRequestsSigned: s.signingCertificate ? 'true' : 'false',
        WantAssertionsSigned: 'true',
      },
      s.signingCertificate ? key('signing', s.signingCertificate) : undefined,
      key('encryption', s.encryptionCertificate),
      textEl('md:NameIDFormat', NAMEID_FORMAT[s.nameIdFormat ?? 'transient']),
      ...s.acs.map((a) =>
        el('md:AssertionConsumerService', {
          Binding: BINDING[a.binding],
          Location: a.location,
          index: String(a.index),
          ...(a.isDefault ? { isDefault: 'true' } : {}),
        }),
      ),
      attrs.length
        ? el(
            'md:AttributeConsumingService',
            { index: '0', isDefault: 'true' },
            textEl('md:ServiceName', s.serviceName ?? s.entityId, { 'xml:lang': 'en' }),
            ...attrs.map((a) =>
              el('md:RequestedAttribute', {
                Name: a.name,
                ...(a.nameFormat ? { NameFormat: a.nameFormat } : {}),
                ...(a.friendlyName ? { FriendlyName: a.friendlyName } : {}),
                isRequired: a.required ? 'true' : 'false',
              }),
            ),
          )
        : undefined,
    ),
  )}\n`;
}
