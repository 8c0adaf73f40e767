/**
 * The card's SecurityInfos (TR-03110-3 A.1.2; docs/chip-profile.md §7.7):
 *
 * EF.CardAccess (A.1.2.1, readable by everyone): PACEInfo,
 *   ChipAuthenticationInfo + ChipAuthenticationDomainParameterInfo,
 *   TerminalAuthenticationInfo (version 2).
 * EF.CardSecurity (A.1.2.2, A.1.2.5): the same plus
 *   ChipAuthenticationPublicKeyInfo, RestrictedIdentificationInfo (authorizedOnly),
 *   RestrictedIdentificationDomainParameterInfo (standardized form, A.2.1.1)
 *   and EIDSecurityInfo with the SHA-256 of the household- and public-area data
 *   groups present, as a CMS SignedData (eContentType id-SecurityObject; signed
 *   attributes contentType and messageDigest only) signed by the Document Signer.
 * EF.ChipSecurity (A.1.2.3, readable only after Terminal and Chip
 *   Authentication): the same SecurityInfos, with the hashes of every data
 *   group present. The encrypted-area hashes stay out of EF.CardSecurity: that
 *   file is readable with the CAN alone, and the hash of a low-entropy value
 *   (sex, the CAN, a parent's name) would give the value away.
 */

import { createHash, type KeyObject } from 'node:crypto';
import { OID } from '../asn1/oids.js';
import type { Curve, HashName } from '../crypto/curves.js';
import { encodeSecurityInfos, type SecurityInfo } from '../pki/security-infos.js';
import { signCms } from '../pki/x509/cms.js';
import { fieldByDg } from '../profile/fields.js';

export interface SecurityObjectParams {
  readonly curve: Curve;
  readonly protocols: { readonly pace: string; readonly ca: string; readonly ri: string };
  readonly caKeyId: number;
  readonly riKeyId: number;
}

export function cardAccessInfos(p: SecurityObjectParams): SecurityInfo[] {
  return [
    { kind: 'pace', protocol: p.protocols.pace, version: 2, parameterId: p.curve.standardizedId },
    { kind: 'ca', protocol: p.protocols.ca, version: 2, keyId: p.caKeyId },
    {
      kind: 'caDomainParameters',
      protocol: OID.idCaEcdh,
      parameterId: p.curve.standardizedId,
      keyId: p.caKeyId,
    },
    { kind: 'ta', version: 2 },
  ];
}

type SecuredParams = SecurityObjectParams & {
  caPublicPoint: Buffer;
  dataGroups: ReadonlyMap<number, Buffer>;
};

/** SecurityInfos of EF.CardSecurity (`scope` 'public': no encrypted-area hashes) or EF.ChipSecurity ('all'). */
export function cardSecurityInfos(p: SecuredParams, scope: 'public' | 'all' = 'public'): SecurityInfo[] {
  const hashes = new Map(
    [...p.dataGroups]
      .filter(([dg]) => scope === 'all' || fieldByDg(dg)?.area !== 'encrypted')
      .map(([dg, content]) => [dg, createHash('sha256').update(content).digest()]),
  );
  return [
    ...cardAccessInfos(p),
    { kind: 'caPublicKey', protocol: OID.idPkEcdh, curve: p.curve, point: p.caPublicPoint, keyId: p.caKeyId },
    { kind: 'ri', protocol: p.protocols.ri, version: 1, keyId: p.riKeyId, authorizedOnly: true },
    { kind: 'riDomainParameters', parameterId: p.curve.standardizedId, encoding: 'standardized' },
    { kind: 'eidSecurity', hash: 'sha256', dataGroupHashes: hashes },
  ];
}

export function buildCardAccess(p: SecurityObjectParams): Buffer {
  return encodeSecurityInfos(cardAccessInfos(p));
}

export interface SecurityObjectSigner {
  readonly cert: Buffer;
  readonly key: KeyObject;
  readonly hash: HashName;
}

export function buildCardSecurity(
  p: SecuredParams,
  signer: SecurityObjectSigner,
  scope: 'public' | 'all' = 'public',
): Buffer {
  return signCms({
    contentType: OID.idSecurityObject,
    content: encodeSecurityInfos(cardSecurityInfos(p, scope)),
    signerCert: signer.cert,
    signerKey: signer.key,
    hash: signer.hash,
    signingTime: null,
  });
}

/** EF.ChipSecurity: every data group's hash, for authenticated terminals only. */
export function buildChipSecurity(p: SecuredParams, signer: SecurityObjectSigner): Buffer {
  return buildCardSecurity(p, signer, 'all');
}
