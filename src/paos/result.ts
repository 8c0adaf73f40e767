/**
 * eCard-API results (TR-03112-1 §4.1 and annex; TR-03130-1 §3.4): a major
 * code and an optional minor code URI, carried in dss:Result.
 */
import type { Element } from '@xmldom/xmldom';
import { el, textEl } from '../xml/build.js';
import { childText, optionalChild, requireChild } from '../xml/dom.js';
import { NS } from './namespaces.js';

const MAJOR = 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#';
const MINOR = 'http://www.bsi.bund.de/ecard/api/1.1/resultminor/';

export const RESULT_MAJOR = { ok: `${MAJOR}ok`, error: `${MAJOR}error`, warning: `${MAJOR}warning` } as const;

/**
 * ResultMinor codes used between eID-Server and eID-Client. Where the BSI
 * texts spell a code two ways, both are listed: the server sends the spelling
 * the TR-03130-4 test specification checks (and AusweisApp2 knows).
 */
export const RESULT_MINOR = {
  internalError: `${MINOR}al/common#internalError`,
  /** TR-03112-1 §4.2.1 (code table) and TR-03130-4: "Parameter error". The server sends this one. */
  incorrectParameter: `${MINOR}al/common#incorrectParameter`,
  /** The spelling of some TR-03112-7 tables; accepted from clients, never sent by the server. */
  parameterError: `${MINOR}al/common#parameterError`,
  noPermission: `${MINOR}al/common#noPermission`,
  communicationError: `${MINOR}dp#communicationError`,
  timeout: `${MINOR}dp#timeout`,
  trustedChannelEstablishmentFailed: `${MINOR}dp#trustedChannelEstablishmentFailed`,
  unknownSession: `${MINOR}dp#unknownSession`,
  cancellationByUser: `${MINOR}sal#cancellationByUser`,
  /** TR-03112-4 §3 (ISO24727-3 interface), TR-03130-4, AusweisApp2: "access denied". The server sends this one. */
  securityConditionNotSatisfied: `${MINOR}sal#securityConditionNotSatisfied`,
  /** TR-03112-1 §4.2.4.2 spells it with "Conditions". */
  securityConditionsNotSatisfied: `${MINOR}sal#securityConditionsNotSatisfied`,
  prerequisitesNotSatisfied: `${MINOR}sal#prerequisitesNotSatisfied`,
  certificateRevoked: `${MINOR}il/signature#certificateRevoked`,
  ifdCancellationByUser: `${MINOR}ifdl/common#cancellationByUser`,
  ifdTimeout: `${MINOR}ifdl/common#timeoutError`,
  noCard: `${MINOR}ifdl/terminal#noCard`,
  invalidCertificatePath: `${MINOR}il/signature#invalidCertificatePath`,
  certificateFormatNotCorrectWarning: `${MINOR}il/signature#certificateFormatNotCorrectWarning`,
  invalidSignature: `${MINOR}il/signature#invalidSignature`,
  unknownAPIFunction: `${MINOR}al/common#unknownAPIFunction`,
  unsupportedProtocol: `${MINOR}sal#protocolNotRecognized`,
  incorrectCard: `${MINOR}sal#incorrectCard`,
} as const;

export interface EcardResult {
  readonly major: string;
  readonly minor?: string;
  readonly message?: string;
}

export const OK: EcardResult = { major: RESULT_MAJOR.ok };

export function isOk(r: EcardResult): boolean {
  return r.major === RESULT_MAJOR.ok;
}

export function buildResult(r: EcardResult): string {
  return el(
    'Result',
    { xmlns: NS.dss },
    textEl('ResultMajor', r.major),
    r.minor ? textEl('ResultMinor', r.minor) : undefined,
    r.message ? textEl('ResultMessage', r.message, { 'xml:lang': 'en' }) : undefined,
  );
}

export function parseResult(parent: Element): EcardResult {
  const r = requireChild(parent, NS.dss, 'Result');
  const major = childText(r, NS.dss, 'ResultMajor');
  if (!major) return { major: '' };
  const minor = childText(r, NS.dss, 'ResultMinor');
  const msg = optionalChild(r, NS.dss, 'ResultMessage');
  return {
    major,
    ...(minor ? { minor } : {}),
    ...(msg ? { message: childText(r, NS.dss, 'ResultMessage') ?? '' } : {}),
  };
}
