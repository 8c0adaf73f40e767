/**
 * The canonical application: the exact bytes an applicant signs with its
 * organisation certificate (seed 004 第陸章 壹.一) and the server verifies.
 * JSON with object members sorted by their UTF-16 code units and no
 * whitespace (the JSON Canonicalization Scheme, RFC 8785, for the strings,
 * integers, booleans, arrays and objects an application holds), UTF-8. It
 * names the application and its eService, so a signature cannot be moved to
 * another one; any change of the form or the requested rights invalidates it.
 * `GET /admin/api/v1/applications/{id}/canonical` serves these bytes.
 */
import type { ApplicationRecord } from '../model.js';

export const CANONICAL_TYPE = 'tw.neid.secure-api-application/1';

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The bytes signed for `a`: its identity, form and requested rights. */
export function canonicalApplication(a: ApplicationRecord): Buffer {
  return Buffer.from(
    canonical({
      type: CANONICAL_TYPE,
      application: a.id,
      eService: a.eServiceId,
      kind: a.kind,
      form: a.form,
      requestedFields: a.requestedFields,
      requestedFunctions: a.requestedFunctions,
    }),
    'utf8',
  );
}
