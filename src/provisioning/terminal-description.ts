/**
 * The CertificateDescription of an eService's terminal certificate
 * (TR-03110-4 §2.2.6): who reads (the eService), for what, which fields, and
 * the hashes of the TLS certificates the eID-Client may meet
 * (commCertificates). Its hash goes into the certificate's id-description
 * extension. Used by the test PKI and by the registry's approvals.
 */
import { createHash } from 'node:crypto';
import type { LocalizedText } from '../config/relying-parties.js';
import type { HashName } from '../crypto/curves.js';
import {
  type CertificateDescription,
  encodeCertificateDescription,
} from '../pki/cvc/certificate-description.js';
import { type FieldId, fieldDef } from '../profile/fields.js';

export const ISSUER_NAME = '內政部 (測試) Ministry of the Interior (TEST)';
export const ISSUER_URL = 'https://www.moi.gov.tw/';

export interface DescribedEService {
  readonly displayName: LocalizedText;
  readonly purpose: LocalizedText;
  readonly approvedFields: readonly FieldId[];
  /** An eService serving its own TC Token (SOAP) has its own origin. */
  readonly terminalSubjectUrl?: string;
}

/** Terms of usage shown by eID-Clients before PIN entry (TR-03110-4 §2.2.6.1). */
export function termsOfUsage(es: DescribedEService): string {
  const fields = es.approvedFields.map((f) => `${fieldDef(f).label.zh} ${fieldDef(f).label.en}`).join('\n');
  return [
    `服務提供者 Service provider: ${es.displayName.zh} / ${es.displayName.en}`,
    `目的 Purpose: ${es.purpose.zh} / ${es.purpose.en}`,
    `核准欄位 Approved fields:\n${fields || '-'}`,
    'N_eID-Server 不留存讀取之個人資料；資料僅交付予上述服務提供者。',
    'The N_eID-Server keeps no personal data it reads; it is released only to the service provider above.',
  ].join('\n\n');
}

/** The encoded CertificateDescription; `commCertificates` are DER certificates, hashed with `hash`. */
export function terminalDescription(
  es: DescribedEService,
  o: { readonly serverUrl: string; readonly commCertificates: readonly Buffer[]; readonly hash: HashName },
): Buffer {
  const description: CertificateDescription = {
    issuerName: ISSUER_NAME,
    issuerUrl: ISSUER_URL,
    subjectName: `${es.displayName.zh} ${es.displayName.en}`,
    subjectUrl: es.terminalSubjectUrl ?? o.serverUrl,
    termsOfUsage: termsOfUsage(es),
    commCertificates: o.commCertificates.map((c) => createHash(o.hash).update(c).digest()),
  };
  return encodeCertificateDescription(description);
}
