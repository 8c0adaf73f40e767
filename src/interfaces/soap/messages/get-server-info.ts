/**
 * getServerInfo (TR-03130-1 §3.2.3): the interface version and the
 * operations the calling eService's terminal certificate allows
 * (DocumentVerificationRights).
 */
import type { Element } from '@xmldom/xmldom';
import { el, textEl } from '../../../xml/build.js';
import { NS } from '../namespaces.js';
import { type AttributeSelection, elementOf, OPERATION_IDS, type OperationId } from '../operations.js';
import { schemaViolation } from '../result-codes.js';
import { int32, maybe, one, RESPONSE_NS, sequence, simpleText } from './common.js';

/** The eID-Interface version implemented: TR-03130-1 v2.4, Taiwan profile 1. */
export const SERVER_VERSION = {
  versionString: 'N_eID-Server eID-Interface 2.4.0 (TR-03130-1 v2.4, profile urn:tw:gov:moi:neid:eid:1)',
  major: 2,
  minor: 4,
  bugfix: 0,
} as const;

/** The eService side: a getServerInfoRequest body. */
export const buildGetServerInfoRequest = (): string =>
  el('eid:getServerInfoRequest', { 'xmlns:eid': NS.eid });

export function parseGetServerInfoRequest(body: Element): void {
  sequence(body, []);
}

export function buildGetServerInfoResponse(rights: ReadonlySet<OperationId>): string {
  return el(
    'eid:getServerInfoResponse',
    RESPONSE_NS,
    el(
      'eid:ServerVersion',
      {},
      textEl('eid:VersionString', SERVER_VERSION.versionString),
      textEl('eid:Major', String(SERVER_VERSION.major)),
      textEl('eid:Minor', String(SERVER_VERSION.minor)),
      textEl('eid:Bugfix', String(SERVER_VERSION.bugfix)),
    ),
    el(
      'eid:DocumentVerificationRights',
      {},
      ...OPERATION_IDS.map((op) => textEl(`tw:${elementOf(op)}`, rights.has(op) ? 'ALLOWED' : 'PROHIBITED')),
    ),
  );
}

/** The eService side: reads a getServerInfoResponse. */
export function parseGetServerInfoResponse(body: Element): {
  version: { major: number; minor: number; text: string };
  rights: Map<OperationId, AttributeSelection>;
} {
  const m = sequence(body, [
    { ns: NS.eid, name: 'ServerVersion' },
    { ns: NS.eid, name: 'DocumentVerificationRights' },
  ]);
  const v = sequence(one(m, 'ServerVersion'), [
    { ns: NS.eid, name: 'VersionString' },
    { ns: NS.eid, name: 'Major' },
    { ns: NS.eid, name: 'Minor' },
    { ns: NS.eid, name: 'Bugfix', min: 0 },
  ]);
  const r = sequence(
    one(m, 'DocumentVerificationRights'),
    OPERATION_IDS.map((op) => ({ ns: NS.tw, name: elementOf(op), min: 0 })),
  );
  const rights = new Map<OperationId, AttributeSelection>();
  for (const op of OPERATION_IDS) {
    const e = maybe(r, elementOf(op));
    const s = e ? simpleText(e) || 'PROHIBITED' : 'PROHIBITED';
    if (s !== 'ALLOWED' && s !== 'PROHIBITED') throw schemaViolation(`bad AttributeSelectionType ${s}`);
    rights.set(op, s);
  }
  return {
    version: {
      text: simpleText(one(v, 'VersionString')),
      major: int32(one(v, 'Major')),
      minor: int32(one(v, 'Minor')),
    },
    rights,
  };
}
