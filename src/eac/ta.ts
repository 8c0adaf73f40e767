/**
 * Terminal Authentication version 2 (TR-03110-2 §3.3; TR-03110-3 A.7, B.3,
 * B.14.1, B.14.4–B.14.7), run in the secure channel of PACE:
 *
 *   MSE:Set DST            00 22 81 B6 Lc {83 CAR}                      (B.14.4)
 *   PSO:Verify Certificate 00 2A 00 BE Lc {7F4E body ‖ 5F37 signature}  (B.14.5)
 *   MSE:Set AT             00 22 81 A4 Lc {80 TA OID, 83 CHR, [67 aux], 91 Comp(PK_PCD)}  (B.3, B.14.1)
 *   Get Challenge          00 84 00 00 08                               (B.14.6)
 *   External Authenticate  00 82 00 00 Lc signature                     (B.14.7)
 *
 * The eID-Server signs ID_PICC ‖ r_PICC ‖ Comp(PK_PCD) ‖ A_PCD with the
 * terminal key (ECDSA, plain r‖s, A.7.4.1); the eID-Client presents the
 * certificate chain and sends the other commands. Get Challenge may come
 * before the chain (B.3: the card keeps the challenge until External
 * Authenticate), which is how the challenge reaches the server in EAC1.
 */
import type { KeyObject } from 'node:crypto';
import { type CommandApdu, command } from '../apdu/apdu.js';
import { SW } from '../apdu/status.js';
import { encodeOidValue } from '../asn1/oid.js';
import type { HashName } from '../crypto/curves.js';
import { asSigningKey, type SigningKey } from '../crypto/signing-key.js';
import type { CvCertificate } from '../pki/cvc/certificate.js';
import { parseTlv, tlv } from '../tlv/tlv.js';
import type { ApduChannel } from './channel.js';
import { EacError } from './errors.js';
import { expectOk, expectOkEmpty, statusError } from './status.js';

const latin1 = (s: string) => Buffer.from(s, 'latin1');

/** MSE:Set DST 00 22 81 B6 {83 CAR}: selects the public key that verifies the next certificate (B.14.4). */
export function mseSetDst(car: string): CommandApdu {
  return command(0x00, 0x22, 0x81, 0xb6, tlv(0x83, latin1(car)));
}

/**
 * PSO:Verify Certificate 00 2A 00 BE {7F4E ‖ 5F37} (B.14.5): the body and the
 * signature exactly as encoded in the certificate (the value of its 7F21).
 * A CVCA certificate with domain parameters exceeds 255 bytes and is sent
 * with extended length (B.12.2 allows it for this command).
 */
export function psoVerifyCertificate(cert: CvCertificate): CommandApdu {
  return command(0x00, 0x2a, 0x00, 0xbe, parseTlv(cert.raw).value);
}

export interface MseSetAtTaOptions {
  /** CHR of the terminal certificate: names the terminal's public key (83). */
  readonly terminalChr: string;
  /**
   * The TA algorithm OID (80, value only): the id-TA-ECDSA-SHA-* of the terminal
   * certificate's key. B.14.1: REQUIRED for all protocols except TA version 1.
   */
  readonly algorithm: string;
  /** Authenticated auxiliary data: the complete 67 object (A.7.5). */
  readonly auxData?: Buffer;
  /** Comp(PK_PCD): the x coordinate of the terminal's ephemeral CA key (91, A.2.2.3). */
  readonly ephemeralCompressed: Buffer;
}

/** MSE:Set AT 00 22 81 A4 {80, 83, [67], 91} for Terminal Authentication (B.3; order of B.14.1). */
export function mseSetAtTa(opts: MseSetAtTaOptions): CommandApdu {
  if (opts.auxData && opts.auxData[0] !== 0x67)
    throw new EacError('invalid-argument', 'auxiliary data must be a 67 object');
  return command(
    0x00,
    0x22,
    0x81,
    0xa4,
    Buffer.concat([
      tlv(0x80, encodeOidValue(opts.algorithm)),
      tlv(0x83, latin1(opts.terminalChr)),
      ...(opts.auxData ? [opts.auxData] : []),
      tlv(0x91, opts.ephemeralCompressed),
    ]),
  );
}

/** Get Challenge 00 84 00 00 08 (B.14.6). */
export function getChallenge(): CommandApdu {
  return command(0x00, 0x84, 0x00, 0x00, Buffer.alloc(0), 8);
}

/** External Authenticate 00 82 00 00 Lc signature (B.14.7). */
export function externalAuthenticate(signature: Buffer): CommandApdu {
  return command(0x00, 0x82, 0x00, 0x00, signature);
}

export interface TaSignatureInput {
  /** ID_PICC = Comp(PK_PICC of PACE). */
  readonly idPicc: Buffer;
  /** r_PICC from Get Challenge (8 bytes). */
  readonly challenge: Buffer;
  /** Comp(PK_PCD of CA). */
  readonly ephemeralCompressed: Buffer;
  /** A_PCD: the complete authenticated auxiliary data object (67 …), if sent. */
  readonly auxData?: Buffer;
}

/** ID_PICC ‖ r_PICC ‖ Comp(PK_PCD) ‖ [A_PCD] (TR-03110-2 §3.3.1 step 5; A.7.5: the 67 structure is signed). */
export function taSignatureInput(i: TaSignatureInput): Buffer {
  if (i.challenge.length !== 8) throw new EacError('invalid-argument', 'r_PICC has 8 bytes');
  return Buffer.concat([i.idPicc, i.challenge, i.ephemeralCompressed, ...(i.auxData ? [i.auxData] : [])]);
}

/**
 * The terminal's signature s_PCD: ECDSA with the TA hash, plain r‖s (A.7.4.1,
 * TR-03111 §5.2.1). The key may be a SigningKey in a PKCS#11 token.
 */
export function signTa(key: KeyObject | SigningKey, hash: HashName, input: Buffer): Buffer {
  return asSigningKey(key).sign({ hash, scheme: 'ecdsa' }, input);
}

/** Runs Get Challenge; returns r_PICC. */
export async function requestChallenge(channel: ApduChannel): Promise<Buffer> {
  const r = expectOk(await channel.transmit(getChallenge()), 'Get Challenge');
  if (r.data.length !== 8)
    throw new EacError('malformed-response', `Get Challenge returned ${r.data.length} bytes, not 8`);
  return Buffer.from(r.data);
}

/**
 * Sends MSE:Set DST and PSO:Verify Certificate for each certificate of
 * `certs` ([CVCA link …, DV, terminal]), starting with the last one issued by
 * a key the card names (CAR_curr / CAR_prev from PACE): earlier certificates
 * lead to keys the card already trusts and are skipped. Returns the
 * certificates sent.
 */
export async function presentCertificateChain(
  channel: ApduChannel,
  certs: readonly CvCertificate[],
  opts: { cardCars: readonly string[] },
): Promise<CvCertificate[]> {
  let start = -1;
  for (let i = certs.length - 1; i >= 0; i--) {
    if (opts.cardCars.includes(certs[i]!.car)) {
      start = i;
      break;
    }
  }
  if (start < 0) {
    throw new EacError(
      'no-trust-point',
      `no certificate of the chain is issued by ${opts.cardCars.join(' or ') || 'a key the card named'}`,
    );
  }
  const sent = certs.slice(start);
  for (const cert of sent) {
    const dst = await channel.transmit(mseSetDst(cert.car));
    if (dst.sw !== SW.OK) throw certificateError(dst.sw, `MSE:Set DST ${cert.car}`);
    const pso = await channel.transmit(psoVerifyCertificate(cert));
    if (pso.sw !== SW.OK) throw certificateError(pso.sw, `PSO:Verify Certificate ${cert.chr}`);
  }
  return sent;
}

function certificateError(sw: number, what: string): EacError {
  const e = statusError(sw, what);
  return e.code === 'card-error' ? new EacError('certificate-rejected', e.message, { sw }) : e;
}

/** MSE:Set AT for TA, then External Authenticate with the server's signature. */
export async function authenticateTerminal(
  channel: ApduChannel,
  mse: MseSetAtTaOptions,
  signature: Buffer,
): Promise<void> {
  expectOkEmpty(await channel.transmit(mseSetAtTa(mse)), 'MSE:Set AT (TA)');
  const r = await channel.transmit(externalAuthenticate(signature));
  if (r.sw === 0x6300)
    throw new EacError('authentication-failed', 'External Authenticate: the terminal signature was refused', {
      sw: r.sw,
    });
  if (r.sw === SW.CONDITIONS_NOT_SATISFIED) {
    throw new EacError(
      'authentication-failed',
      'External Authenticate: terminal type of PACE and of the chain differ',
      { sw: r.sw },
    );
  }
  expectOkEmpty(r, 'External Authenticate');
}
