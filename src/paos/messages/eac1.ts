/**
 * EAC1InputType / EAC1OutputType (TR-03112-7 §3.6.4.1; BSI ISO24727-Protocols.xsd):
 *
 * Input (server → client): Certificate+ (CV certificates: terminal, DV, optional CVCA/link),
 * CertificateDescription, RequiredCHAT?, OptionalCHAT?, AuthenticatedAuxiliaryData?, TransactionInfo?
 *
 * Output (client → server): CertificateHolderAuthorizationTemplate? (the CHAT
 * used in PACE after the user's choice), CertificationAuthorityReference{0,2}
 * (CAR_curr, CAR_prev from PACE), EFCardAccess, IDPICC, Challenge.
 */
import type { Element } from '@xmldom/xmldom';
import { hexUpper, textEl } from '../../xml/build.js';
import { childText, elementChildren, hexBinary, requireChildText } from '../../xml/dom.js';
import { XmlError } from '../../xml/errors.js';
import { NS } from '../namespaces.js';

export interface Eac1Input {
  readonly certificates: readonly Buffer[];
  readonly certificateDescription: Buffer;
  readonly requiredChat?: Buffer;
  readonly optionalChat?: Buffer;
  readonly authenticatedAuxiliaryData?: Buffer;
  readonly transactionInfo?: string;
}

export function buildEac1Input(m: Eac1Input): string {
  return [
    ...m.certificates.map((c) => textEl('Certificate', hexUpper(c))),
    textEl('CertificateDescription', hexUpper(m.certificateDescription)),
    m.requiredChat ? textEl('RequiredCHAT', hexUpper(m.requiredChat)) : '',
    m.optionalChat ? textEl('OptionalCHAT', hexUpper(m.optionalChat)) : '',
    m.authenticatedAuxiliaryData
      ? textEl('AuthenticatedAuxiliaryData', hexUpper(m.authenticatedAuxiliaryData))
      : '',
    m.transactionInfo ? textEl('TransactionInfo', m.transactionInfo) : '',
  ].join('');
}

const optHex = (data: Element, name: string) => {
  const t = childText(data, NS.iso, name);
  return t ? hexBinary(t, name) : undefined;
};

export function parseEac1Input(data: Element): Eac1Input {
  const certificates = elementChildren(data, NS.iso, 'Certificate').map((c) =>
    hexBinary(c.textContent ?? '', 'Certificate'),
  );
  if (certificates.length === 0) throw new XmlError('schema', 'EAC1InputType lacks Certificate');
  const requiredChat = optHex(data, 'RequiredCHAT');
  const optionalChat = optHex(data, 'OptionalCHAT');
  const aux = optHex(data, 'AuthenticatedAuxiliaryData');
  const ti = childText(data, NS.iso, 'TransactionInfo');
  return {
    certificates,
    certificateDescription: hexBinary(
      requireChildText(data, NS.iso, 'CertificateDescription'),
      'CertificateDescription',
    ),
    ...(requiredChat ? { requiredChat } : {}),
    ...(optionalChat ? { optionalChat } : {}),
    ...(aux ? { authenticatedAuxiliaryData: aux } : {}),
    ...(ti ? { transactionInfo: ti } : {}),
  };
}

export interface Eac1Output {
  readonly chat?: Buffer;
  readonly cars: readonly string[];
  readonly efCardAccess: Buffer;
  readonly idPicc: Buffer;
  readonly challenge: Buffer;
}

export function buildEac1Output(m: Eac1Output): string {
  return [
    m.chat ? textEl('CertificateHolderAuthorizationTemplate', hexUpper(m.chat)) : '',
    ...m.cars.map((c) => textEl('CertificationAuthorityReference', c)),
    textEl('EFCardAccess', hexUpper(m.efCardAccess)),
    textEl('IDPICC', hexUpper(m.idPicc)),
    textEl('Challenge', hexUpper(m.challenge)),
  ].join('');
}

export function parseEac1Output(data: Element): Eac1Output {
  const chat = optHex(data, 'CertificateHolderAuthorizationTemplate');
  const cars = elementChildren(data, NS.iso, 'CertificationAuthorityReference').map((c) =>
    (c.textContent ?? '').trim(),
  );
  if (cars.length > 2) throw new XmlError('schema', 'more than two CertificationAuthorityReference');
  const challenge = hexBinary(requireChildText(data, NS.iso, 'Challenge'), 'Challenge');
  if (challenge.length !== 8) throw new XmlError('schema', 'Challenge must be 8 bytes');
  const idPicc = hexBinary(requireChildText(data, NS.iso, 'IDPICC'), 'IDPICC');
  if (idPicc.length < 16 || idPicc.length > 80)
    throw new XmlError('schema', 'IDPICC has an implausible length');
  return {
    ...(chat ? { chat } : {}),
    cars,
    efCardAccess: hexBinary(requireChildText(data, NS.iso, 'EFCardAccess'), 'EFCardAccess'),
    idPicc,
    challenge,
  };
}
