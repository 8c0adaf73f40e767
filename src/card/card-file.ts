/**
 * The card file: one virtual New eID card as JSON. `neid card create` writes
 * it, `VirtualCard.fromFile` loads it (and, with `persist`, writes back the
 * state a real chip keeps in EEPROM: retry counters, PIN, current date, trust
 * points).
 *
 * ```jsonc
 * {
 *   "format": "n-eid-virtual-card/1",
 *   "serialNumber": "TW0123456789",          // card serial; CAN = its last 6 digits by default
 *   "curve": "brainpoolP256r1",              // PACE, CA and RI domain parameters (src/crypto/curves.ts)
 *   "protocols": {
 *     "pace": "0.4.0.127.0.7.2.2.4.2.2",     // id-PACE-ECDH-GM-AES-CBC-CMAC-128|192|256
 *     "ca":   "0.4.0.127.0.7.2.2.3.2.2",     // id-CA-ECDH-AES-CBC-CMAC-128|192|256
 *     "ri":   "0.4.0.127.0.7.2.2.5.2.3"      // id-RI-ECDH-SHA-256|384|512
 *   },
 *   "fields": {                              // FieldId → value (src/profile/fields.ts); absent = not on the chip
 *     "chineseName": "陳𪚥華", "dateOfBirth": "19900315", ...,   // strings; dates YYYYMMDD; codes as strings
 *     "householdAddress": { "state": "臺北市", "city": "松山區", "street": "…", "country": "TWN", "zipcode": "105" },
 *     "photo": "<base64 JPEG>"
 *   },
 *   "passwords": { "pin": "123456", "can": "456789", "userCode": "A1B2C3D4" },
 *   "retryCounters": { "pin": 3, "userCode": 10 },   // PIN 0..3, user code (PUK) 0..10
 *   "keys": {                                // per-card private keys, PKCS#8 PEM, on `curve`
 *     "chipAuthentication": { "keyId": 1, "privateKey": "-----BEGIN PRIVATE KEY-----…" },
 *     "restrictedIdentification": { "keyId": 1, "privateKey": "-----BEGIN PRIVATE KEY-----…" }
 *   },
 *   "trustPoints": ["7F21…"],                // hex CV certificates (CVCA or link), at most two
 *   "currentDate": "20261122",               // the chip's approximated current date (TR-03110-3 §2.5)
 *   "files": { "cardAccess": "31…", "cardSecurity": "30…", "chipSecurity": "30…" },   // hex DER, served as stored
 *   "dataGroupOverrides": { "4": "64…" }     // optional: DG number → hex file content replacing the encoded field
 * }
 * ```
 */
import type { KeyObject } from 'node:crypto';
import { OID } from '../asn1/oids.js';
import { type Curve, type CurveName, curveByName } from '../crypto/curves.js';
import { curveOfKey, exportPkcs8Pem, loadPrivateKey } from '../crypto/keys.js';
import { CvCertificate } from '../pki/cvc/certificate.js';
import { fieldByDg } from '../profile/fields.js';
import type { FieldValues } from '../profile/values.js';
import { isValidDate } from '../profile/values.js';
import { CardFileError } from './errors.js';
import { type FieldsJson, fieldsFromJson, fieldsToJson } from './fields-json.js';

export const CARD_FILE_FORMAT = 'n-eid-virtual-card/1';

export interface CardFileJson {
  format: typeof CARD_FILE_FORMAT;
  serialNumber: string;
  curve: string;
  protocols: { pace: string; ca: string; ri: string };
  fields: FieldsJson;
  passwords: { pin: string; can: string; userCode: string };
  retryCounters: { pin: number; userCode: number };
  keys: {
    chipAuthentication: { keyId: number; privateKey: string };
    restrictedIdentification: { keyId: number; privateKey: string };
  };
  trustPoints: string[];
  currentDate: string;
  files: { cardAccess: string; cardSecurity: string; chipSecurity?: string };
  dataGroupOverrides?: Record<string, string>;
}

export const PIN_MAX_RETRIES = 3;
export const USER_CODE_MAX_RETRIES = 10;

export interface CardKey {
  readonly keyId: number;
  readonly key: KeyObject;
}

/** A card file decoded and validated. */
export interface CardData {
  serialNumber: string;
  curve: Curve;
  protocols: { pace: string; ca: string; ri: string };
  fields: FieldValues;
  passwords: { pin: string; can: string; userCode: string };
  retryCounters: { pin: number; userCode: number };
  chipAuthentication: CardKey;
  restrictedIdentification: CardKey;
  trustPoints: CvCertificate[];
  currentDate: string;
  files: { cardAccess: Buffer; cardSecurity: Buffer; chipSecurity?: Buffer };
  dataGroupOverrides: Map<number, Buffer>;
}

export const PACE_PROTOCOLS: readonly string[] = [
  OID.idPaceEcdhGmAesCbcCmac128,
  OID.idPaceEcdhGmAesCbcCmac192,
  OID.idPaceEcdhGmAesCbcCmac256,
];
export const CA_PROTOCOLS: readonly string[] = [
  OID.idCaEcdhAesCbcCmac128,
  OID.idCaEcdhAesCbcCmac192,
  OID.idCaEcdhAesCbcCmac256,
];
export const RI_PROTOCOLS: readonly string[] = [OID.idRiEcdhSha256, OID.idRiEcdhSha384, OID.idRiEcdhSha512];

export const isPin = (s: unknown): s is string => typeof s === 'string' && /^\d{6}$/.test(s);
export const isCan = (s: unknown): s is string => typeof s === 'string' && /^\d{6}$/.test(s);
export const isUserCode = (s: unknown): s is string => typeof s === 'string' && /^[A-Za-z0-9]{6,10}$/.test(s);

const bad = (msg: string): never => {
  throw new CardFileError(`card file: ${msg}`);
};

function obj(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(`${what} must be an object`);
  return v as Record<string, unknown>;
}

function hex(v: unknown, what: string): Buffer {
  if (typeof v !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(v) || v.length === 0) bad(`${what} must be hex`);
  return Buffer.from(v as string, 'hex');
}

function counter(v: unknown, max: number, what: string): number {
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > max)
    bad(`${what} must be an integer 0..${max}`);
  return v as number;
}

function key(v: unknown, curve: Curve, what: string): CardKey {
  const o = obj(v, what);
  if (!Number.isInteger(o['keyId']) || (o['keyId'] as number) < 0)
    bad(`${what}.keyId must be a non-negative integer`);
  let k: KeyObject;
  try {
    k = loadPrivateKey(String(o['privateKey']));
  } catch (e) {
    return bad(`${what}.privateKey: ${(e as Error).message}`);
  }
  if (k.asymmetricKeyType !== 'ec' || curveOfKey(k).name !== curve.name)
    bad(`${what}.privateKey must be an EC key on ${curve.name}`);
  return { keyId: o['keyId'] as number, key: k };
}

function oneOf(v: unknown, list: readonly string[], what: string): string {
  if (typeof v !== 'string' || !list.includes(v)) bad(`${what} must be one of ${list.join(', ')}`);
  return v as string;
}

/** Decodes and validates a card file; every defect is a CardFileError. */
export function parseCardFile(input: unknown): CardData {
  const j = obj(typeof input === 'string' ? parseJson(input) : input, 'card file');
  if (j['format'] !== CARD_FILE_FORMAT) bad(`format must be "${CARD_FILE_FORMAT}"`);
  if (typeof j['serialNumber'] !== 'string' || !/^[A-Za-z0-9]{6,32}$/.test(j['serialNumber']))
    bad('serialNumber must be 6-32 letters or digits');
  let curve: Curve;
  try {
    curve = curveByName(String(j['curve']) as CurveName);
  } catch {
    return bad(`unsupported curve ${String(j['curve'])}`);
  }
  const p = obj(j['protocols'], 'protocols');
  const protocols = {
    pace: oneOf(p['pace'], PACE_PROTOCOLS, 'protocols.pace'),
    ca: oneOf(p['ca'], CA_PROTOCOLS, 'protocols.ca'),
    ri: oneOf(p['ri'], RI_PROTOCOLS, 'protocols.ri'),
  };
  const pw = obj(j['passwords'], 'passwords');
  if (!isPin(pw['pin'])) bad('passwords.pin must be 6 digits');
  if (!isCan(pw['can'])) bad('passwords.can must be 6 digits');
  if (!isUserCode(pw['userCode'])) bad('passwords.userCode must be 6-10 letters or digits');
  const rc = obj(j['retryCounters'], 'retryCounters');
  if (!Array.isArray(j['trustPoints']) || j['trustPoints'].length === 0 || j['trustPoints'].length > 2)
    bad('trustPoints must list one or two CV certificates');
  const trustPoints = (j['trustPoints'] as unknown[]).map((t, i) => {
    let c: CvCertificate;
    try {
      c = CvCertificate.decode(hex(t, `trustPoints[${i}]`));
    } catch (e) {
      return bad(`trustPoints[${i}]: ${(e as Error).message}`);
    }
    if (c.role !== 'cvca' || !c.publicKey.curve)
      bad(`trustPoints[${i}] must be a CVCA certificate with domain parameters`);
    return c;
  });
  if (typeof j['currentDate'] !== 'string' || !isValidDate(j['currentDate']))
    bad('currentDate must be YYYYMMDD');
  const files = obj(j['files'], 'files');
  const keys = obj(j['keys'], 'keys');
  const overrides = new Map<number, Buffer>();
  if (j['dataGroupOverrides'] !== undefined) {
    for (const [k, v] of Object.entries(obj(j['dataGroupOverrides'], 'dataGroupOverrides'))) {
      const dg = Number(k);
      if (!/^\d+$/.test(k) || !fieldByDg(dg)) bad(`dataGroupOverrides: DG${k} is not part of the profile`);
      overrides.set(dg, hex(v, `dataGroupOverrides.${k}`));
    }
  }
  let fields: FieldValues;
  try {
    fields = fieldsFromJson(j['fields']);
  } catch (e) {
    return bad(`fields: ${(e as Error).message}`);
  }
  return {
    serialNumber: j['serialNumber'] as string,
    curve,
    protocols,
    fields,
    passwords: { pin: pw['pin'] as string, can: pw['can'] as string, userCode: pw['userCode'] as string },
    retryCounters: {
      pin: counter(rc['pin'], PIN_MAX_RETRIES, 'retryCounters.pin'),
      userCode: counter(rc['userCode'], USER_CODE_MAX_RETRIES, 'retryCounters.userCode'),
    },
    chipAuthentication: key(keys['chipAuthentication'], curve, 'keys.chipAuthentication'),
    restrictedIdentification: key(keys['restrictedIdentification'], curve, 'keys.restrictedIdentification'),
    trustPoints,
    currentDate: j['currentDate'] as string,
    files: {
      cardAccess: hex(files['cardAccess'], 'files.cardAccess'),
      cardSecurity: hex(files['cardSecurity'], 'files.cardSecurity'),
      ...(files['chipSecurity'] === undefined
        ? {}
        : { chipSecurity: hex(files['chipSecurity'], 'files.chipSecurity') }),
    },
    dataGroupOverrides: overrides,
  };
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch (e) {
    return bad(`not JSON: ${(e as Error).message}`);
  }
}

/** Encodes card data as a card file (the inverse of parseCardFile). */
export function serializeCardFile(d: CardData): CardFileJson {
  const out: CardFileJson = {
    format: CARD_FILE_FORMAT,
    serialNumber: d.serialNumber,
    curve: d.curve.name,
    protocols: { ...d.protocols },
    fields: fieldsToJson(d.fields),
    passwords: { ...d.passwords },
    retryCounters: { ...d.retryCounters },
    keys: {
      chipAuthentication: {
        keyId: d.chipAuthentication.keyId,
        privateKey: exportPkcs8Pem(d.chipAuthentication.key),
      },
      restrictedIdentification: {
        keyId: d.restrictedIdentification.keyId,
        privateKey: exportPkcs8Pem(d.restrictedIdentification.key),
      },
    },
    trustPoints: d.trustPoints.map((t) => t.raw.toString('hex').toUpperCase()),
    currentDate: d.currentDate,
    files: {
      cardAccess: d.files.cardAccess.toString('hex').toUpperCase(),
      cardSecurity: d.files.cardSecurity.toString('hex').toUpperCase(),
      ...(d.files.chipSecurity ? { chipSecurity: d.files.chipSecurity.toString('hex').toUpperCase() } : {}),
    },
  };
  if (d.dataGroupOverrides.size) {
    out.dataGroupOverrides = Object.fromEntries(
      [...d.dataGroupOverrides].map(([dg, b]) => [String(dg), b.toString('hex').toUpperCase()]),
    );
  }
  return out;
}
