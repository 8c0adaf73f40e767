/**
 * SecurityInfos (BSI TR-03110-3 A.1), the content of EF.CardAccess and the
 * signed content of EF.CardSecurity / EF.ChipSecurity:
 *
 *   SecurityInfos ::= SET OF SecurityInfo
 *   SecurityInfo ::= SEQUENCE {
 *     protocol      OBJECT IDENTIFIER,
 *     requiredData  ANY DEFINED BY protocol,
 *     optionalData  ANY DEFINED BY protocol OPTIONAL }
 *
 * The entry types are one file each under ./security-infos/. Entries of
 * protocols not modelled here are kept verbatim (`kind: 'unknown'`), so
 * decode → encode reproduces DER input byte for byte.
 */

import { readOid, set, TAG } from '../asn1/der.js';
import { OID } from '../asn1/oids.js';
import { childrenOf, parseTlv, type Tlv, validateTree } from '../tlv/tlv.js';
import {
  decodeChipAuthenticationDomainParameterInfo,
  encodeChipAuthenticationDomainParameterInfo,
} from './security-infos/chip-authentication-domain-parameter-info.js';
import {
  decodeChipAuthenticationInfo,
  encodeChipAuthenticationInfo,
} from './security-infos/chip-authentication-info.js';
import {
  decodeChipAuthenticationPublicKeyInfo,
  encodeChipAuthenticationPublicKeyInfo,
} from './security-infos/chip-authentication-public-key-info.js';
import { guard, malformed } from './security-infos/common.js';
import { decodeEidSecurityInfo, encodeEidSecurityInfo } from './security-infos/eid-security-info.js';
import { SecurityInfoError } from './security-infos/errors.js';
import { decodePaceInfo, encodePaceInfo } from './security-infos/pace-info.js';
import {
  decodeRestrictedIdentificationDomainParameterInfo,
  encodeRestrictedIdentificationDomainParameterInfo,
} from './security-infos/restricted-identification-domain-parameter-info.js';
import {
  decodeRestrictedIdentificationInfo,
  encodeRestrictedIdentificationInfo,
} from './security-infos/restricted-identification-info.js';
import {
  decodeTerminalAuthenticationInfo,
  encodeTerminalAuthenticationInfo,
} from './security-infos/terminal-authentication-info.js';
import type { SecurityInfo } from './security-infos/types.js';

export {
  type DecodedDomainParameters,
  decodeDomainParameters,
  encodeDomainParameters,
} from './security-infos/domain-parameters.js';
export {
  decodeEcPublicKeyInfo,
  type EcPublicKeyInfo,
  encodeEcPublicKeyInfo,
} from './security-infos/ec-public-key.js';
export { SecurityInfoError, type SecurityInfoErrorCode } from './security-infos/errors.js';
export type * from './security-infos/types.js';

/** Nesting bound for hostile input (PrivilegedTerminalInfo nests one SecurityInfos). */
const MAX_DEPTH = 12;

/** Number of arcs of `oid` below `base`, or -1 when `oid` is not under `base`. */
function arcsBelow(oid: string, base: string): number {
  if (oid === base) return 0;
  return oid.startsWith(`${base}.`) ? oid.slice(base.length + 1).split('.').length : -1;
}

function isStandardizedDomainParameters(t: Tlv | undefined): boolean {
  if (!t || t.tag !== TAG.SEQUENCE) return false;
  const first = childrenOf(t)[0];
  return first?.tag === TAG.OID && readOid(first, 'algorithm') === OID.standardizedDomainParameters;
}

function decodeOne(t: Tlv): SecurityInfo {
  if (t.tag !== TAG.SEQUENCE) malformed('SecurityInfo is not a SEQUENCE');
  const kids = childrenOf(t);
  if (kids.length < 2 || kids.length > 3) malformed(`SecurityInfo has ${kids.length} elements`);
  const protocol = readOid(kids[0]!, 'SecurityInfo protocol');
  const unknown = (): SecurityInfo => ({ kind: 'unknown', protocol, raw: Buffer.from(t.raw) });
  const what = `SecurityInfo ${protocol}`;
  return guard(what, () => {
    if (arcsBelow(protocol, OID.idPace) === 2) return decodePaceInfo(protocol, kids);
    if (arcsBelow(protocol, OID.idCa) === 2) return decodeChipAuthenticationInfo(protocol, kids);
    if (protocol === OID.idCaEcdh || (protocol === OID.idCaDh && isStandardizedDomainParameters(kids[1]))) {
      return decodeChipAuthenticationDomainParameterInfo(protocol, kids);
    }
    if (protocol === OID.idPkEcdh) return decodeChipAuthenticationPublicKeyInfo(protocol, kids);
    if (protocol === OID.idTa) return decodeTerminalAuthenticationInfo(kids);
    if (arcsBelow(protocol, OID.idRi) === 2) return decodeRestrictedIdentificationInfo(protocol, kids);
    if (protocol === OID.idRiEcdh) return decodeRestrictedIdentificationDomainParameterInfo(kids);
    if (protocol === OID.idEidSecurity) return decodeEidSecurityInfo(kids);
    return unknown();
  });
}

/** Decodes DER SecurityInfos. Throws SecurityInfoError only; unknown protocols are kept as `unknown`. */
export function decodeSecurityInfos(der: Buffer): SecurityInfo[] {
  return guard('SecurityInfos', () => {
    validateTree(der, MAX_DEPTH);
    const outer = parseTlv(der);
    if (outer.tag !== TAG.SET) malformed('SecurityInfos is not a SET');
    return childrenOf(outer).map(decodeOne);
  });
}

/** Encodes one SecurityInfo (a DER SEQUENCE). */
export function encodeSecurityInfo(info: SecurityInfo): Buffer {
  return guard(`SecurityInfo ${info.kind}`, () => {
    switch (info.kind) {
      case 'pace':
        return encodePaceInfo(info);
      case 'ca':
        return encodeChipAuthenticationInfo(info);
      case 'caDomainParameters':
        return encodeChipAuthenticationDomainParameterInfo(info);
      case 'caPublicKey':
        return encodeChipAuthenticationPublicKeyInfo(info);
      case 'ta':
        return encodeTerminalAuthenticationInfo(info);
      case 'ri':
        return encodeRestrictedIdentificationInfo(info);
      case 'riDomainParameters':
        return encodeRestrictedIdentificationDomainParameterInfo(info);
      case 'eidSecurity':
        return encodeEidSecurityInfo(info);
      case 'unknown': {
        const raw = Buffer.from(info.raw);
        const t = parseTlv(raw);
        if (t.tag !== TAG.SEQUENCE) malformed('unknown SecurityInfo is not a SEQUENCE');
        return raw;
      }
      default:
        throw new SecurityInfoError(
          'unsupported',
          `unknown SecurityInfo kind ${(info as { kind: string }).kind}`,
        );
    }
  });
}

/** DER SET OF: the element encodings in ascending octet order (X.690 §11.6). */
export function encodeSecurityInfos(infos: readonly SecurityInfo[]): Buffer {
  const encoded = infos.map(encodeSecurityInfo).sort(Buffer.compare);
  return set(...encoded);
}
