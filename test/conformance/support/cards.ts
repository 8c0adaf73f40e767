/**
 * The card profiles of TR-03130-4 §4.3 (EIDCARD_*) as virtual New eID cards:
 * personalised from the test PKI, then — for the non-authentic profiles —
 * with EF.CardAccess / EF.CardSecurity rebuilt the way each profile is broken
 * (manipulated signature, another Document Signer, security objects that
 * disagree, a CA key off the curve) and signed again where the profile is
 * signed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OID } from '../../../src/asn1/oids.js';
import { type CardFileJson, parseCardFile } from '../../../src/card/card-file.js';
import { dataGroupsOf } from '../../../src/card/file-system.js';
import type { CreateCardOptions } from '../../../src/card/personalize.js';
import { cardAccessInfos, cardSecurityInfos } from '../../../src/card/security-objects.js';
import { curveByName } from '../../../src/crypto/curves.js';
import { curveOfKey, loadPrivateKey, publicPointOf } from '../../../src/crypto/keys.js';
import { PKI_FILES } from '../../../src/pki/layout.js';
import { encodeSecurityInfos, type SecurityInfo } from '../../../src/pki/security-infos.js';
import { signCms } from '../../../src/pki/x509/cms.js';
import { derFromPem } from '../../../src/pki/x509/pem.js';
import { writeTestCard } from '../../support/card.js';

export interface Signer {
  readonly cert: Buffer;
  readonly key: ReturnType<typeof loadPrivateKey>;
}

/** The Document Signer of a PKI directory. */
export function documentSigner(pkiDir: string): Signer {
  return {
    cert: derFromPem(readFileSync(join(pkiDir, PKI_FILES.dsCert), 'utf8')),
    key: loadPrivateKey(readFileSync(join(pkiDir, PKI_FILES.dsKey), 'utf8')),
  };
}

export interface Rebuild {
  /** Edits the SecurityInfos of EF.CardAccess (unsigned). */
  readonly access?: (infos: SecurityInfo[]) => SecurityInfo[];
  /** Edits the SecurityInfos of EF.CardSecurity and EF.ChipSecurity (signed again by `signer`). */
  readonly security?: (infos: SecurityInfo[]) => SecurityInfo[];
  /** Default: the PKI's Document Signer. */
  readonly signer?: Signer;
  /** Alters the encoded SecurityInfos of EF.CardSecurity before they are signed (what the encoder refuses to write). */
  readonly rawSecurity?: (der: Buffer) => Buffer;
  /** Alters the signed bytes afterwards (a manipulated signature). */
  readonly tamper?: (cardSecurity: Buffer) => Buffer;
}

/** The security objects of the card `json`, rebuilt as `r` says. */
export function securityObjects(pkiDir: string, json: CardFileJson, r: Rebuild): CardFileJson['files'] {
  const data = parseCardFile(json);
  const params = {
    curve: curveByName(json.curve),
    protocols: json.protocols,
    caKeyId: json.keys.chipAuthentication.keyId,
    riKeyId: json.keys.restrictedIdentification.keyId,
  };
  const secured = {
    ...params,
    caPublicPoint: publicPointOf(loadPrivateKey(json.keys.chipAuthentication.privateKey)),
    dataGroups: dataGroupsOf(data),
  };
  const signer = r.signer ?? documentSigner(pkiDir);
  const sign = (infos: SecurityInfo[], raw = (der: Buffer) => der) =>
    signCms({
      contentType: OID.idSecurityObject,
      content: raw(encodeSecurityInfos(r.security ? r.security(infos) : infos)),
      signerCert: signer.cert,
      signerKey: signer.key,
      hash: curveOfKey(signer.key).hash,
      signingTime: null,
    });
  const access = cardAccessInfos(params);
  const cardSecurity = sign(cardSecurityInfos(secured), r.rawSecurity);
  return {
    cardAccess: encodeSecurityInfos(r.access ? r.access(access) : access).toString('hex'),
    cardSecurity: (r.tamper ? r.tamper(cardSecurity) : cardSecurity).toString('hex'),
    chipSecurity: sign(cardSecurityInfos(secured, 'all')).toString('hex'),
  };
}

/** A new card of the PKI, with its security objects rebuilt as `r` says. */
export function brokenCard(pkiDir: string, r: Rebuild, opts: Omit<CreateCardOptions, 'pkiDir'> = {}) {
  const { file, json } = writeTestCard(pkiDir, opts);
  const next: CardFileJson = { ...json, files: securityObjects(pkiDir, json, r) };
  writeFileSync(file, JSON.stringify(next, null, 2));
  return { file, json: next };
}
