/**
 * Building AuthnRequests for tests: signed by samlify (HTTP-POST enveloped
 * signature, HTTP-Redirect query signature) from our own XML, and decoding
 * the IdP's answer (a 400 page, an activation page, or an ACS form).
 */

import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import type * as samlify from 'samlify';
import { NS } from '../../../../src/interfaces/saml/namespaces.js';
import { formOf, type Page } from './browser.js';

export const newId = (): string => `_${randomBytes(16).toString('hex')}`;

export interface RequestXmlOptions {
  readonly id?: string;
  readonly issuer: string;
  readonly destination: string;
  readonly acs?: string;
  readonly issueInstant?: string;
  readonly extra?: string;
  readonly attrs?: string;
  readonly extensions?: string;
}

/** An AuthnRequest as samlify would write it, with our own content. */
export function requestXml(o: RequestXmlOptions): string {
  return (
    `<samlp:AuthnRequest xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ID="${o.id ?? newId()}" Version="2.0" ` +
    `IssueInstant="${o.issueInstant ?? new Date().toISOString()}" Destination="${o.destination}" ` +
    `${o.acs ? `ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" AssertionConsumerServiceURL="${o.acs}" ` : ''}${o.attrs ?? ''}>` +
    `<saml:Issuer>${o.issuer}</saml:Issuer>` +
    (o.extensions ? `<samlp:Extensions>${o.extensions}</samlp:Extensions>` : '') +
    (o.extra ?? '') +
    '</samlp:AuthnRequest>'
  );
}

const idOf = (xml: string) => /ID="([^"]+)"/.exec(xml)![1]!;

/** samlify signs `xml` for HTTP-POST; returns the signed XML. */
export function samlifySignedPost(
  sp: samlify.ServiceProviderInstance,
  idp: samlify.IdentityProviderInstance,
  xml: string,
): string {
  const r = sp.createLoginRequest(idp, 'post', {
    customTagReplacement: () => ({ id: idOf(xml), context: xml }),
  }) as { context: string };
  return Buffer.from(r.context, 'base64').toString('utf8');
}

/** samlify encodes and signs `xml` for HTTP-Redirect; returns the URL. */
export function samlifySignedRedirect(
  sp: samlify.ServiceProviderInstance,
  idp: samlify.IdentityProviderInstance,
  xml: string,
  relayState?: string,
): string {
  const r = sp.createLoginRequest(idp, 'redirect', {
    customTagReplacement: () => ({ id: idOf(xml), context: xml }),
    ...(relayState ? { relayState } : {}),
  }) as { context: string };
  return r.context;
}

export const postForm = (xml: string, relayState?: string): Record<string, string> => ({
  SAMLRequest: Buffer.from(xml, 'utf8').toString('base64'),
  ...(relayState ? { RelayState: relayState } : {}),
});

export const deflated = (xml: string): string =>
  encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'));

/** The status codes of the Response of an ACS form page (nested StatusCode values, outermost first). */
export function statusOfForm(page: Page): { codes: string[]; message?: string; xml: string } {
  const xml = Buffer.from(formOf(page).fields.SAMLResponse!, 'base64').toString('utf8');
  const codes = [...xml.matchAll(/<samlp:StatusCode Value="([^"]+)"/g)].map((m) => m[1]!);
  const message = /<samlp:StatusMessage>([^<]*)<\/samlp:StatusMessage>/.exec(xml)?.[1];
  return { codes, ...(message ? { message } : {}), xml };
}

/**
 * The refusal code of an HTTP 400 without any SAML message — the only
 * acceptable answer to a refused request; undefined for any other answer.
 */
export function refusal(page: Page): string | undefined {
  if (page.status !== 400 || page.body.includes('SAMLResponse') || page.body.includes('<form'))
    return undefined;
  return /refused \(([a-z-]+)\)/.exec(page.body)?.[1];
}
