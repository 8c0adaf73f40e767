/**
 * Issuing the EAC PKI of TR-03110-3 §2 / TR-03129: CVCA (self-signed, with
 * domain parameters), CVCA link certificates, DV and terminal certificates.
 * Used by `neid pki init` for the test PKI; a production deployment receives
 * its DV and terminal certificates from the Ministry's CVCA instead.
 */
import type { KeyObject } from 'node:crypto';
import { createHash } from 'node:crypto';
import { OID } from '../../asn1/oids.js';
import type { Curve, HashName } from '../../crypto/curves.js';
import { type EcKeyPair, generateEcKeyPair } from '../../crypto/keys.js';
import { CvCertificate, issueCvCertificate } from './certificate.js';
import { Chat, type Role } from './chat.js';
import { addDays } from './dates.js';
import { encodeExtension } from './extensions.js';
import { encodeCvPublicKey } from './public-key.js';

export interface IssuedCv {
  readonly cert: CvCertificate;
  readonly key: EcKeyPair;
}

/** Every Authentication Terminal right of TR-03110-4 table 4 (bits 0-29 and 32-37). */
export function allAtBits(): number[] {
  const bits: number[] = [];
  for (let i = 0; i <= 29; i++) bits.push(i);
  for (let i = 32; i <= 37; i++) bits.push(i);
  return bits;
}

export function issueCvca(opts: {
  curve: Curve;
  chr: string;
  effectiveDate: string;
  validityDays: number;
  key?: EcKeyPair;
}): IssuedCv {
  const key = opts.key ?? generateEcKeyPair(opts.curve);
  const cert = issueCvCertificate(
    {
      car: opts.chr,
      chr: opts.chr,
      chat: Chat.forRole('cvca', allAtBits()),
      effectiveDate: opts.effectiveDate,
      expirationDate: addDays(opts.effectiveDate, opts.validityDays),
      holderKey: key.publicKey,
      withDomainParameters: true,
    },
    key.privateKey,
  );
  return { cert, key };
}

/** A CVCA link certificate: the new CVCA key, signed by the previous one (§2.4). */
export function issueCvcaLink(previous: IssuedCv, next: IssuedCv): CvCertificate {
  return issueCvCertificate(
    {
      car: previous.cert.chr,
      chr: next.cert.chr,
      chat: next.cert.chat,
      effectiveDate: next.cert.effectiveDate,
      expirationDate: next.cert.expirationDate,
      holderKey: next.key.publicKey,
      withDomainParameters: true,
    },
    previous.key.privateKey,
    previous.cert.hash,
  );
}

export interface SubordinateOptions {
  readonly role: Exclude<Role, 'cvca'>;
  readonly chr: string;
  readonly chat: Chat;
  readonly effectiveDate: string;
  readonly validityDays: number;
  readonly curve: Curve;
  readonly key?: EcKeyPair;
  readonly descriptionHash?: Buffer;
  readonly sectorKeyHash?: Buffer;
}

export function issueSubordinate(
  issuer: { cert: CvCertificate; key: KeyObject },
  opts: SubordinateOptions,
): IssuedCv {
  const key = opts.key ?? generateEcKeyPair(opts.curve);
  return { cert: issueSubordinateCertificate(issuer, opts, key.publicKey), key };
}

/**
 * A DV or terminal certificate for a holder key whose private half the issuer
 * never sees (a terminal key generated in a PKCS#11 token).
 */
export function issueSubordinateCertificate(
  issuer: { cert: CvCertificate; key: KeyObject },
  opts: Omit<SubordinateOptions, 'key'>,
  holderKey: KeyObject,
): CvCertificate {
  const chat = Chat.forRole(opts.role, opts.chat.bits(), opts.chat.terminalType);
  return issueCvCertificate(
    {
      car: issuer.cert.chr,
      chr: opts.chr,
      chat,
      effectiveDate: opts.effectiveDate,
      expirationDate: addDays(opts.effectiveDate, opts.validityDays),
      holderKey,
      withDomainParameters: false,
      ...(opts.descriptionHash ? { descriptionHash: opts.descriptionHash } : {}),
      ...(opts.sectorKeyHash
        ? { extraExtensions: [encodeExtension(OID.idSector, [{ tag: 0x80, value: opts.sectorKeyHash }])] }
        : {}),
    },
    issuer.key,
    issuer.cert.hash,
  );
}

/**
 * The sector public key data object for Restricted Identification
 * (TR-03110-3 A.2.1.1, D.3.3): 7F49 with id-RI-ECDH-SHA-256, the domain
 * parameters and the point. Its SHA-256 goes into the id-sector extension.
 */
export function sectorPublicKeyObject(curve: Curve, point: Buffer): Buffer {
  return encodeCvPublicKey(OID.idRiEcdhSha256, curve, point, true);
}

/** The id-sector hash uses the hash of the terminal certificate's signature algorithm (TR-03110-3 C.3.2.1). */
export function sectorKeyHash(curve: Curve, point: Buffer, hash: HashName = curve.hash): Buffer {
  return createHash(hash).update(sectorPublicKeyObject(curve, point)).digest();
}

export { CvCertificate };
