/**
 * samlp:Response (saml-core §3.2.2, §3.3.3; TR-03130-1 §4.7.3 table 14):
 * Destination (the ACS URL), InResponseTo, Issuer, Status (status.ts) and,
 * on success, one saml:EncryptedAssertion. The Assertion is signed first
 * (enveloped, the SP's algorithm set), then encrypted with a fresh content
 * key for the SP's encryption key (saml-core §6.2). The Response itself is
 * signed with an enveloped signature for HTTP-POST; for HTTP-Redirect the
 * query string is signed instead (saml-bindings §3.4.4.1) — see bindings/.
 */
import type { KeyObject } from 'node:crypto';
import { el, textEl } from '../../../xml/build.js';
import type { OutboundAlgorithms } from '../algorithms.js';
import type { Signer } from '../crypto/keys.js';
import { signEnveloped } from '../crypto/xmldsig-sign.js';
import { encryptElement } from '../crypto/xmlenc-encrypt.js';
import { NS } from '../namespaces.js';
import type { Status } from '../status.js';
import { instant, samlId } from './assertion.js';

export interface ResponseParams {
  readonly idpEntityId: string;
  readonly destination: string;
  readonly inResponseTo: string;
  readonly status: Status;
  readonly now: number;
  /** A signed, not yet encrypted Assertion (success only). */
  readonly signedAssertion?: string;
}

export interface SpCrypto {
  readonly outbound: OutboundAlgorithms;
  readonly encryptionKey: KeyObject;
}

function statusXml(s: Status): string {
  const nested = [...s.codes]
    .reverse()
    .reduce<string | undefined>((inner, code) => el('samlp:StatusCode', { Value: code }, inner), undefined)!;
  return el('samlp:Status', {}, nested, s.message ? textEl('samlp:StatusMessage', s.message) : undefined);
}

/** Signs the assertion with the SP's algorithm set (TR-03130-1 §4.9.2: the assertion is signed before encryption). */
export function signAssertion(assertionXml: string, signer: Signer, outbound: OutboundAlgorithms): string {
  return signEnveloped(assertionXml, signer, { digest: outbound.digest, position: 'issuer' });
}

/** The unsigned Response; with `signedAssertion`, it is encrypted into an EncryptedAssertion for `sp`. */
export function buildResponse(p: ResponseParams, sp: SpCrypto): string {
  const encrypted = p.signedAssertion
    ? el('saml:EncryptedAssertion', {}, encryptElement(p.signedAssertion, sp.encryptionKey, sp.outbound))
    : undefined;
  return el(
    'samlp:Response',
    {
      'xmlns:samlp': NS.samlp,
      'xmlns:saml': NS.saml,
      ID: samlId(),
      Version: '2.0',
      IssueInstant: instant(p.now),
      Destination: p.destination,
      InResponseTo: p.inResponseTo,
    },
    textEl('saml:Issuer', p.idpEntityId, { Format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity' }),
    statusXml(p.status),
    encrypted,
  );
}

/** The HTTP-POST form of the Response: an enveloped signature after the Issuer. */
export function signResponse(responseXml: string, signer: Signer, outbound: OutboundAlgorithms): string {
  return signEnveloped(responseXml, signer, { digest: outbound.digest, position: 'issuer' });
}
