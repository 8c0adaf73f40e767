/**
 * useID (TR-03130-1 §3.2.1): the eService selects the operations, gives the
 * parameters of the verifications, optionally a TransactionInfo and its own
 * PSK; the answer is the session, the eCard-API (PAOS) address and the PSK
 * for the TC Token.
 */
import type { Element } from '@xmldom/xmldom';
import { el, hexUpper, textEl } from '../../../xml/build.js';
import { NS } from '../namespaces.js';
import { type AttributeRequest, elementOf, OPERATION_IDS, type OperationId } from '../operations.js';
import { RESULT_MINOR, SoapError, type SoapResult, schemaViolation } from '../result-codes.js';
import {
  buildResult,
  collapse,
  hexBinaryOf,
  int32,
  maybe,
  one,
  RESPONSE_NS,
  sequence,
  simpleText,
} from './common.js';

export interface UseIdRequest {
  /** REQUIRED and ALLOWED operations; everything else is PROHIBITED. */
  readonly operations: ReadonlyMap<OperationId, Exclude<AttributeRequest, 'PROHIBITED'>>;
  readonly age?: number;
  /** Household area code prefix (5, 8, 11 or 14 digits). */
  readonly place?: string;
  readonly transactionInfo?: string;
  readonly psk?: { readonly id: string; readonly key: Buffer };
}

const opSpec = OPERATION_IDS.map((op) => ({ ns: NS.tw, name: elementOf(op), min: 0 }));

/** An AttributeRequestType value; an empty element takes the schema default PROHIBITED. */
function attributeRequest(e: Element): AttributeRequest {
  const v = simpleText(e);
  if (v === '') return 'PROHIBITED';
  if (v !== 'REQUIRED' && v !== 'ALLOWED' && v !== 'PROHIBITED')
    throw schemaViolation(`<${e.localName}> must be REQUIRED, ALLOWED or PROHIBITED`);
  return v;
}

export function parseUseIdRequest(body: Element): UseIdRequest {
  const m = sequence(body, [
    { ns: NS.eid, name: 'UseOperations' },
    { ns: NS.eid, name: 'AgeVerificationRequest', min: 0 },
    { ns: NS.eid, name: 'PlaceVerificationRequest', min: 0 },
    { ns: NS.eid, name: 'TransactionInfo', min: 0 },
    { ns: NS.eid, name: 'PSK', min: 0 },
  ]);
  const ops = sequence(one(m, 'UseOperations'), opSpec);
  const operations = new Map<OperationId, Exclude<AttributeRequest, 'PROHIBITED'>>();
  for (const op of OPERATION_IDS) {
    const e = maybe(ops, elementOf(op));
    const v = e ? attributeRequest(e) : 'PROHIBITED';
    if (v !== 'PROHIBITED') operations.set(op, v);
  }

  let age: number | undefined;
  const ageEl = maybe(m, 'AgeVerificationRequest');
  if (ageEl) {
    age = int32(one(sequence(ageEl, [{ ns: NS.eid, name: 'Age' }]), 'Age'));
    if (age < 0 || age > 150) throw schemaViolation('<Age> must be 0 to 150');
  }
  let place: string | undefined;
  const placeEl = maybe(m, 'PlaceVerificationRequest');
  if (placeEl) {
    place = simpleText(one(sequence(placeEl, [{ ns: NS.tw, name: 'HouseholdArea' }]), 'HouseholdArea'));
    if (!/^\d{5}(\d{3}(\d{3}(\d{3})?)?)?$/.test(place))
      throw schemaViolation('<HouseholdArea> must be 5, 8, 11 or 14 digits');
  }
  let transactionInfo: string | undefined;
  const tiEl = maybe(m, 'TransactionInfo');
  if (tiEl) {
    transactionInfo = simpleText(tiEl);
    const len = [...transactionInfo].length;
    if (len < 1 || len > 1000) throw schemaViolation('<TransactionInfo> must have 1 to 1000 characters');
  }
  const pskEl = maybe(m, 'PSK');
  return {
    operations,
    ...(age !== undefined ? { age } : {}),
    ...(place !== undefined ? { place } : {}),
    ...(transactionInfo !== undefined ? { transactionInfo } : {}),
    ...(pskEl ? { psk: parsePsk(pskEl) } : {}),
  };
}

/**
 * PreSharedKeyType (§3.3.18). A Key that is not a hexBinary of at least 16
 * bytes is useID#invalidPSK, the TR's code for a PSK that "can not be
 * processed". The ID is what the schema allows — a string of at least 16
 * characters — and becomes the psk_identity and TC Token SessionIdentifier;
 * the session service bounds it further (at most 128 characters, no spaces
 * or control characters: workflows/session/approval.ts).
 */
function parsePsk(e: Element): { id: string; key: Buffer } {
  const m = sequence(e, [
    { ns: NS.eid, name: 'ID' },
    { ns: NS.eid, name: 'Key' },
  ]);
  const id = simpleText(one(m, 'ID'));
  if ([...id].length < 16)
    throw new SoapError(RESULT_MINOR.invalidPSK, 'the PSK ID must have at least 16 characters');
  let key: Buffer;
  try {
    key = hexBinaryOf(one(m, 'Key'), 16);
  } catch {
    throw new SoapError(RESULT_MINOR.invalidPSK, 'the PSK must be hexBinary of at least 16 bytes');
  }
  return { id, key };
}

/** The eService side: a useIDRequest body (tests, the demo eService, integrators' reference). */
export function buildUseIdRequest(r: {
  readonly operations: Partial<Record<OperationId, AttributeRequest>>;
  readonly age?: number;
  readonly place?: string;
  readonly transactionInfo?: string;
  readonly psk?: { readonly id: string; readonly key: Buffer };
}): string {
  return el(
    'eid:useIDRequest',
    { 'xmlns:eid': NS.eid, 'xmlns:tw': NS.tw },
    el(
      'eid:UseOperations',
      {},
      ...OPERATION_IDS.filter((op) => r.operations[op]).map((op) =>
        textEl(`tw:${elementOf(op)}`, r.operations[op]!),
      ),
    ),
    r.age !== undefined ? el('eid:AgeVerificationRequest', {}, textEl('eid:Age', String(r.age))) : undefined,
    r.place !== undefined
      ? el('eid:PlaceVerificationRequest', {}, textEl('tw:HouseholdArea', r.place))
      : undefined,
    r.transactionInfo !== undefined ? textEl('eid:TransactionInfo', r.transactionInfo) : undefined,
    r.psk ? el('eid:PSK', {}, textEl('eid:ID', r.psk.id), textEl('eid:Key', hexUpper(r.psk.key))) : undefined,
  );
}

export interface UseIdGranted {
  readonly sessionId: string;
  readonly eCardServerAddress: string;
  readonly psk: { readonly id: string; readonly key: Buffer };
}

export function buildUseIdResponse(granted: UseIdGranted | undefined, result: SoapResult): string {
  return el(
    'eid:useIDResponse',
    RESPONSE_NS,
    granted ? el('eid:Session', {}, textEl('eid:ID', granted.sessionId)) : undefined,
    granted ? textEl('eid:eCardServerAddress', granted.eCardServerAddress) : undefined,
    granted
      ? el('eid:PSK', {}, textEl('eid:ID', granted.psk.id), textEl('eid:Key', hexUpper(granted.psk.key)))
      : undefined,
    buildResult(result),
  );
}

/** The eService side: reads a useIDResponse (used by tests and the demo eService). */
export function parseUseIdResponse(body: Element): { granted?: UseIdGranted; result: SoapResult } {
  const m = sequence(body, [
    { ns: NS.eid, name: 'Session', min: 0 },
    { ns: NS.eid, name: 'eCardServerAddress', min: 0 },
    { ns: NS.eid, name: 'PSK', min: 0 },
    { ns: NS.dss, name: 'Result' },
  ]);
  const result = parseResult(one(m, 'Result'));
  const s = maybe(m, 'Session');
  const p = maybe(m, 'PSK');
  const a = maybe(m, 'eCardServerAddress');
  if (!s || !p || !a) return { result };
  const pm = sequence(p, [
    { ns: NS.eid, name: 'ID' },
    { ns: NS.eid, name: 'Key' },
  ]);
  return {
    result,
    granted: {
      sessionId: hexBinaryOf(one(sequence(s, [{ ns: NS.eid, name: 'ID' }]), 'ID'), 16).toString('hex'),
      eCardServerAddress: collapse(simpleText(a)),
      psk: { id: simpleText(one(pm, 'ID')), key: hexBinaryOf(one(pm, 'Key'), 16) },
    },
  };
}

export function parseResult(e: Element): SoapResult {
  const m = sequence(e, [
    { ns: NS.dss, name: 'ResultMajor' },
    { ns: NS.dss, name: 'ResultMinor', min: 0 },
    { ns: NS.dss, name: 'ResultMessage', min: 0 },
  ]);
  const minor = maybe(m, 'ResultMinor');
  const msg = maybe(m, 'ResultMessage');
  return {
    major: collapse(simpleText(one(m, 'ResultMajor'))),
    ...(minor ? { minor: collapse(simpleText(minor)) } : {}),
    ...(msg ? { message: msg.textContent ?? '' } : {}),
  };
}
