/**
 * getResult (TR-03130-1 §3.2.2): the eService asks for the outcome of a
 * session with a RequestCounter that rises by one on every call; the answer
 * is the personal data, the verification results and, per operation, what
 * could effectively be read (OperationsAllowedByUser) — or an error Result.
 */
import type { Element } from '@xmldom/xmldom';
import type { FieldValues } from '../../../profile/values.js';
import { el, textEl } from '../../../xml/build.js';
import { NS } from '../namespaces.js';
import { type AttributeResponse, elementOf, OPERATION_IDS, type OperationId } from '../operations.js';
import { type SoapResult, schemaViolation } from '../result-codes.js';
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
import { buildPersonalData, parsePersonalData } from './personal-data.js';
import { parseResult } from './use-id.js';

export interface GetResultRequest {
  /** Session ID, lower-case hex. */
  readonly sessionId: string;
  readonly requestCounter: number;
}

export function parseGetResultRequest(body: Element): GetResultRequest {
  const m = sequence(body, [
    { ns: NS.eid, name: 'Session' },
    { ns: NS.eid, name: 'RequestCounter' },
  ]);
  const id = hexBinaryOf(one(sequence(one(m, 'Session'), [{ ns: NS.eid, name: 'ID' }]), 'ID'), 16);
  return { sessionId: id.toString('hex'), requestCounter: int32(one(m, 'RequestCounter')) };
}

/** The eService side: a getResultRequest body. */
export function buildGetResultRequest(sessionId: string, requestCounter: number): string {
  return el(
    'eid:getResultRequest',
    { 'xmlns:eid': NS.eid },
    el('eid:Session', {}, textEl('eid:ID', sessionId)),
    textEl('eid:RequestCounter', String(requestCounter)),
  );
}

/**
 * The session ID of a getResultRequest that failed schema validation, if it
 * can still be read: such a session is ended too (TR-03130-4 EIDSERVER_A1_4_15).
 */
export function sessionIdOf(body: Element): string | undefined {
  try {
    for (let c = body.firstChild; c; c = c.nextSibling) {
      const e = c as Element;
      if (c.nodeType === 1 && e.namespaceURI === NS.eid && e.localName === 'Session') {
        return hexBinaryOf(one(sequence(e, [{ ns: NS.eid, name: 'ID' }]), 'ID'), 16).toString('hex');
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

export interface GetResultOutcome {
  readonly fields: FieldValues;
  readonly restrictedId?: string;
  readonly ageVerification?: boolean;
  readonly placeVerification?: boolean;
  /** Every operation of the profile: what could be read, PROHIBITED when not requested. */
  readonly operations: ReadonlyMap<OperationId, AttributeResponse>;
}

const verification = (name: string, v: boolean | undefined) =>
  v === undefined ? undefined : el(`eid:${name}`, {}, textEl('eid:FulfilsRequest', v ? 'true' : 'false'));

export function buildGetResultResponse(outcome: GetResultOutcome | undefined, result: SoapResult): string {
  return el(
    'eid:getResultResponse',
    RESPONSE_NS,
    outcome ? buildPersonalData(outcome.fields, outcome.restrictedId) : undefined,
    verification('FulfilsAgeVerification', outcome?.ageVerification),
    verification('FulfilsPlaceVerification', outcome?.placeVerification),
    outcome
      ? el(
          'eid:OperationsAllowedByUser',
          {},
          ...OPERATION_IDS.map((op) =>
            textEl(`tw:${elementOf(op)}`, outcome.operations.get(op) ?? 'PROHIBITED'),
          ),
        )
      : undefined,
    buildResult(result),
  );
}

/** The eService side: reads a getResultResponse. */
export function parseGetResultResponse(body: Element): { outcome?: GetResultOutcome; result: SoapResult } {
  const m = sequence(body, [
    { ns: NS.eid, name: 'PersonalData', min: 0 },
    { ns: NS.eid, name: 'FulfilsAgeVerification', min: 0 },
    { ns: NS.eid, name: 'FulfilsPlaceVerification', min: 0 },
    { ns: NS.eid, name: 'OperationsAllowedByUser', min: 0 },
    { ns: NS.dss, name: 'Result' },
  ]);
  const result = parseResult(one(m, 'Result'));
  const pd = maybe(m, 'PersonalData');
  const ops = maybe(m, 'OperationsAllowedByUser');
  if (!pd || !ops) return { result };
  const flag = (name: string) => {
    const e = maybe(m, name);
    if (!e) return undefined;
    const v = collapse(
      simpleText(one(sequence(e, [{ ns: NS.eid, name: 'FulfilsRequest' }]), 'FulfilsRequest')),
    );
    if (!['true', 'false', '1', '0'].includes(v)) throw schemaViolation('FulfilsRequest is not xs:boolean');
    return v === 'true' || v === '1';
  };
  const om = sequence(
    ops,
    OPERATION_IDS.map((op) => ({ ns: NS.tw, name: elementOf(op), min: 0 })),
  );
  const operations = new Map<OperationId, AttributeResponse>();
  for (const op of OPERATION_IDS) {
    const e = maybe(om, elementOf(op));
    const v = e ? simpleText(e) || 'PROHIBITED' : 'PROHIBITED';
    if (v !== 'ALLOWED' && v !== 'PROHIBITED' && v !== 'NOTONCHIP')
      throw schemaViolation(`bad AttributeResponseType ${v}`);
    operations.set(op, v);
  }
  const { fields, restrictedId } = parsePersonalData(pd);
  const age = flag('FulfilsAgeVerification');
  const place = flag('FulfilsPlaceVerification');
  return {
    result,
    outcome: {
      fields,
      operations,
      ...(restrictedId ? { restrictedId } : {}),
      ...(age !== undefined ? { ageVerification: age } : {}),
      ...(place !== undefined ? { placeVerification: place } : {}),
    },
  };
}
