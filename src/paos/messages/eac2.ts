/**
 * EAC2InputType / EAC2OutputType (TR-03112-7 §3.6.4.2):
 *
 * Input (server → client): Certificate* (further certificates), EphemeralPublicKey
 * (the terminal's CA key, uncompressed point), Signature (Terminal Authentication).
 *
 * Output (client → server): EFCardSecurity, AuthenticationToken, Nonce (Chip
 * Authentication v2 results).
 */
import type { Element } from '@xmldom/xmldom';
import { hexUpper, textEl } from '../../xml/build.js';
import { elementChildren, hexBinary, requireChildText } from '../../xml/dom.js';
import { XmlError } from '../../xml/errors.js';
import { NS } from '../namespaces.js';

export interface Eac2Input {
  readonly certificates: readonly Buffer[];
  readonly ephemeralPublicKey: Buffer;
  readonly signature: Buffer;
}

export function buildEac2Input(m: Eac2Input): string {
  return [
    ...m.certificates.map((c) => textEl('Certificate', hexUpper(c))),
    textEl('EphemeralPublicKey', hexUpper(m.ephemeralPublicKey)),
    textEl('Signature', hexUpper(m.signature)),
  ].join('');
}

export function parseEac2Input(data: Element): Eac2Input {
  let eph = hexBinary(requireChildText(data, NS.iso, 'EphemeralPublicKey'), 'EphemeralPublicKey');
  // Some servers send X‖Y without the 04 prefix (AusweisApp tolerates it; so do we).
  if (eph.length % 2 === 0) eph = Buffer.concat([Buffer.from([4]), eph]);
  return {
    certificates: elementChildren(data, NS.iso, 'Certificate').map((c) =>
      hexBinary(c.textContent ?? '', 'Certificate'),
    ),
    ephemeralPublicKey: eph,
    signature: hexBinary(requireChildText(data, NS.iso, 'Signature'), 'Signature'),
  };
}

export interface Eac2Output {
  readonly efCardSecurity: Buffer;
  readonly authenticationToken: Buffer;
  readonly nonce: Buffer;
}

export function buildEac2Output(m: Eac2Output): string {
  return [
    textEl('EFCardSecurity', hexUpper(m.efCardSecurity)),
    textEl('AuthenticationToken', hexUpper(m.authenticationToken)),
    textEl('Nonce', hexUpper(m.nonce)),
  ].join('');
}

export function parseEac2Output(data: Element): Eac2Output {
  const token = hexBinary(requireChildText(data, NS.iso, 'AuthenticationToken'), 'AuthenticationToken');
  const nonce = hexBinary(requireChildText(data, NS.iso, 'Nonce'), 'Nonce');
  if (token.length !== 8) throw new XmlError('schema', 'AuthenticationToken must be 8 bytes');
  if (nonce.length !== 8) throw new XmlError('schema', 'Nonce must be 8 bytes');
  if (elementChildren(data, NS.iso, 'EFCardSecurity').length !== 1)
    throw new XmlError('schema', 'exactly one EFCardSecurity expected');
  return {
    efCardSecurity: hexBinary(requireChildText(data, NS.iso, 'EFCardSecurity'), 'EFCardSecurity'),
    authenticationToken: token,
    nonce,
  };
}
