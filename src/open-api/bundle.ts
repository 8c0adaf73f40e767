/**
 * The public-data bundle: what `neid-client read-public` writes and
 * `verifyPublicData` checks (docs/open-api.md §4; JSON Schema:
 * schemas/public-data-bundle.schema.json). It holds evidence only, as read
 * from the card: EF.CardSecurity, the household- and public-area data groups,
 * and the Chip Authentication answer to a verifier's challenge. It carries no
 * decoded value: the verifier decodes only what it has verified.
 *
 *   { "format": "neid-public-data", "version": 1, "readAt": ISO 8601,
 *     "cardSecurity": base64 DER,
 *     "dataGroups": { "<dg>": base64 DER, … },        // "3" (renewal-due date) always
 *     "chipAuthentication": { "challenge": token, "protocol": OID, "keyId": n,
 *                             "nonce": base64 (8), "token": base64 (8) } }   // optional
 *
 * Parsing bounds everything before any work is spent on it: the text size,
 * the set of keys, the data group numbers and each value's size.
 */
import { fieldByDg, fieldDef } from '../profile/fields.js';
import { OpenApiError } from './errors.js';

export const BUNDLE_FORMAT = 'neid-public-data';
export const MAX_BUNDLE_BYTES = 64 * 1024;
const MAX_CARD_SECURITY = 16 * 1024;
const MAX_DATA_GROUP = 2048;
const MAX_CHALLENGE = 4096;

/** The data groups a bundle may carry: household and public area, readable with the CAN (chip-profile §3.3). */
export const PUBLIC_DATA_GROUPS: readonly number[] = [3, 4, 5, 6, 7, 8, 10, 12, 15, 17, 18];
/** DG3, the renewal-due date: always in a bundle, the document's validity depends on it. */
export const VALIDITY_DG = fieldDef('renewalDueDate').dg;

export interface ChipAuthenticationEvidence {
  /** The verifier's challenge, as it issued it (challenge.ts). */
  readonly challenge: string;
  /** id-CA-ECDH-AES-CBC-CMAC-* used. */
  readonly protocol: string;
  readonly keyId?: number;
  /** r_PICC and T_PICC of the chip's General Authenticate answer (TR-03110-3 B.2.2). */
  readonly nonce: Buffer;
  readonly token: Buffer;
}

export interface PublicDataBundle {
  readonly readAt: string;
  readonly cardSecurity: Buffer;
  /** DG number → the EF content as read (tag and length included). */
  readonly dataGroups: ReadonlyMap<number, Buffer>;
  readonly chipAuthentication?: ChipAuthenticationEvidence;
}

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const bad = (message: string): never => {
  throw new OpenApiError('malformed-bundle', message);
};

function base64(v: unknown, what: string, max: number): Buffer {
  if (typeof v !== 'string' || !B64.test(v)) return bad(`${what} is not base64`);
  const b = Buffer.from(v, 'base64');
  if (b.length === 0 || b.length > max) return bad(`${what} has ${b.length} bytes (1..${max})`);
  return b;
}

function object(v: unknown, what: string, keys: readonly string[], required: readonly string[]) {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad(`${what} is not an object`);
  const o = v as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => !keys.includes(k));
  if (extra.length) bad(`${what} has unknown members: ${extra.join(', ')}`);
  const missing = required.filter((k) => !(k in o));
  if (missing.length) bad(`${what} lacks ${missing.join(', ')}`);
  return o;
}

function chipAuthentication(v: unknown): ChipAuthenticationEvidence {
  const o = object(
    v,
    'chipAuthentication',
    ['challenge', 'protocol', 'keyId', 'nonce', 'token'],
    ['challenge', 'protocol', 'nonce', 'token'],
  );
  if (
    typeof o.challenge !== 'string' ||
    o.challenge.length > MAX_CHALLENGE ||
    !/^[A-Za-z0-9_-]+$/.test(o.challenge)
  )
    bad('chipAuthentication.challenge is not a challenge token');
  if (typeof o.protocol !== 'string' || !/^\d+(\.\d+){1,20}$/.test(o.protocol))
    bad('chipAuthentication.protocol is not an OID');
  if (
    o.keyId !== undefined &&
    (!Number.isInteger(o.keyId) || (o.keyId as number) < 0 || (o.keyId as number) > 255)
  )
    bad('chipAuthentication.keyId is not 0..255');
  const nonce = base64(o.nonce, 'chipAuthentication.nonce', 8);
  const token = base64(o.token, 'chipAuthentication.token', 8);
  if (nonce.length !== 8 || token.length !== 8) bad('chipAuthentication nonce and token have 8 bytes each');
  return {
    challenge: o.challenge as string,
    protocol: o.protocol as string,
    ...(o.keyId === undefined ? {} : { keyId: o.keyId as number }),
    nonce,
    token,
  };
}

/** Parses a bundle from its JSON text (or an already parsed value); OpenApiError('malformed-bundle'). */
export function parseBundle(input: string | Buffer | unknown): PublicDataBundle {
  let v: unknown = input;
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    if (Buffer.byteLength(input) > MAX_BUNDLE_BYTES) bad(`the bundle exceeds ${MAX_BUNDLE_BYTES} bytes`);
    try {
      v = JSON.parse(input.toString());
    } catch {
      bad('the bundle is not JSON');
    }
  }
  const o = object(
    v,
    'the bundle',
    ['format', 'version', 'readAt', 'cardSecurity', 'dataGroups', 'chipAuthentication'],
    ['format', 'version', 'readAt', 'cardSecurity', 'dataGroups'],
  );
  if (o.format !== BUNDLE_FORMAT) bad(`format is not ${BUNDLE_FORMAT}`);
  if (o.version !== 1) bad('unsupported bundle version');
  if (typeof o.readAt !== 'string' || Number.isNaN(Date.parse(o.readAt)) || o.readAt.length > 40)
    bad('readAt is not a date-time');
  const cardSecurity = base64(o.cardSecurity, 'cardSecurity', MAX_CARD_SECURITY);
  const dgs = object(o.dataGroups, 'dataGroups', PUBLIC_DATA_GROUPS.map(String), [String(VALIDITY_DG)]);
  const dataGroups = new Map<number, Buffer>();
  for (const [k, b64] of Object.entries(dgs)) {
    const dg = Number(k);
    const content = base64(b64, `DG${dg} (${fieldByDg(dg)?.id})`, MAX_DATA_GROUP);
    if (content[0] !== 0x60 + dg) bad(`DG${dg} does not start with its tag ${(0x60 + dg).toString(16)}`);
    dataGroups.set(dg, content);
  }
  return {
    readAt: o.readAt as string,
    cardSecurity,
    dataGroups: new Map([...dataGroups].sort(([a], [b]) => a - b)),
    ...(o.chipAuthentication === undefined
      ? {}
      : { chipAuthentication: chipAuthentication(o.chipAuthentication) }),
  };
}

/** The bundle as JSON text (data groups in ascending order). */
export function serializeBundle(b: PublicDataBundle): string {
  const ca = b.chipAuthentication;
  return `${JSON.stringify(
    {
      format: BUNDLE_FORMAT,
      version: 1,
      readAt: b.readAt,
      cardSecurity: b.cardSecurity.toString('base64'),
      dataGroups: Object.fromEntries(
        [...b.dataGroups].sort(([a], [c]) => a - c).map(([dg, v]) => [String(dg), v.toString('base64')]),
      ),
      ...(ca
        ? {
            chipAuthentication: {
              challenge: ca.challenge,
              protocol: ca.protocol,
              ...(ca.keyId === undefined ? {} : { keyId: ca.keyId }),
              nonce: ca.nonce.toString('base64'),
              token: ca.token.toString('base64'),
            },
          }
        : {}),
    },
    null,
    2,
  )}\n`;
}
