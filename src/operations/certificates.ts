/**
 * The certificates whose expiry the metrics and the admin console's dashboard watch
 * (neid_certificate_expiry_seconds) and the ages of the CSCA CRLs. The PKI directory's own
 * certificates (CVCA, DV, TLS, SAML signing and encryption, SOAP signing, CSCA, the OIDC keys that
 * carry a certificate — `x5c`; plain JWKs have none) are read once: they change only with a
 * restart. The terminal certificates are read from the live registry at each look, and front-ends
 * add sources of their own that are read the same way (the SOAP eServices' client and signing
 * certificates, the SAML SPs' certificates), so an approval, a renewal or a rollover shows at once.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CvCertificate } from '../pki/cvc/certificate.js';
import { validUntil } from '../pki/cvc/dates.js';
import { PKI_FILES } from '../pki/layout.js';
import { parseCertificate } from '../pki/x509/certificate-parser.js';
import { parseCrl } from '../pki/x509/crl.js';
import type { PkiMaterial, TerminalMaterial } from '../provisioning/store.js';
import type { CertificateExpiry } from './metrics.js';

/** A CV certificate is valid through its expiration date (TR-03110-3 §2.5): until the end of that day, UTC. */
export const cvExpiry = (c: CvCertificate): Date => validUntil(c.expirationDate);

/** notAfter of the first certificate of a PEM or DER file; undefined when the file is absent or unreadable. */
export function x509Expiry(file: string): Date | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return new Date(new X509Certificate(readFileSync(file)).validTo);
  } catch {
    return undefined;
  }
}

const X509_FILES: readonly (readonly [string, string, string])[] = [
  ['tls', 'rsa', PKI_FILES.tlsCert],
  ['tls', 'ec', PKI_FILES.tlsEcCert],
  ['saml', 'signing-ec', PKI_FILES.samlSigningEcCert],
  ['saml', 'signing-rsa', PKI_FILES.samlSigningRsaCert],
  ['saml', 'encryption', PKI_FILES.samlEncryptionCert],
  ['soap', 'signing', PKI_FILES.soapSigningCert],
  ['csca', 'csca', PKI_FILES.cscaCert],
];

/** The PKI directory's certificates: read once (they change only with a restart). */
export function pkiCertificates(pki: PkiMaterial): CertificateExpiry[] {
  const out: CertificateExpiry[] = [
    { kind: 'cvca', name: pki.cvca.chr, notAfter: cvExpiry(pki.cvca) },
    { kind: 'dv', name: pki.dv.chr, notAfter: cvExpiry(pki.dv) },
  ];
  for (const [kind, name, file] of X509_FILES) {
    const notAfter = x509Expiry(join(pki.dir, file));
    if (notAfter) out.push({ kind, name, notAfter });
  }
  out.push(...oidcCertificates(join(pki.dir, PKI_FILES.oidcJwks)));
  return out;
}

/** Every watched certificate: the directory's, the live terminal certificates, and what the sources add. */
export class CertificateWatch {
  private readonly sources: (() => readonly CertificateExpiry[])[] = [];

  constructor(
    private readonly fixed: readonly CertificateExpiry[],
    private readonly terminals: ReadonlyMap<string, TerminalMaterial>,
  ) {}

  /** Adds a source read at each look (a front-end's registered certificates). */
  add(source: () => readonly CertificateExpiry[]): void {
    this.sources.push(source);
  }

  all(): CertificateExpiry[] {
    return [
      ...this.fixed,
      ...[...this.terminals.values()].map((t) => ({
        kind: 'terminal',
        name: t.eServiceId,
        notAfter: cvExpiry(t.cert),
      })),
      ...this.sources.flatMap((source) => source()),
    ];
  }
}

/** OIDC signing keys with an X.509 certificate (`x5c`, RFC 7517 §4.7), by kid. */
function oidcCertificates(file: string): CertificateExpiry[] {
  if (!existsSync(file)) return [];
  try {
    const jwks = JSON.parse(readFileSync(file, 'utf8')) as { keys?: { kid?: string; x5c?: string[] }[] };
    return (jwks.keys ?? []).flatMap((k, i) =>
      k.x5c?.[0]
        ? [
            {
              kind: 'oidc',
              name: k.kid ?? String(i),
              notAfter: new Date(new X509Certificate(Buffer.from(k.x5c[0], 'base64')).validTo),
            },
          ]
        : [],
    );
  } catch {
    return [];
  }
}

/** thisUpdate of each CSCA CRL, labelled with the CN (else the subject) of the CSCA that issued it. */
export function crlUpdates(pki: PkiMaterial): { issuer: string; thisUpdate: Date }[] {
  const names = pki.cscaCerts.map((der) => ({
    subject: parseCertificate(der).subject,
    name: cnOf(new X509Certificate(der).subject),
  }));
  return pki.crls.flatMap((der, i) => {
    try {
      const crl = parseCrl(der);
      const issuer = names.find((n) => n.subject.equals(crl.issuerDer))?.name ?? `crl-${i}`;
      return [{ issuer, thisUpdate: crl.thisUpdate }];
    } catch {
      return [];
    }
  });
}

const cnOf = (subject: string): string => /(?:^|\n)CN=([^\n]+)/.exec(subject)?.[1] ?? subject.split('\n')[0]!;
