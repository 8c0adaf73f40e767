/**
 * Personalisation: builds a card file from the test PKI (TR-03110-3 §2.6:
 * the CVCA certificate becomes the trust point and the current date is the
 * personalisation date; A.1.2: EF.CardAccess and EF.CardSecurity, the latter
 * signed by the Document Signer). Chip Authentication and Restricted
 * Identification keys are generated per card.
 */
import { type KeyObject, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OID } from '../asn1/oids.js';
import { type Curve, type CurveName, curveByName, DEFAULT_CURVE } from '../crypto/curves.js';
import { curveOfKey, generateEcKeyPair, loadPrivateKey } from '../crypto/keys.js';
import type { KeyBits } from '../crypto/pace.js';
import { CvCertificate } from '../pki/cvc/certificate.js';
import { dateString } from '../pki/cvc/dates.js';
import { PKI_FILES, type PkiManifest } from '../pki/layout.js';
import { derFromPem } from '../pki/x509/pem.js';
import { emptyDataGroup } from '../profile/codecs.js';
import { type FieldId, fieldDef } from '../profile/fields.js';
import type { FieldValues } from '../profile/values.js';
import { validateFieldValue } from '../profile/values.js';
import {
  type CardData,
  type CardFileJson,
  isCan,
  isPin,
  isUserCode,
  PIN_MAX_RETRIES,
  parseCardFile,
  serializeCardFile,
  USER_CODE_MAX_RETRIES,
} from './card-file.js';
import { CardFileError } from './errors.js';
import { dataGroupsOf } from './file-system.js';
import { sampleCitizen } from './sample-citizen.js';
import { buildCardAccess, buildCardSecurity, buildChipSecurity } from './security-objects.js';

/** PKI material a card is personalised from. */
export interface CardPki {
  /** CVCA certificates (DER) to install as trust points, most recent first. */
  readonly trustPoints: readonly Buffer[];
  /** Document Signer certificate (DER) and key. */
  readonly dsCert: Buffer;
  readonly dsKey: KeyObject;
  /** Curve named in the PKI manifest. */
  readonly curve?: string;
}

export interface CreateCardOptions {
  /** PKI directory written by `neid pki init` (src/pki/layout.ts); ignored when `pki` is given. */
  readonly pkiDir?: string;
  readonly pki?: CardPki;
  /** Field values replacing the sample citizen's. */
  readonly fields?: FieldValues;
  /** Fields the card does not carry. */
  readonly omitFields?: readonly FieldId[];
  /** Fields whose data group is present but empty (signed as such; TR-03130-4 card EIDCARD_3). */
  readonly emptyFields?: readonly FieldId[];
  readonly pin?: string;
  readonly can?: string;
  readonly userCode?: string;
  /** Default: "TW" + 10 random digits. */
  readonly serialNumber?: string;
  /** Default: the PKI manifest's curve, else brainpoolP256r1. */
  readonly curve?: string;
  /** AES key length of PACE and CA (default 128 for 256-bit curves, 192 for 384, 256 for 512). */
  readonly keyBits?: KeyBits;
  /** Personalisation date YYYYMMDD (default today): the card's current date and the issue date. */
  readonly date?: string;
  readonly caKeyId?: number;
  readonly riKeyId?: number;
  /** A test card: it trusts the test environment's CVCA (PKI_FILES.testCvcaCert) instead of the production one. */
  readonly testCard?: boolean;
}

/** Reads the PKI material from a `neid pki init` directory. */
export function loadCardPki(dir: string, o: { testCard?: boolean } = {}): CardPki {
  const read = (f: string) => readFileSync(join(dir, f));
  let curve: string | undefined;
  try {
    curve = (JSON.parse(read(PKI_FILES.manifest).toString('utf8')) as PkiManifest).curve;
  } catch {
    curve = undefined;
  }
  return {
    trustPoints: [read(o.testCard ? PKI_FILES.testCvcaCert : PKI_FILES.cvcaCert)],
    dsCert: derFromPem(read(PKI_FILES.dsCert).toString('latin1')),
    dsKey: loadPrivateKey(read(PKI_FILES.dsKey).toString('latin1')),
    ...(curve ? { curve } : {}),
  };
}

function defaultBits(curve: Curve): KeyBits {
  return curve.size <= 32 ? 128 : curve.size <= 48 ? 192 : 256;
}

const SUFFIX: Record<KeyBits, string> = { 128: '2', 192: '3', 256: '4' };

export function randomSerialNumber(): string {
  let digits = '';
  for (let i = 0; i < 10; i++) digits += String(randomInt(10));
  return `TW${digits}`;
}

/** Builds a complete, validated card file. */
export function createCard(opts: CreateCardOptions = {}): CardFileJson {
  const pki = opts.pki ?? loadCardPki(opts.pkiDir ?? 'var/pki', { testCard: opts.testCard ?? false });
  const curve = curveByName((opts.curve ?? pki.curve ?? DEFAULT_CURVE) as CurveName);
  const bits = opts.keyBits ?? defaultBits(curve);
  const serialNumber = opts.serialNumber ?? randomSerialNumber();
  const can = opts.can ?? serialNumber.slice(-6);
  const pin = opts.pin ?? '123456';
  const userCode = opts.userCode ?? 'A1B2C3D4';
  if (!isCan(can))
    throw new CardFileError(
      'the CAN must be 6 digits (the last 6 characters of the serial number, or --can)',
    );
  if (!isPin(pin)) throw new CardFileError('the PIN must be 6 digits');
  if (!isUserCode(userCode)) throw new CardFileError('the user code must be 6-10 letters or digits');
  const date = opts.date ?? dateString();
  const fields: FieldValues = {
    ...sampleCitizen({ issueDate: date, cardNumber: serialNumber.toUpperCase().slice(-12), can }),
    ...opts.fields,
  };
  for (const id of opts.omitFields ?? []) delete fields[id];
  for (const [id, v] of Object.entries(fields)) validateFieldValue(id as FieldId, v);
  const ca = generateEcKeyPair(curve);
  const ri = generateEcKeyPair(curve);
  const protocols = {
    pace: `${OID.idPaceEcdhGm}.${SUFFIX[bits]}`,
    ca: `${OID.idCaEcdh}.${SUFFIX[bits]}`,
    ri: OID.idRiEcdhSha256,
  };
  const params = { curve, protocols, caKeyId: opts.caKeyId ?? 1, riKeyId: opts.riKeyId ?? 1 };
  // Empty data groups are part of the card as personalised: hashed and signed like any other.
  const empty = new Map((opts.emptyFields ?? []).map((id) => [fieldDef(id).dg, emptyDataGroup(id)] as const));
  for (const id of opts.emptyFields ?? []) delete fields[id];
  const dataGroups = dataGroupsOf({ fields, dataGroupOverrides: empty });
  const dsHash = pki.dsKey.asymmetricKeyType === 'ec' ? curveOfKey(pki.dsKey).hash : 'sha256';
  const data: CardData = {
    serialNumber,
    curve,
    protocols,
    fields,
    passwords: { pin, can, userCode },
    retryCounters: { pin: PIN_MAX_RETRIES, userCode: USER_CODE_MAX_RETRIES },
    chipAuthentication: { keyId: params.caKeyId, key: ca.privateKey },
    restrictedIdentification: { keyId: params.riKeyId, key: ri.privateKey },
    trustPoints: pki.trustPoints.map((t) => CvCertificate.decode(t)),
    currentDate: date,
    files: {
      cardAccess: buildCardAccess(params),
      cardSecurity: buildCardSecurity(
        { ...params, caPublicPoint: ca.publicPoint, dataGroups },
        { cert: pki.dsCert, key: pki.dsKey, hash: dsHash },
      ),
      chipSecurity: buildChipSecurity(
        { ...params, caPublicPoint: ca.publicPoint, dataGroups },
        { cert: pki.dsCert, key: pki.dsKey, hash: dsHash },
      ),
    },
    dataGroupOverrides: empty,
  };
  const json = serializeCardFile(data);
  parseCardFile(json); // the result must load
  return json;
}
