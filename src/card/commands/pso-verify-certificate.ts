/**
 * PSO:Verify Certificate (TR-03110-3 B.14.5, §2.5): 00 2A 00 BE {7F4E body, 5F37 signature},
 * verified with the key selected by MSE:Set DST.
 *
 * - Under a trust point: a CVCA link certificate (accepted even when expired;
 *   it becomes a trust point, A.7.2.1) or a DV certificate (the trust point
 *   must not be expired, the DV certificate neither).
 * - Under the imported DV key: a terminal certificate, not expired.
 * CVCA, DV and accurate terminal certificates (issued by a domestic DV)
 * advance the card's current date to their effective date (§2.5).
 * DV and terminal keys are imported temporarily: only the most recent one
 * (A.7.2.2), with the AND of the CHATs of its chain (§2.7).
 *
 * Errors: 6A80 malformed, wrong role, or CAR not the selected key; 6300 the
 * signature does not verify; 6985 expired or no key selected; 6A88 the
 * selected key is gone or, as an expired trust point, disabled for DVs.
 */
import type { CommandApdu } from '../../apdu/apdu.js';
import { SW } from '../../apdu/status.js';
import type { Curve, HashName } from '../../crypto/curves.js';
import { CvCertificate } from '../../pki/cvc/certificate.js';
import type { Chat } from '../../pki/cvc/chat.js';
import { CvcError } from '../../pki/cvc/errors.js';
import { parseTlvList, tlv } from '../../tlv/tlv.js';
import type { CommandContext, CommandResult } from '../context.js';
import { CardError, fail } from '../errors.js';

interface Issuer {
  readonly cert: CvCertificate;
  readonly curve: Curve;
  readonly chainChat: Chat;
  readonly trustPoint: boolean;
}

function decodeBodyAndSignature(data: Buffer): CvCertificate {
  try {
    const parts = parseTlvList(data);
    if (parts.length !== 2 || parts[0]!.tag !== 0x7f4e || parts[1]!.tag !== 0x5f37)
      throw new Error('expected 7F4E body and 5F37 signature');
    return CvCertificate.decode(tlv(0x7f21, data));
  } catch (e) {
    return fail(SW.WRONG_DATA, `certificate: ${(e as Error).message}`);
  }
}

function selectedIssuer(ctx: CommandContext): Issuer {
  const s = ctx.session;
  const chr = s.dst ?? fail(SW.CONDITIONS_NOT_SATISFIED, 'no public key selected by MSE:Set DST');
  const tp = ctx.state.trustPoints.find((t) => t.chr === chr);
  if (tp) return { cert: tp, curve: tp.publicKey.curve!, chainChat: tp.chat, trustPoint: true };
  const imp = s.imported;
  if (imp && imp.cert.chr === chr && imp.cert.role !== 'terminal')
    return { cert: imp.cert, curve: imp.curve, chainChat: imp.chainChat, trustPoint: false };
  return fail(SW.REFERENCE_DATA_NOT_FOUND, `public key ${chr} is no longer available`);
}

function verifySignature(cert: CvCertificate, issuer: Issuer, hash: HashName): void {
  if (!cert.verifySignature(issuer.cert.keyObject(issuer.curve), hash)) {
    fail(SW.VERIFICATION_FAILED, `signature of ${cert.chr} does not verify with ${issuer.cert.chr}`);
  }
}

function notExpired(ctx: CommandContext, cert: CvCertificate): void {
  if (cert.expirationDate < ctx.state.currentDate) {
    fail(
      SW.CONDITIONS_NOT_SATISFIED,
      `${cert.chr} expired on ${cert.expirationDate} (card date ${ctx.state.currentDate})`,
    );
  }
}

function importCertificate(ctx: CommandContext, cert: CvCertificate, issuer: Issuer): void {
  const s = ctx.session;
  if (cert.car !== issuer.cert.chr)
    fail(SW.WRONG_DATA, `${cert.chr} is issued by ${cert.car}, not by the selected ${issuer.cert.chr}`);
  if (cert.chat.terminalType !== issuer.cert.chat.terminalType)
    fail(SW.WRONG_DATA, 'terminal type differs from the issuer’s');
  const hash = issuer.cert.hash;
  if (issuer.trustPoint && cert.role === 'cvca') {
    if (cert.isSelfSigned) {
      // The trust point itself, sent along with the chain.
      if (!cert.raw.equals(issuer.cert.raw))
        fail(SW.WRONG_DATA, `self-signed ${cert.chr} is not the trust point`);
      verifySignature(cert, issuer, hash);
      return;
    }
    if (!cert.publicKey.curve)
      fail(SW.WRONG_DATA, 'a CVCA link certificate must carry its domain parameters');
    verifySignature(cert, issuer, hash); // expired link certificates are accepted (§2.5)
    ctx.state.addTrustPoint(cert);
    ctx.state.advanceDate(cert.effectiveDate);
    return;
  }
  if (issuer.trustPoint && (cert.role === 'dv-domestic' || cert.role === 'dv-foreign')) {
    if (issuer.cert.expirationDate < ctx.state.currentDate)
      fail(SW.REFERENCE_DATA_NOT_FOUND, `trust point ${issuer.cert.chr} has expired`);
    verifySignature(cert, issuer, hash);
    notExpired(ctx, cert);
    s.imported = {
      cert,
      key: cert.keyObject(issuer.curve),
      curve: issuer.curve,
      chainChat: cert.chat.intersect(issuer.chainChat),
      signedWith: hash,
    };
    ctx.state.advanceDate(cert.effectiveDate);
    return;
  }
  if (!issuer.trustPoint && cert.role === 'terminal') {
    verifySignature(cert, issuer, hash);
    notExpired(ctx, cert);
    s.imported = {
      cert,
      key: cert.keyObject(issuer.curve),
      curve: issuer.curve,
      chainChat: cert.chat.intersect(issuer.chainChat, 'terminal'),
      signedWith: hash,
    };
    if (issuer.cert.role === 'dv-domestic') ctx.state.advanceDate(cert.effectiveDate); // accurate terminal certificate
    return;
  }
  fail(
    SW.WRONG_DATA,
    `a ${cert.role} certificate cannot be verified with ${issuer.cert.role} key ${issuer.cert.chr}`,
  );
}

export function psoVerifyCertificate(cmd: CommandApdu, ctx: CommandContext): CommandResult {
  if (cmd.p1 !== 0x00 || cmd.p2 !== 0xbe)
    fail(SW.INCORRECT_P1P2, 'only PSO:Verify Certificate (00BE) is supported');
  if (!ctx.session.pace) fail(SW.SECURITY_STATUS_NOT_SATISFIED, 'PACE first');
  const cert = decodeBodyAndSignature(cmd.data);
  const issuer = selectedIssuer(ctx);
  try {
    importCertificate(ctx, cert, issuer);
  } catch (e) {
    if (e instanceof CvcError) throw new CardError(SW.WRONG_DATA, e.message);
    throw e;
  }
  return { sw: SW.OK };
}
