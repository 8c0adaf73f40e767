/**
 * What an authorization request asks of the card, and whether the eService
 * may ask it: `scope` values (OIDC Core §5.4, voluntary claims → optional
 * fields) and the `claims` parameter (OIDC Core §5.5; `essential` → required
 * fields, the others optional), checked against the eService's approval. A
 * request beyond approval is refused here — at the pushed authorization and
 * authorization endpoints — before any card contact.
 *
 * Deliberate difference from OIDC Core §5.5.1: an essential claim the citizen
 * withholds ends the login with access_denied (docs/oidc-provider.md).
 */
import type { EService } from '../../config/relying-parties.js';
import type { FieldId } from '../../profile/fields.js';
import { normalizeAreaCode } from '../../profile/household-area.js';
import type { AuthRequest } from '../../workflows/session/types.js';
import { AGE_CLAIM, fieldOfClaim, PLACE_CLAIM, SCOPE_FIELDS } from './claims.js';
import { OidcRequestError } from './errors.js';

export type CardRequest = Pick<
  AuthRequest,
  'required' | 'optional' | 'ageVerification' | 'placeVerification'
>;

export interface RequestPlan {
  readonly card: CardRequest;
  /** Scopes to grant (the OIDC scopes requested, all approved). */
  readonly scopes: readonly string[];
  /** Claims requested through the `claims` parameter that are granted. */
  readonly claims: readonly string[];
}

const MAX_TRANSACTION_INFO = 1000;

type ClaimSpec = { essential?: unknown; value?: unknown; values?: unknown } | null;

function parseClaims(raw: string | undefined): [string, ClaimSpec][] {
  if (raw === undefined) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw new OidcRequestError('invalid_request', 'the claims parameter is not JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new OidcRequestError('invalid_request', 'the claims parameter must be a JSON object');
  }
  const out: [string, ClaimSpec][] = [];
  for (const container of ['id_token', 'userinfo'] as const) {
    const c = (doc as Record<string, unknown>)[container];
    if (c === undefined) continue;
    if (typeof c !== 'object' || c === null || Array.isArray(c)) {
      throw new OidcRequestError('invalid_request', `claims.${container} must be an object`);
    }
    for (const [name, spec] of Object.entries(c)) {
      if (spec !== null && (typeof spec !== 'object' || Array.isArray(spec))) {
        throw new OidcRequestError(
          'invalid_request',
          `claims.${container}.${name} must be null or an object`,
        );
      }
      out.push([name, spec as ClaimSpec]);
    }
  }
  return out;
}

function ageOf(spec: ClaimSpec): number {
  const v = spec?.value;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 150) {
    throw new OidcRequestError(
      'invalid_request',
      `${AGE_CLAIM} needs "value": an age in years (integer 0-150)`,
    );
  }
  return v;
}

function areaOf(spec: ClaimSpec): string {
  const v = spec?.value;
  if (typeof v !== 'string') {
    throw new OidcRequestError(
      'invalid_request',
      `${PLACE_CLAIM} needs "value": a household area code prefix`,
    );
  }
  try {
    return normalizeAreaCode(v);
  } catch {
    throw new OidcRequestError('invalid_request', `${PLACE_CLAIM}: the value must be 5, 8, 11 or 14 digits`);
  }
}

/**
 * Plans the card request for `scope` and `claims` of an authorization request
 * by a client of `es`. Throws OidcRequestError (invalid_scope beyond approval,
 * invalid_request for malformed values).
 */
export function planRequest(
  es: EService,
  scope: string | undefined,
  claimsParam: string | undefined,
): RequestPlan {
  const scopes = [...new Set((scope ?? '').split(' ').filter(Boolean))];
  if (!scopes.includes('openid')) throw new OidcRequestError('invalid_scope', 'the openid scope is required');
  const required = new Set<FieldId>();
  const optional = new Set<FieldId>();
  const granted: string[] = ['openid'];
  for (const s of scopes) {
    const fields = SCOPE_FIELDS.get(s);
    if (!fields) continue; // not an OpenID scope of this provider: ignored (RFC 6749 §3.3)
    const approved = fields.filter((f) => es.approvedFields.includes(f));
    if (approved.length === 0)
      throw new OidcRequestError('invalid_scope', `the scope ${s} is not approved for this client`, s);
    for (const f of approved) optional.add(f);
    granted.push(s);
  }

  const claims = new Set<string>();
  let age: { age: number; required: boolean } | undefined;
  let place: { areaCode: string; required: boolean } | undefined;
  for (const [name, spec] of parseClaims(claimsParam)) {
    const essential = spec?.essential === true;
    const field = fieldOfClaim(name);
    if (field) {
      if (!es.approvedFields.includes(field)) {
        throw new OidcRequestError('invalid_scope', `the claim ${name} is not approved for this client`);
      }
      (essential ? required : optional).add(field);
      claims.add(name);
    } else if (name === AGE_CLAIM) {
      if (!es.approvedFunctions.includes('ageVerification')) {
        throw new OidcRequestError(
          'invalid_scope',
          `the claim ${name} (age verification) is not approved for this client`,
        );
      }
      const a = ageOf(spec);
      if (age && age.age !== a)
        throw new OidcRequestError('invalid_request', `${AGE_CLAIM} is requested with two ages`);
      age = { age: a, required: (age?.required ?? false) || essential };
      claims.add(name);
    } else if (name === PLACE_CLAIM) {
      if (!es.approvedFunctions.includes('placeVerification')) {
        throw new OidcRequestError(
          'invalid_scope',
          `the claim ${name} (place verification) is not approved for this client`,
        );
      }
      const p = areaOf(spec);
      if (place && place.areaCode !== p)
        throw new OidcRequestError('invalid_request', `${PLACE_CLAIM} is requested with two area codes`);
      place = { areaCode: p, required: (place?.required ?? false) || essential };
      claims.add(name);
    }
    // sub, acr, amr, auth_time and unknown claims are no card request (OIDC Core §5.5: unknown claims are ignored).
  }
  for (const f of required) optional.delete(f);
  // An eService approved for no field at all (the admin console) logs in with the card's pseudonym only.
  const pseudonymOnly = es.approvedFields.length === 0 && es.approvedFunctions.length === 0;
  if (required.size === 0 && optional.size === 0 && !age && !place && !pseudonymOnly) {
    throw new OidcRequestError(
      'invalid_scope',
      'the request asks for no card field: request a scope or claim beyond openid',
    );
  }
  return {
    card: {
      required: [...required],
      optional: [...optional],
      ...(age ? { ageVerification: age } : {}),
      ...(place ? { placeVerification: place } : {}),
    },
    scopes: granted,
    claims: [...claims],
  };
}

/** `neid_transaction_info`: text the eID-Client shows the citizen (TR-03130-1 TransactionInfo). */
export function checkTransactionInfo(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (
    typeof v !== 'string' ||
    v.length === 0 ||
    [...v].length > MAX_TRANSACTION_INFO ||
    /[\u0000-\u0008\u000b-\u001f]/.test(v)
  ) {
    throw new OidcRequestError(
      'invalid_request',
      `neid_transaction_info must be 1-${MAX_TRANSACTION_INFO} characters of text`,
    );
  }
  return v;
}
