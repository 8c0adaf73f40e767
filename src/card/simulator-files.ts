/**
 * The file system of AusweisApp2's built-in Simulator card (AusweisApp2
 * 1.26.2, docs/sdk/simulator.rst; SET_CARD `simulator.files`) carrying a New
 * eID personalisation, so that the reference eID-Client can run an online
 * authentication against this server (docs/ausweisapp2-interop.md).
 *
 * The Simulator has fixed keys that its files must agree with
 * (src/card/simulator/SimulatorFileSystem.cpp, SimulatorCard.cpp):
 * - Chip Authentication: brainpoolP256r1, id-CA-ECDH-AES-CBC-CMAC-128, the
 *   private key below, whatever key id EF.CardAccess names (we name 41, as
 *   its default files do);
 * - Restricted Identification: id-RI-ECDH-SHA-256 with private keys 1 and 2;
 * - it reports the CVCA reference DETESTeID00005.
 * So the security objects are built here from the profile (TR-03110-3
 * A.1.2, src/card/security-objects.ts) with the Simulator's Chip
 * Authentication public key, and EF.CardSecurity is signed by the Document
 * Signer of the given PKI — the server's passive authentication checks it.
 *
 *   EF.CardAccess   011C / 1C    PACEInfo, CAInfo, CA domain parameters, TAInfo
 *   EF.CardSecurity 011D / 1D    the same + CA public key, RIInfo, EIDSecurityInfo (household/public DG hashes)
 *   EF.ChipSecurity 011B / 1B    the same with the hashes of every data group (docs/chip-profile.md §7)
 *   EF.DIR          2F00 / 1E    the eID application template (AusweisApp reads it to recognise an eID card)
 *   DGn             0100+n / n   the profile encoding of the field (src/profile/codecs.ts)
 *
 * The Simulator enforces no access condition: every file is readable by
 * anyone who talks to it (docs/ausweisapp2-interop.md).
 */
import type { KeyObject } from 'node:crypto';
import { OID } from '../asn1/oids.js';
import { curveByName } from '../crypto/curves.js';
import { curveOfKey, privateKeyFromScalar, publicPointOf } from '../crypto/keys.js';
import { dateString } from '../pki/cvc/dates.js';
import { encodeDataGroups } from '../profile/codecs.js';
import { type FieldId, fileIdOfDg, shortFileIdOfDg } from '../profile/fields.js';
import type { FieldValues } from '../profile/values.js';
import { validateFieldValue } from '../profile/values.js';
import { tlv } from '../tlv/tlv.js';
import { CardFileError } from './errors.js';
import { EID_AID, FID_CARD_ACCESS, FID_CARD_SECURITY, FID_CHIP_SECURITY, FID_DIR } from './file-system.js';
import { type CardPki, loadCardPki, randomSerialNumber } from './personalize.js';
import { sampleCitizen } from './sample-citizen.js';
import {
  buildCardAccess,
  buildCardSecurity,
  buildChipSecurity,
  type SecurityObjectParams,
} from './security-objects.js';

/** The Simulator's fixed Chip Authentication private key (SimulatorFileSystem::getCardAuthenticationKey). */
export const SIMULATOR_CA_PRIVATE_KEY = 'A07EB62E891DAA84643E0AFCC1AF006891B669B8F51E379477DBEAB8C987A610';
/** The key id its default EF.CardAccess names for that key. */
export const SIMULATOR_CA_KEY_ID = 41;
/** The Simulator's Restricted Identification private keys by key id (getRestrictedIdentificationKey). */
export const SIMULATOR_RI_PRIVATE_KEYS: Readonly<Record<number, string>> = {
  1: '0353859C2EC67780BA39015DE8C682AF2326D43DE9CE1E07737087BD1E17CB22',
  2: '9AD0AD7F4DFAAA06988339FC31D3A111F4C7964AC7F377373A2454327C43E2FF',
};
/** The key id EF.CardSecurity's RestrictedIdentificationInfo names. */
export const SIMULATOR_RI_KEY_ID = 1;
/** The CVCA reference the Simulator reports in EstablishPACEChannel (SimulatorCard::establishPaceChannel). */
export const SIMULATOR_CVCA_CHR = 'DETESTeID00005';
/** The Simulator's only curve (SimulatorCard::brainpoolP256r1Multiplication). */
export const SIMULATOR_CURVE = 'brainpoolP256r1';

/** One entry of SET_CARD `simulator.files`: hex FID, hex SFI, hex DER content. */
export interface SimulatorFile {
  readonly fileId: string;
  readonly shortFileId: string;
  readonly content: string;
}

export interface SimulatorCardOptions {
  /** PKI directory written by `neid pki init`; ignored when `pki` is given. */
  readonly pkiDir?: string;
  readonly pki?: CardPki;
  /** Field values replacing the sample citizen's. */
  readonly fields?: FieldValues;
  /** Fields the card does not carry. */
  readonly omitFields?: readonly FieldId[];
  /** Issue date YYYYMMDD of the sample citizen (default today). */
  readonly date?: string;
  readonly serialNumber?: string;
  /**
   * The Chip Authentication private key whose public key EF.CardSecurity
   * vouches for (default: the Simulator's own key). Any other key makes the
   * Simulator's CA token wrong — for negative tests.
   */
  readonly caPrivateKey?: KeyObject;
}

export interface SimulatorCard {
  readonly files: SimulatorFile[];
  /** The field values the data groups carry. */
  readonly fields: FieldValues;
  /** DG number → content, as hashed into EF.CardSecurity / EF.ChipSecurity. */
  readonly dataGroups: ReadonlyMap<number, Buffer>;
}

const hex = (b: Buffer) => b.toString('hex');
const hex2 = (n: number) => n.toString(16).padStart(2, '0');
const hex4 = (n: number) => n.toString(16).padStart(4, '0');

/** Builds the Simulator's `files` list for a New eID personalisation. */
export function buildSimulatorCard(opts: SimulatorCardOptions = {}): SimulatorCard {
  const pki = opts.pki ?? loadCardPki(opts.pkiDir ?? 'var/pki');
  const curve = curveByName(SIMULATOR_CURVE);
  if (pki.curve && pki.curve !== SIMULATOR_CURVE) {
    throw new CardFileError(
      `the AusweisApp2 Simulator works on ${SIMULATOR_CURVE} only, the PKI uses ${pki.curve}`,
    );
  }
  const date = opts.date ?? dateString();
  const serialNumber = opts.serialNumber ?? randomSerialNumber();
  const fields: FieldValues = {
    ...sampleCitizen({ issueDate: date, cardNumber: serialNumber.slice(-12), can: serialNumber.slice(-6) }),
    ...opts.fields,
  };
  for (const id of opts.omitFields ?? []) delete fields[id];
  for (const [id, v] of Object.entries(fields)) validateFieldValue(id as FieldId, v);
  const dataGroups = new Map([...encodeDataGroups(fields)].sort(([a], [b]) => a - b));

  const caKey =
    opts.caPrivateKey ?? privateKeyFromScalar(curve, Buffer.from(SIMULATOR_CA_PRIVATE_KEY, 'hex'));
  const params: SecurityObjectParams = {
    curve,
    protocols: { pace: OID.idPaceEcdhGmAesCbcCmac128, ca: OID.idCaEcdhAesCbcCmac128, ri: OID.idRiEcdhSha256 },
    caKeyId: SIMULATOR_CA_KEY_ID,
    riKeyId: SIMULATOR_RI_KEY_ID,
  };
  const dsHash = pki.dsKey.asymmetricKeyType === 'ec' ? curveOfKey(pki.dsKey).hash : 'sha256';
  const secured = { ...params, caPublicPoint: publicPointOf(caKey), dataGroups };
  const signer = { cert: pki.dsCert, key: pki.dsKey, hash: dsHash };
  const files: SimulatorFile[] = [
    { fileId: hex4(FID_DIR), shortFileId: '1e', content: hex(tlv(0x61, tlv(0x4f, EID_AID))) },
    { fileId: hex4(FID_CARD_ACCESS), shortFileId: '1c', content: hex(buildCardAccess(params)) },
    { fileId: hex4(FID_CARD_SECURITY), shortFileId: '1d', content: hex(buildCardSecurity(secured, signer)) },
    { fileId: hex4(FID_CHIP_SECURITY), shortFileId: '1b', content: hex(buildChipSecurity(secured, signer)) },
    ...[...dataGroups].map(([dg, content]) => ({
      fileId: hex4(fileIdOfDg(dg)),
      shortFileId: hex2(shortFileIdOfDg(dg)),
      content: hex(content),
    })),
  ];
  return { files, fields, dataGroups };
}

/** A copy of `files` with data group `dg` replaced (e.g. tampered after signing). */
export function replaceDataGroup(
  files: readonly SimulatorFile[],
  dg: number,
  content: Buffer,
): SimulatorFile[] {
  const sfi = hex2(shortFileIdOfDg(dg));
  if (!files.some((f) => f.shortFileId === sfi))
    throw new CardFileError(`the Simulator files carry no DG${dg}`);
  return files.map((f) => (f.shortFileId === sfi ? { ...f, content: hex(content) } : f));
}
