/**
 * The checks an eID-Client MUST make as soon as it holds the eService
 * certificate (TR-03124-1 §2.7.3): the CertificateDescription matches the
 * hash in the certificate; every TLS server certificate seen so far is listed
 * in commCertificates; the TCToken URL and the subjectURL have the same origin.
 */
import { createHash } from 'node:crypto';
import { RESULT_MINOR } from '../paos/result.js';
import type { CvCertificate } from '../pki/cvc/certificate.js';
import {
  type CertificateDescription,
  decodeCertificateDescription,
} from '../pki/cvc/certificate-description.js';
import { ClientError } from './errors.js';
import { type SeenCertificate, sameOrigin } from './network.js';

export interface EserviceCertificates {
  readonly terminal: CvCertificate;
  readonly dv: CvCertificate;
  readonly description: CertificateDescription;
}

export function checkEserviceCertificates(
  certs: readonly CvCertificate[],
  descriptionDer: Buffer,
  tcTokenUrl: string,
  seen: readonly SeenCertificate[],
): EserviceCertificates {
  const terminals = certs.filter((c) => c.role === 'terminal');
  const dvs = certs.filter((c) => c.role === 'dv-domestic' || c.role === 'dv-foreign');
  if (terminals.length !== 1 || dvs.length !== 1) {
    throw new ClientError(
      'clientError',
      'EAC1 must carry exactly one terminal and one DV certificate',
      RESULT_MINOR.invalidCertificatePath,
    );
  }
  const terminal = terminals[0]!;
  const dv = dvs[0]!;
  if (terminal.car !== dv.chr)
    throw new ClientError(
      'clientError',
      'the terminal certificate is not issued by the DV certificate',
      RESULT_MINOR.invalidCertificatePath,
    );
  // The hash of the algorithm that signed the terminal certificate, i.e. the DV's (TR-03110-4 §2.2.6).
  const hash = dv.hash;
  const expected = terminal.descriptionHash;
  if (!expected || !createHash(hash).update(descriptionDer).digest().equals(expected)) {
    throw new ClientError(
      'clientError',
      'the CertificateDescription does not match the eService certificate',
      RESULT_MINOR.parameterError,
    );
  }
  let description: CertificateDescription;
  try {
    description = decodeCertificateDescription(descriptionDer);
  } catch (e) {
    throw new ClientError(
      'clientError',
      `unreadable CertificateDescription: ${(e as Error).message}`,
      RESULT_MINOR.parameterError,
    );
  }
  if (!description.subjectUrl || !sameOrigin(description.subjectUrl, tcTokenUrl)) {
    throw new ClientError(
      'clientError',
      `the TCToken URL is not of the eService's origin ${description.subjectUrl ?? '(none)'}`,
      RESULT_MINOR.parameterError,
    );
  }
  const listed = (description.commCertificates ?? []).map((h) => h.toString('hex'));
  for (const s of seen) {
    const h = createHash(hash).update(s.der).digest('hex');
    if (!listed.includes(h)) {
      throw new ClientError(
        'trustedChannelEstablishmentFailed',
        `the TLS certificate of ${s.origin} is not listed in the eService's CertificateDescription`,
        RESULT_MINOR.trustedChannelEstablishmentFailed,
      );
    }
  }
  return { terminal, dv, description };
}

/** Re-checks a TLS certificate seen later (refresh URL hops) against the description. */
export function isListed(
  description: CertificateDescription,
  hash: 'sha256' | 'sha384' | 'sha512',
  der: Buffer,
): boolean {
  const h = createHash(hash).update(der).digest('hex');
  return (description.commCertificates ?? []).some((c) => c.toString('hex') === h);
}
