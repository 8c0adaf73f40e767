/**
 * samlify (devDependency) as the independent test SP. Used only as an SP:
 * its IdP side accepts wrapped AuthnRequests (samlify issue #634) and must
 * never verify anything for the IdP.
 */
import * as samlify from 'samlify';
import { BINDING, NAMEID_FORMAT } from '../../../../src/interfaces/saml/namespaces.js';
import type { KeyPair } from './idp.js';

export interface SamlifySpOptions {
  readonly entityId: string;
  readonly acs: string;
  readonly signing: KeyPair;
  readonly encryption: KeyPair;
  readonly loginRequestTemplate?: { context: string };
}

export function samlifySp(o: SamlifySpOptions): samlify.ServiceProviderInstance {
  return samlify.ServiceProvider({
    entityID: o.entityId,
    authnRequestsSigned: true,
    wantAssertionsSigned: true,
    wantMessageSigned: true,
    isAssertionEncrypted: true,
    privateKey: o.signing.keyPem,
    signingCert: o.signing.certPem,
    encPrivateKey: o.encryption.keyPem,
    encryptCert: o.encryption.certPem,
    requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    signatureConfig: {
      prefix: 'ds',
      location: { reference: "/*[local-name(.)='AuthnRequest']/*[local-name(.)='Issuer']", action: 'after' },
    },
    assertionConsumerService: [{ Binding: BINDING.post, Location: o.acs }],
    nameIDFormat: [NAMEID_FORMAT.transient],
    ...(o.loginRequestTemplate ? { loginRequestTemplate: o.loginRequestTemplate } : {}),
  });
}

/** samlify's SP metadata plus an AttributeConsumingService (samlify does not write one). */
export function withRequestedAttributes(
  metadata: string,
  attrs: readonly { name: string; required: boolean }[],
): string {
  const service =
    '<AttributeConsumingService index="0" isDefault="true"><ServiceName xml:lang="en">Test SP</ServiceName>' +
    attrs.map((a) => `<RequestedAttribute Name="${a.name}" isRequired="${a.required}"/>`).join('') +
    '</AttributeConsumingService>';
  return metadata.replace('</SPSSODescriptor>', `${service}</SPSSODescriptor>`);
}

export const decodeSamlResponse = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');
