/**
 * CV certificate chain validation (TR-03110-3 §2.5–2.7): CVCA trust point →
 * optional CVCA link certificates → DV → terminal, with the card's date rules
 * or a real clock, and the effective authorization (bitwise AND of the CHATs,
 * further confined by the CHAT given in PACE).
 */
import type { KeyObject } from 'node:crypto';
import type { Curve, HashName } from '../../crypto/curves.js';
import type { CvCertificate } from './certificate.js';
import { Chat } from './chat.js';
import { CvcError } from './errors.js';

export interface ChainValidationOptions {
  /** Trusted CVCA certificates (self-signed roots or previously imported link certificates). */
  readonly trustPoints: readonly CvCertificate[];
  /** YYYYMMDD: the card's approximated current date, or today for a real clock. */
  readonly currentDate: string;
  /**
   * 'card': TR-03110-3 §2.5 — only expiry is checked against the current date,
   * which advances to the effective date of CVCA, DV and accurate terminal
   * certificates. 'clock': the date is authoritative; certificates not yet
   * effective are refused too.
   */
  readonly dateMode?: 'card' | 'clock';
  /** The confined authorization sent in MSE:Set AT for PACE (§2.7.1). */
  readonly confinedChat?: Chat;
}

export interface ValidatedChain {
  readonly terminal: CvCertificate;
  readonly dv: CvCertificate;
  /** The CVCA (trust point or link) that signed the DV certificate. */
  readonly cvca: CvCertificate;
  readonly curve: Curve;
  readonly terminalKey: KeyObject;
  /** Hash of the terminal's key algorithm: the Terminal Authentication signature hash. */
  readonly terminalHash: HashName;
  readonly effectiveChat: Chat;
  /** The current date after the validation (card mode). */
  readonly currentDate: string;
  /** Link certificates that became trust points. */
  readonly newTrustPoints: readonly CvCertificate[];
}

interface Signer {
  readonly cert: CvCertificate;
  readonly key: KeyObject;
  readonly curve: Curve;
}

function trustPointSigner(cert: CvCertificate, curve?: Curve): Signer {
  const c = cert.publicKey.curve ?? curve;
  if (!c) throw new CvcError('broken-chain', `trust point ${cert.chr} carries no domain parameters`);
  return { cert, key: cert.keyObject(c), curve: c };
}

export function validateChain(certs: readonly CvCertificate[], opts: ChainValidationOptions): ValidatedChain {
  const mode = opts.dateMode ?? 'card';
  let date = opts.currentDate;
  const trusted = new Map<string, Signer>();
  for (const tp of opts.trustPoints) {
    if (tp.role !== 'cvca')
      throw new CvcError('wrong-role', `trust point ${tp.chr} is not a CVCA certificate`);
    trusted.set(tp.chr, trustPointSigner(tp));
  }
  const newTrustPoints: CvCertificate[] = [];
  let dv: Signer | undefined;
  let dvIssuer: Signer | undefined;
  let terminal: CvCertificate | undefined;

  const advance = (to: string) => {
    if (mode === 'card' && to > date) date = to;
  };
  const checkDates = (c: CvCertificate) => {
    if (c.expirationDate < date)
      throw new CvcError('expired', `${c.chr} expired on ${c.expirationDate} (current date ${date})`);
    if (mode === 'clock' && c.effectiveDate > date) {
      throw new CvcError('not-yet-valid', `${c.chr} is not valid before ${c.effectiveDate}`);
    }
  };
  const verify = (c: CvCertificate, issuer: Signer) => {
    if (!c.verifySignature(issuer.key, issuer.cert.hash)) {
      throw new CvcError(
        'bad-signature',
        `signature of ${c.chr} does not verify with the key of ${issuer.cert.chr}`,
      );
    }
  };

  for (const c of certs) {
    if (terminal) throw new CvcError('broken-chain', `certificate ${c.chr} follows the terminal certificate`);
    switch (c.role) {
      case 'cvca': {
        if (dv) throw new CvcError('broken-chain', `CVCA certificate ${c.chr} after a DV certificate`);
        const known = trusted.get(c.chr);
        if (c.isSelfSigned) {
          if (known?.cert.raw.equals(c.raw)) continue; // the trust point itself, sent along
          throw new CvcError('untrusted', `self-signed CVCA ${c.chr} is not a trust point`);
        }
        const issuer = trusted.get(c.car);
        if (!issuer)
          throw new CvcError(
            'untrusted',
            `link certificate ${c.chr} is issued by ${c.car}, which is not trusted`,
          );
        verify(c, issuer);
        // Expired link certificates are accepted (§2.5).
        const signer = trustPointSigner(c, issuer.curve);
        trusted.set(c.chr, signer);
        newTrustPoints.push(c);
        advance(c.effectiveDate);
        break;
      }
      case 'dv-domestic':
      case 'dv-foreign': {
        if (dv) throw new CvcError('broken-chain', `second DV certificate ${c.chr}`);
        const issuer = trusted.get(c.car);
        if (!issuer)
          throw new CvcError(
            'untrusted',
            `DV certificate ${c.chr} is issued by ${c.car}, which is not a trust point`,
          );
        if (issuer.cert.expirationDate < date) {
          throw new CvcError(
            'expired',
            `trust point ${issuer.cert.chr} expired on ${issuer.cert.expirationDate}`,
          );
        }
        verify(c, issuer);
        checkDates(c);
        advance(c.effectiveDate);
        dv = { cert: c, key: c.keyObject(issuer.curve), curve: issuer.curve };
        dvIssuer = issuer;
        break;
      }
      case 'terminal': {
        if (!dv) throw new CvcError('broken-chain', `terminal certificate ${c.chr} without a DV certificate`);
        if (c.car !== dv.cert.chr)
          throw new CvcError(
            'broken-chain',
            `terminal certificate ${c.chr} names ${c.car}, not the DV ${dv.cert.chr}`,
          );
        verify(c, dv);
        checkDates(c);
        if (dv.cert.role === 'dv-domestic') advance(c.effectiveDate); // accurate terminal certificate
        terminal = c;
        break;
      }
    }
  }
  if (!terminal || !dv || !dvIssuer)
    throw new CvcError('broken-chain', 'the chain does not end in a terminal certificate');

  let chat = terminal.chat.intersect(dv.cert.chat, 'terminal').intersect(dvIssuer.cert.chat, 'terminal');
  if (opts.confinedChat) {
    if (opts.confinedChat.terminalType !== terminal.chat.terminalType) {
      throw new CvcError('terminal-type-mismatch', 'the CHAT of PACE names another terminal type');
    }
    chat = chat.intersect(opts.confinedChat, 'terminal');
  }
  return {
    terminal,
    dv: dv.cert,
    cvca: dvIssuer.cert,
    curve: dv.curve,
    terminalKey: terminal.keyObject(dv.curve),
    terminalHash: terminal.hash,
    effectiveChat: Chat.forRole('terminal', chat.bits(), chat.terminalType),
    currentDate: date,
    newTrustPoints,
  };
}
