/**
 * A complete terminal in one process, for tests, benchmarks and the client's
 * self-test: the General Authentication Procedure of TR-03110-2 §2.3.5 with
 * the split of an online authentication (§2.3.7, TR-03124-1 / TR-03112-7):
 *
 *   client  EF.CardAccess; PACE with the PIN and the required CHAT; Get Challenge
 *           → EAC1 output: ID_PICC, r_PICC, CAR_curr/CAR_prev, EF.CardAccess
 *   server  ephemeral CA key on the CA domain parameters of EF.CardAccess;
 *           s_PCD = Sign(SK_PCD, ID_PICC ‖ r_PICC ‖ Comp(PK_PCD) ‖ A_PCD)
 *   client  certificate chain (MSE:Set DST, PSO:Verify Certificate), MSE:Set AT,
 *           External Authenticate; EF.CardSecurity; CA MSE:Set AT + General Authenticate
 *           → EAC2 output: EF.CardSecurity, r_PICC(CA), T_PICC
 *   server  consistency of both files; CA session keys and T_PICC; then, in
 *           batches through the client under the CA keys (SSC 0): SELECT eID
 *           application, Restricted Identification, VERIFY, READ BINARY.
 *
 * Passive Authentication (signature of EF.CardSecurity, data-group hashes)
 * is the caller's: the data groups come back as read.
 */
import type { KeyObject } from 'node:crypto';
import type { CommandApdu, ResponseApdu } from '../apdu/apdu.js';
import { SW } from '../apdu/status.js';
import type { CardTransport } from '../apdu/transport.js';
import type { HashName } from '../crypto/curves.js';
import type { CvCertificate } from '../pki/cvc/certificate.js';
import type { Chat } from '../pki/cvc/chat.js';
import {
  chipAuthenticate,
  compressPoint,
  finishChipAuthentication,
  generateChipAuthenticationKey,
} from './ca.js';
import {
  analyseSecurityInfos,
  chooseChipAuthentication,
  decodeCardAccess,
  type SecurityProfile,
} from './card-access.js';
import { SmChannel } from './channel.js';
import { EacError } from './errors.js';
import { readCardAccess, readCardSecurity } from './files.js';
import { pace } from './pace.js';
import {
  applyDataGroupResponses,
  type DataGroupResult,
  isReadComplete,
  planDataGroupReads,
  selectEidApplication,
} from './read.js';
import { generalAuthenticateRi, mseSetAtRi, parseRestrictedIdentificationResponse } from './ri.js';
import { SmBatch } from './sm-batch.js';
import { expectOkEmpty, statusError } from './status.js';
import {
  authenticateTerminal,
  presentCertificateChain,
  requestChallenge,
  signTa,
  taSignatureInput,
} from './ta.js';
import { interpretVerify, type VerificationKind, verifyCommand } from './verify.js';

export interface LocalEacOptions {
  readonly pin: string;
  /** [CVCA link certificates …, DV, terminal]. */
  readonly cvcaChain: readonly CvCertificate[];
  readonly terminalKey: KeyObject;
  readonly terminalHash: HashName;
  /** The CHAT sent in PACE. */
  readonly requiredChat: Chat;
  /** Authenticated auxiliary data (67 object) for VERIFY. */
  readonly auxData?: Buffer;
  /** Sector public key data object (7F49, with domain parameters) for Restricted Identification. */
  readonly sectorKeyObject?: Buffer;
  /** RI key to use; default: the lowest keyId of EF.CardSecurity. */
  readonly riKeyId?: number;
  readonly readDgs: readonly number[];
  readonly verify?: readonly VerificationKind[];
  /** Bytes of the first read of every data group (default 0xDF); `extended` reads the rest in one APDU. */
  readonly read?: { readonly firstChunk?: number; readonly extended?: boolean };
}

export interface LocalEacResult {
  /** Content of every data group read successfully. */
  readonly dataGroups: Map<number, Buffer>;
  /** Outcome of every requested data group (not-found / access-denied included). */
  readonly dataGroupResults: Map<number, DataGroupResult>;
  readonly restrictedId?: Buffer;
  readonly verifications: Partial<Record<VerificationKind, boolean>>;
  readonly efCardAccess: Buffer;
  readonly efCardSecurity: Buffer;
  readonly idPicc: Buffer;
  readonly cars: readonly string[];
  readonly profile: SecurityProfile;
}

/** The client's relay: sends raw APDUs one by one, as PAOS Transmit does. */
async function relay(card: CardTransport, apdus: readonly Buffer[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const a of apdus) out.push(await card.transmit(a));
  return out;
}

async function sendBatch(
  card: CardTransport,
  sm: SmBatch,
  cmds: readonly CommandApdu[],
): Promise<ResponseApdu[]> {
  return sm.unwrap(await relay(card, sm.wrap(cmds)));
}

export async function runLocalEac(card: CardTransport, opts: LocalEacOptions): Promise<LocalEacResult> {
  const terminal = opts.cvcaChain.at(-1);
  if (terminal?.role !== 'terminal')
    throw new EacError('invalid-argument', 'the chain must end with the terminal certificate');

  // ---- client: EAC1 ----------------------------------------------------
  const efCardAccess = await readCardAccess(card);
  const p = await pace(card, {
    password: opts.pin,
    passwordRef: 'pin',
    chat: opts.requiredChat,
    cardAccess: efCardAccess,
  });
  const paceChannel = new SmChannel(card, p.sm);
  const challenge = await requestChallenge(paceChannel);

  // ---- server: TA signature --------------------------------------------
  const caParams = chooseChipAuthentication(decodeCardAccess(efCardAccess));
  const eph = generateChipAuthenticationKey(caParams.curve);
  const ephemeralCompressed = compressPoint(caParams.curve, eph.publicPoint);
  const signature = signTa(
    opts.terminalKey,
    opts.terminalHash,
    taSignatureInput({
      idPicc: p.idPicc,
      challenge,
      ephemeralCompressed,
      ...(opts.auxData ? { auxData: opts.auxData } : {}),
    }),
  );

  // ---- client: EAC2 ----------------------------------------------------
  await presentCertificateChain(paceChannel, opts.cvcaChain, { cardCars: p.cars });
  await authenticateTerminal(
    paceChannel,
    {
      terminalChr: terminal.chr,
      algorithm: terminal.publicKey.algorithm,
      ephemeralCompressed,
      ...(opts.auxData ? { auxData: opts.auxData } : {}),
    },
    signature,
  );
  const efCardSecurity = await readCardSecurity(paceChannel);
  const ca = await chipAuthenticate(paceChannel, {
    protocol: caParams.protocol,
    ...(caParams.keyId === undefined ? {} : { keyId: caParams.keyId }),
    ephemeralPoint: eph.publicPoint,
  });
  p.sm.close();

  // ---- server: CA keys, then batches through the client ------------------
  const profile = analyseSecurityInfos({ cardAccess: efCardAccess, cardSecurity: efCardSecurity });
  if (
    profile.ca.protocol !== caParams.protocol ||
    profile.ca.keyId !== caParams.keyId ||
    profile.ca.curve !== caParams.curve
  ) {
    throw new EacError(
      'inconsistent-security-infos',
      'Chip Authentication parameters differ between EF.CardAccess and EF.CardSecurity',
    );
  }
  const keys = finishChipAuthentication({
    protocol: profile.ca.protocol,
    curve: profile.ca.curve,
    ephemeralPrivate: eph.privateKey,
    chipPublicPoint: profile.ca.publicPoint,
    nonce: ca.nonce,
    token: ca.token,
  });
  const sm = new SmBatch(keys);

  const first: CommandApdu[] = [selectEidApplication()];
  let riKeyId: number | undefined;
  if (opts.sectorKeyObject) {
    riKeyId = opts.riKeyId ?? profile.ri[0]?.keyId;
    if (riKeyId === undefined)
      throw new EacError('unsupported-protocol', 'EF.CardSecurity offers no Restricted Identification key');
    first.push(mseSetAtRi({ keyId: riKeyId }), generalAuthenticateRi(opts.sectorKeyObject));
  }
  const verify = opts.verify ?? [];
  for (const v of verify) first.push(verifyCommand(v));
  let state = planDataGroupReads(opts.readDgs, {
    firstChunk: opts.read?.firstChunk ?? 0xdf,
    extended: opts.read?.extended ?? false,
    selectApplication: false,
  });
  const fixed = first.length;
  const responses = await sendBatch(card, sm, [...first, ...state.commands.map((c) => c.command)]);
  const at = (i: number): ResponseApdu => {
    const r = responses[i];
    if (!r) throw new EacError('malformed-response', 'missing response');
    return r;
  };

  let i = 0;
  if (at(i++).sw !== SW.OK) throw statusError(at(0).sw, 'SELECT eID application');
  let restrictedId: Buffer | undefined;
  if (opts.sectorKeyObject) {
    expectOkEmpty(at(i++), 'MSE:Set AT (RI)');
    restrictedId = parseRestrictedIdentificationResponse(at(i++)).identifier;
  }
  const verifications: Partial<Record<VerificationKind, boolean>> = {};
  for (const v of verify) verifications[v] = interpretVerify(at(i++), `VERIFY (${v})`);

  state = applyDataGroupResponses(state, responses.slice(fixed));
  while (!isReadComplete(state)) {
    state = applyDataGroupResponses(
      state,
      await sendBatch(
        card,
        sm,
        state.commands.map((c) => c.command),
      ),
    );
  }
  sm.close();

  const dataGroups = new Map<number, Buffer>();
  for (const [dg, r] of state.results) if (r.status === 'ok') dataGroups.set(dg, r.content);
  return {
    dataGroups,
    dataGroupResults: new Map(state.results),
    ...(restrictedId ? { restrictedId } : {}),
    verifications,
    efCardAccess,
    efCardSecurity,
    idPicc: p.idPicc,
    cars: p.cars,
    profile,
  };
}
