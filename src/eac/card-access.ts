/**
 * Choosing the protocols from the SecurityInfos of EF.CardAccess and
 * EF.CardSecurity (TR-03110-3 A.1) and checking that both files agree.
 *
 * - PACE (A.1.1.1, A.2.1.3): a PACEInfo of id-PACE-ECDH-GM-AES-CBC-CMAC-*,
 *   version 2, with a standardized domain parameter id this product supports.
 *   Explicit PACE domain parameters (PACEDomainParameterInfo) are never used:
 *   "Terminals MUST NOT use unverified domain parameters".
 * - Chip Authentication version 2 (A.1.1.2): a ChipAuthenticationInfo of
 *   id-CA-ECDH-AES-CBC-CMAC-*, version 2, with the
 *   ChipAuthenticationDomainParameterInfo of the same keyId (from EF.CardAccess,
 *   so the terminal can make its ephemeral key before reading EF.CardSecurity)
 *   and the ChipAuthenticationPublicKeyInfo of that keyId from EF.CardSecurity.
 * - Restricted Identification (A.1.1.4): RestrictedIdentificationInfo of
 *   id-RI-ECDH-SHA-256, version 1.
 * - Consistency (A.1.2.2): EF.CardSecurity "SHALL contain all SecurityInfos
 *   contained in CardAccess except PrivilegedTerminalInfo"; a difference is
 *   EacError('inconsistent-security-infos').
 *
 * EF.CardSecurity is not authenticated here: its signature (Passive
 * Authentication, TR-03110-2 §2.3.3) is the server's check.
 */
import { OID } from '../asn1/oids.js';
import { CURVES, type Curve } from '../crypto/curves.js';
import type { KeyBits } from '../crypto/pace.js';
import type {
  ChipAuthenticationDomainParameterInfo,
  ChipAuthenticationInfo,
  ChipAuthenticationPublicKeyInfo,
  PaceInfo,
  RestrictedIdentificationInfo,
  SecurityInfo,
} from '../pki/security-infos.js';
import { decodeSecurityInfos, encodeSecurityInfo, SecurityInfoError } from '../pki/security-infos.js';
import { parseCms } from '../pki/x509/cms-parser.js';
import { X509Error } from '../pki/x509/errors.js';
import { EacError } from './errors.js';

/** id-PT: PrivilegedTerminalInfo, the one entry EF.CardSecurity need not repeat (A.1.1.9, A.1.2.2). */
export const ID_PRIVILEGED_TERMINAL_INFO = `${OID.bsiDe}.2.2.8`;

const PACE_PROTOCOLS: Record<string, KeyBits> = {
  [OID.idPaceEcdhGmAesCbcCmac128]: 128,
  [OID.idPaceEcdhGmAesCbcCmac192]: 192,
  [OID.idPaceEcdhGmAesCbcCmac256]: 256,
};
const CA_PROTOCOLS: Record<string, KeyBits> = {
  [OID.idCaEcdhAesCbcCmac128]: 128,
  [OID.idCaEcdhAesCbcCmac192]: 192,
  [OID.idCaEcdhAesCbcCmac256]: 256,
};
const RI_PROTOCOLS: readonly string[] = [OID.idRiEcdhSha256];

export interface PaceParameters {
  /** id-PACE-ECDH-GM-AES-CBC-CMAC-128/192/256 */
  readonly protocol: string;
  readonly keyBits: KeyBits;
  /** Standardized domain parameter id (A.2.1.1 table 4). */
  readonly parameterId: number;
  readonly curve: Curve;
  /**
   * True when EF.CardAccess offers more than one PACEInfo: the terminal then
   * selects the domain parameters with data object 84 of MSE:Set AT (B.1, B.14.1).
   */
  readonly ambiguous: boolean;
}

export interface ChipAuthenticationParameters {
  /** id-CA-ECDH-AES-CBC-CMAC-128/192/256 */
  readonly protocol: string;
  readonly keyBits: KeyBits;
  readonly keyId?: number;
  readonly curve: Curve;
}

export interface ChipAuthenticationKey extends ChipAuthenticationParameters {
  /** The chip's static public key PK_PICC (uncompressed, validated on the curve). */
  readonly publicPoint: Buffer;
}

export interface RestrictedIdentificationParameters {
  /** id-RI-ECDH-SHA-256 */
  readonly protocol: string;
  readonly keyId: number;
  readonly authorizedOnly: boolean;
}

export interface SecurityProfile {
  readonly pace: PaceParameters;
  readonly ca: ChipAuthenticationKey;
  /** All usable RI keys, lowest keyId first. */
  readonly ri: readonly RestrictedIdentificationParameters[];
  readonly cardAccess: readonly SecurityInfo[];
  readonly cardSecurity: readonly SecurityInfo[];
}

function decodeInfos(der: Buffer, what: string): SecurityInfo[] {
  try {
    return decodeSecurityInfos(der);
  } catch (e) {
    if (e instanceof SecurityInfoError) throw new EacError('malformed-response', `${what}: ${e.message}`);
    throw e;
  }
}

/** The SecurityInfos of EF.CardAccess. */
export function decodeCardAccess(efCardAccess: Buffer): SecurityInfo[] {
  return decodeInfos(efCardAccess, 'EF.CardAccess');
}

/**
 * The SecurityInfos of EF.CardSecurity: the eContent of its SignedData
 * (A.1.2.5, content type id-SecurityObject). Bare SecurityInfos (a SET) are
 * accepted too, for callers that unpacked the CMS already.
 */
export function decodeCardSecurity(efCardSecurity: Buffer): SecurityInfo[] {
  if (efCardSecurity[0] === 0x31) return decodeInfos(efCardSecurity, 'EF.CardSecurity');
  let content: Buffer;
  try {
    const cms = parseCms(efCardSecurity);
    if (cms.contentType !== OID.idSecurityObject) {
      throw new EacError(
        'malformed-response',
        `EF.CardSecurity: content type ${cms.contentType} is not id-SecurityObject`,
      );
    }
    content = cms.content;
  } catch (e) {
    if (e instanceof X509Error) throw new EacError('malformed-response', `EF.CardSecurity: ${e.message}`);
    throw e;
  }
  return decodeInfos(content, 'EF.CardSecurity content');
}

const curveOfId = (id: number | undefined): Curve | undefined => CURVES.find((c) => c.standardizedId === id);

/** Strongest first: key length, then field size. */
const stronger = (a: { keyBits: KeyBits; curve: Curve }, b: { keyBits: KeyBits; curve: Curve }): number =>
  b.keyBits - a.keyBits || b.curve.size - a.curve.size;

/** Chooses PACE from EF.CardAccess (A.1.1.1). */
export function choosePace(infos: readonly SecurityInfo[]): PaceParameters {
  const paceInfos = infos.filter((i): i is PaceInfo => i.kind === 'pace');
  const usable = paceInfos
    .filter(
      (i) =>
        i.version === 2 && PACE_PROTOCOLS[i.protocol] !== undefined && curveOfId(i.parameterId) !== undefined,
    )
    .map((i) => ({
      protocol: i.protocol,
      keyBits: PACE_PROTOCOLS[i.protocol]!,
      parameterId: i.parameterId!,
      curve: curveOfId(i.parameterId)!,
    }))
    .sort((a, b) => stronger(a, b) || a.parameterId - b.parameterId);
  const best = usable[0];
  if (!best) {
    throw new EacError(
      'unsupported-protocol',
      paceInfos.length
        ? 'no PACEInfo offers ECDH generic mapping with AES and standardized domain parameters this terminal supports'
        : 'EF.CardAccess has no PACEInfo',
    );
  }
  return { ...best, ambiguous: paceInfos.length > 1 };
}

/**
 * Chooses Chip Authentication version 2 and its domain parameters (A.1.1.2).
 * Works on EF.CardAccess (before PACE: the domain parameters for the
 * terminal's ephemeral key) or on EF.CardSecurity.
 */
export function chooseChipAuthentication(infos: readonly SecurityInfo[]): ChipAuthenticationParameters {
  const caInfos = infos.filter((i): i is ChipAuthenticationInfo => i.kind === 'ca');
  const domains = infos.filter(
    (i): i is ChipAuthenticationDomainParameterInfo => i.kind === 'caDomainParameters',
  );
  const usable: ChipAuthenticationParameters[] = [];
  for (const ca of caInfos) {
    const keyBits = CA_PROTOCOLS[ca.protocol];
    if (ca.version !== 2 || keyBits === undefined) continue;
    const domain = domains.filter((d) => d.protocol === OID.idCaEcdh && d.keyId === ca.keyId);
    if (domain.length > 1) {
      throw new EacError(
        'inconsistent-security-infos',
        `two ChipAuthenticationDomainParameterInfos for keyId ${ca.keyId}`,
      );
    }
    const curve = curveOfId(domain[0]?.parameterId);
    if (!curve) continue;
    usable.push({
      protocol: ca.protocol,
      keyBits,
      curve,
      ...(ca.keyId === undefined ? {} : { keyId: ca.keyId }),
    });
  }
  usable.sort((a, b) => stronger(a, b) || (a.keyId ?? 0) - (b.keyId ?? 0));
  if (!usable[0]) {
    throw new EacError(
      'unsupported-protocol',
      'no ChipAuthenticationInfo (version 2, ECDH, AES) with ChipAuthenticationDomainParameterInfo on a supported curve',
    );
  }
  return usable[0];
}

/** The chip's CA public key for `ca` from EF.CardSecurity (A.1.2.2). */
export function chipAuthenticationKey(
  cardSecurity: readonly SecurityInfo[],
  ca: ChipAuthenticationParameters,
): ChipAuthenticationKey {
  const keys = cardSecurity.filter(
    (i): i is ChipAuthenticationPublicKeyInfo =>
      i.kind === 'caPublicKey' && i.protocol === OID.idPkEcdh && i.keyId === ca.keyId,
  );
  if (keys.length !== 1) {
    throw new EacError(
      'inconsistent-security-infos',
      `EF.CardSecurity has ${keys.length} ChipAuthenticationPublicKeyInfos for keyId ${ca.keyId ?? '(none)'}`,
    );
  }
  const key = keys[0]!;
  if (key.curve.name !== ca.curve.name) {
    throw new EacError(
      'inconsistent-security-infos',
      `the Chip Authentication key is on ${key.curve.name}, its domain parameters name ${ca.curve.name}`,
    );
  }
  return { ...ca, publicPoint: Buffer.from(key.point) };
}

/** The Restricted Identification keys of id-RI-ECDH-SHA-256, version 1, lowest keyId first. */
export function restrictedIdentificationKeys(
  infos: readonly SecurityInfo[],
): RestrictedIdentificationParameters[] {
  return infos
    .filter(
      (i): i is RestrictedIdentificationInfo =>
        i.kind === 'ri' && i.version === 1 && RI_PROTOCOLS.includes(i.protocol),
    )
    .map((i) => ({ protocol: i.protocol, keyId: i.keyId, authorizedOnly: i.authorizedOnly }))
    .sort((a, b) => a.keyId - b.keyId);
}

function encodingOf(info: SecurityInfo): string {
  try {
    return encodeSecurityInfo(info).toString('hex');
  } catch (e) {
    if (e instanceof SecurityInfoError)
      throw new EacError('malformed-response', `SecurityInfo: ${e.message}`);
    throw e;
  }
}

/**
 * A.1.2.2: every SecurityInfo of EF.CardAccess except PrivilegedTerminalInfo
 * must also be in EF.CardSecurity, with the same content (protocol, version,
 * key ids, domain parameters).
 */
export function checkConsistency(
  cardAccess: readonly SecurityInfo[],
  cardSecurity: readonly SecurityInfo[],
): void {
  const secured = new Set(cardSecurity.map(encodingOf));
  for (const info of cardAccess) {
    if (info.kind === 'unknown' && info.protocol === ID_PRIVILEGED_TERMINAL_INFO) continue;
    if (!secured.has(encodingOf(info))) {
      const id = 'protocol' in info ? info.protocol : info.kind;
      throw new EacError(
        'inconsistent-security-infos',
        `EF.CardSecurity lacks the ${info.kind} entry ${id} of EF.CardAccess`,
      );
    }
  }
}

/**
 * Everything the terminal needs after reading both files: the PACE and CA
 * choices made from EF.CardAccess, the CA public key from EF.CardSecurity,
 * the RI keys, after the consistency check. `cardSecurity`: the file, or the
 * SecurityInfos passive authentication verified in it (the server passes those,
 * so it analyses exactly what it verified and decodes the file once).
 */
export function analyseSecurityInfos(files: {
  cardAccess: Buffer;
  cardSecurity: Buffer | readonly SecurityInfo[];
}): SecurityProfile {
  const cardAccess = decodeCardAccess(files.cardAccess);
  const cardSecurity = Buffer.isBuffer(files.cardSecurity)
    ? decodeCardSecurity(files.cardSecurity)
    : [...files.cardSecurity];
  checkConsistency(cardAccess, cardSecurity);
  const pace = choosePace(cardAccess);
  const hasCaInCardAccess = cardAccess.some((i) => i.kind === 'ca');
  const caParams = chooseChipAuthentication(hasCaInCardAccess ? cardAccess : cardSecurity);
  return {
    pace,
    ca: chipAuthenticationKey(cardSecurity, caParams),
    ri: restrictedIdentificationKeys(cardSecurity),
    cardAccess,
    cardSecurity,
  };
}
