/**
 * The non-authentic card cases of TR-03130-4 module C1_2 (EIDCARD_9 …
 * EIDCARD_13 and the man in the middle of C1_2_06–08), each as the card file
 * and eID-Client behaviour that produce it, with the StartPAOSResponse code
 * the server answers. Modules A1_2, B1_2, B1_5 run them again at their own
 * interface ("perform the test with each of the underlying test cases").
 */
import type { CardTransport } from '../../../src/apdu/transport.js';
import { OID } from '../../../src/asn1/oids.js';
import { loadPrivateKey, publicPointOf } from '../../../src/crypto/keys.js';
import { RESULT_MINOR as PAOS } from '../../../src/paos/result.js';
import type { SecurityInfo } from '../../../src/pki/security-infos.js';
import type { writeTestCard } from '../../support/card.js';
import { flipMac, TamperingCard } from '../../support/tamper.js';
import { brokenCard, type Signer, securityObjects } from './cards.js';
import type { EidOptions } from './eid-client.js';
import { foreignDocumentSigner } from './pki.js';

export interface Context {
  readonly pkiDir: string;
  /** A valid card (EIDCARD_1). */
  readonly card: ReturnType<typeof writeTestCard>;
  /** A Document Signer on the CSCA's CRL (support/pki.ts revokedDocumentSigner, before the server starts). */
  readonly revokedDs: Signer;
}

export interface NonAuthentic {
  readonly id: string;
  readonly what: string;
  /** The ResultMinor of StartPAOSResponse the test specification checks. */
  readonly paos: string;
  /** The row of the outcome table (workflows/outcomes/table.ts). */
  readonly failure: string;
  readonly run: (c: Context) => { cardFile: string; eid: EidOptions };
}

const pace = (change: object) => (infos: SecurityInfo[]) =>
  infos.map((i) => (i.kind === 'pace' ? ({ ...i, ...change } as SecurityInfo) : i));
const ca = (change: object) => (infos: SecurityInfo[]) =>
  infos.map((i) => (i.kind === 'ca' ? ({ ...i, ...change } as SecurityInfo) : i));

/** A card answer with its MAC data object (8E 08 …) removed: an OutputAPDU without MAC. */
const withoutMac = (r: Buffer) => Buffer.concat([r.subarray(0, r.length - 12), r.subarray(r.length - 2)]);
/** The card's answer to the server's VERIFY (CLA 8C, INS 20) altered on its way back. */
export const onVerify = (alter: (r: Buffer) => Buffer) => (c: CardTransport) =>
  new TamperingCard(c, (cmd, resp) => (cmd[0] === 0x8c && cmd[1] === 0x20 ? alter(resp) : undefined));

const manipulatedSignature = (cs: Buffer) => {
  const x = Buffer.from(cs);
  x[x.length - 5]! ^= 0x01;
  return x;
};

/** The eID-Client reports an EF.CardSecurity (correctly signed) whose CA key is off the curve. */
function caKeyOffCurve(c: Context): EidOptions {
  const point = publicPointOf(loadPrivateKey(c.card.json.keys.chipAuthentication.privateKey));
  const off = Buffer.from(point);
  off[off.length - 1]! ^= 0x01; // y no longer fits x
  const replace = (der: Buffer) =>
    Buffer.from(der.toString('hex').replace(point.toString('hex'), off.toString('hex')), 'hex');
  const efCardSecurity = Buffer.from(
    securityObjects(c.pkiDir, c.card.json, { rawSecurity: replace }).cardSecurity,
    'hex',
  );
  return { eac2: (o) => ({ ...o, efCardSecurity }) };
}

const broken = (c: Context, r: Parameters<typeof brokenCard>[1]) => ({
  cardFile: brokenCard(c.pkiDir, r).file,
  eid: {},
});

// The eID-Client chooses PACE from EF.CardAccess and CA from EF.CardSecurity: each C1_2_04 file is
// changed where the (real) eID-Client does not depend on it, so that the card still answers.
export const NON_AUTHENTIC: readonly NonAuthentic[] = [
  {
    id: 'C1_2_01',
    what: 'EF.CardSecurity with a manipulated signature (EIDCARD_9)',
    paos: PAOS.securityConditionNotSatisfied,
    failure: 'document-not-authentic',
    run: (c) => broken(c, { tamper: manipulatedSignature }),
  },
  {
    id: 'C1_2_02',
    what: 'EF.CardSecurity signed by a revoked Document Signer (EIDCARD_10)',
    paos: PAOS.internalError,
    failure: 'document-signer-revoked',
    run: (c) => broken(c, { signer: c.revokedDs }),
  },
  {
    id: 'C1_2_03',
    what: 'EF.CardSecurity signed by a Document Signer the server cannot verify (EIDCARD_11)',
    paos: PAOS.securityConditionNotSatisfied,
    failure: 'document-not-authentic',
    run: (c) => broken(c, { signer: foreignDocumentSigner(c.pkiDir) }),
  },
  {
    id: 'C1_2_04_T1',
    what: 'EF.CardSecurity and EF.CardAccess disagree in the PACE OIDs (EIDCARD_12)',
    paos: PAOS.securityConditionNotSatisfied,
    failure: 'document-not-authentic',
    run: (c) => broken(c, { security: pace({ protocol: `${OID.idPaceEcdhGm}.4` }) }),
  },
  {
    id: 'C1_2_04_T2',
    what: 'EF.CardSecurity and EF.CardAccess disagree in the PACE domain parameters (EIDCARD_12)',
    paos: PAOS.securityConditionNotSatisfied,
    failure: 'document-not-authentic',
    run: (c) => broken(c, { security: pace({ parameterId: 16 }) }),
  },
  {
    id: 'C1_2_04_T3',
    what: 'EF.CardSecurity and EF.CardAccess disagree in the CA OIDs (EIDCARD_12)',
    paos: PAOS.securityConditionNotSatisfied,
    failure: 'document-not-authentic',
    run: (c) => broken(c, { access: ca({ protocol: `${OID.idCaEcdh}.4` }) }),
  },
  {
    id: 'C1_2_05',
    what: 'a Chip Authentication key in EF.CardSecurity that is not on the curve (EIDCARD_13)',
    paos: PAOS.securityConditionNotSatisfied,
    failure: 'document-not-authentic',
    run: (c) => ({ cardFile: c.card.file, eid: caKeyOffCurve(c) }),
  },
  {
    id: 'C1_2_06',
    what: 'an incorrect AuthenticationToken',
    paos: PAOS.internalError,
    failure: 'chip-authentication-failed',
    run: (c) => {
      const authenticationToken = Buffer.from('EB0D2F71A95D187D', 'hex');
      return { cardFile: c.card.file, eid: { eac2: (o) => ({ ...o, authenticationToken }) } };
    },
  },
  {
    id: 'C1_2_07',
    what: 'OutputAPDUs without MAC in TransmitResponse',
    paos: PAOS.internalError,
    failure: 'channel-error',
    run: (c) => ({ cardFile: c.card.file, eid: { wrapCard: onVerify(withoutMac) } }),
  },
  {
    id: 'C1_2_08',
    what: 'OutputAPDUs with invalid MACs in TransmitResponse',
    paos: PAOS.internalError,
    failure: 'channel-error',
    run: (c) => ({ cardFile: c.card.file, eid: { wrapCard: onVerify(flipMac) } }),
  },
];
