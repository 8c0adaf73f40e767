/**
 * The eServices allowed on the SOAP listener (TR-03130-1 §3.5): each is
 * identified by its registered TLS client certificate — by exact match of
 * the certificate (SHA-256 of its DER), never by name — and verified with
 * its registered signing certificate (the client certificate unless
 * `soap.signingCertificate` is given). The client certificates are also the
 * TLS trust anchors of the listener, so an unknown certificate fails the
 * handshake.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { EService, Registry } from '../../config/relying-parties.js';

export interface SoapClient {
  readonly eService: EService;
  readonly clientCertPem: string;
  /** PEM of the certificate that verifies the eService's WS-Security signatures. */
  readonly signingCertPem: string;
}

export class SoapClientError extends Error {
  override readonly name = 'SoapClientError';
}

const fingerprint = (der: Buffer) => createHash('sha256').update(der).digest('hex');

/** The SHA-256 fingerprint of a certificate (DER) in hex, for log lines. */
export const certificateFingerprint = (der: Buffer): string => fingerprint(der);

function readCertificate(file: string, what: string): X509Certificate {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SoapClientError(`${what} ${file} is missing or unreadable: ${(e as Error).message}`);
  }
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0];
  if (!pem) throw new SoapClientError(`${what} ${file} holds no PEM certificate`);
  try {
    return new X509Certificate(pem);
  } catch (e) {
    throw new SoapClientError(`${what} ${file} is not a certificate: ${(e as Error).message}`);
  }
}

export class SoapClients {
  private readonly byFingerprint = new Map<string, SoapClient>();

  /**
   * Loads every eService with a `soap:` section. An eService whose
   * certificates cannot be read is left out (reported through `problems`),
   * so one broken entry does not take the interface down for the others.
   */
  constructor(registry: Registry, problems: (eServiceId: string, message: string) => void = () => {}) {
    for (const es of registry.eServices) {
      if (!es.soap) continue;
      try {
        const client = readCertificate(es.soap.clientCertificate, 'soap.clientCertificate');
        const signing = es.soap.signingCertificate
          ? readCertificate(es.soap.signingCertificate, 'soap.signingCertificate')
          : client;
        const fp = fingerprint(client.raw);
        const other = this.byFingerprint.get(fp);
        if (other)
          throw new SoapClientError(`its client certificate is also registered for ${other.eService.id}`);
        this.byFingerprint.set(fp, {
          eService: es,
          clientCertPem: client.toString(),
          signingCertPem: signing.toString(),
        });
      } catch (e) {
        problems(es.id, (e as Error).message);
      }
    }
  }

  get size(): number {
    return this.byFingerprint.size;
  }

  /** The TLS trust anchors: exactly the registered client certificates. */
  get trustAnchors(): string[] {
    return [...this.byFingerprint.values()].map((c) => c.clientCertPem);
  }

  /** The eService whose registered client certificate is exactly `der`. */
  byCertificate(der: Buffer | undefined): SoapClient | undefined {
    return der?.length ? this.byFingerprint.get(fingerprint(der)) : undefined;
  }
}
