/**
 * The eServices allowed on the SOAP listener (TR-03130-1 §3.5): each is
 * identified by a registered TLS client certificate — by exact match of the
 * certificate (SHA-256 of its DER), never by name — and verified with a
 * registered WS-Security signing certificate. An eService may register
 * several of each at once (the registry database holds them), so a rollover
 * adds the new certificate before the old one goes; from files
 * (`soap.clientCertificate`, `soap.signingCertificate`) there is one of each.
 * A certificate counts only within its validity, checked on every request.
 * The client certificates are also the TLS trust anchors of the listener, so
 * an unknown certificate fails the handshake.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { SoapCertificateEntry } from '../../config/eservice/soap.js';
import type { EService, Registry } from '../../config/relying-parties.js';

export interface SoapClient {
  readonly eService: EService;
  /** The registered client certificate the connection presented. */
  readonly clientCert: X509Certificate;
  readonly clientCertPem: string;
  /** Every registered signing certificate of the eService (valid or not: `validSigning` filters). */
  readonly signingCerts: readonly X509Certificate[];
  /** PEM of the first signing certificate (one-certificate registrations). */
  readonly signingCertPem: string;
}

export class SoapClientError extends Error {
  override readonly name = 'SoapClientError';
}

const fingerprint = (der: Buffer) => createHash('sha256').update(der).digest('hex');

/** The SHA-256 fingerprint of a certificate (DER) in hex, for log lines. */
export const certificateFingerprint = (der: Buffer): string => fingerprint(der);
/** Whether `c` is valid at `now` (notBefore ≤ now ≤ notAfter). */
export const validAt = (c: X509Certificate, now: number): boolean =>
  Date.parse(c.validFrom) <= now && now <= Date.parse(c.validTo);

function readCertificate(file: string, what: string): X509Certificate {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SoapClientError(`${what} ${file} is missing or unreadable: ${(e as Error).message}`);
  }
  return parseCertificate(text, `${what} ${file}`);
}

function parseCertificate(text: string, what: string): X509Certificate {
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0];
  if (!pem) throw new SoapClientError(`${what} holds no PEM certificate`);
  try {
    return new X509Certificate(pem);
  } catch (e) {
    throw new SoapClientError(`${what} is not a certificate: ${(e as Error).message}`);
  }
}

/** The registered certificates of `es`: from the registry database, else from the configured files. */
function certificatesOf(es: EService): { tls: X509Certificate[]; signing: X509Certificate[] } {
  const soap = es.soap!;
  if (soap.certificates) {
    const of = (usage: SoapCertificateEntry['usage']) =>
      soap
        .certificates!.filter((c) => c.usage === usage)
        .map((c) => parseCertificate(c.pem, `${usage} certificate`));
    return { tls: of('tls-client'), signing: of('signing') };
  }
  const client = readCertificate(soap.clientCertificate, 'soap.clientCertificate');
  const signing = soap.signingCertificate
    ? readCertificate(soap.signingCertificate, 'soap.signingCertificate')
    : client;
  return { tls: [client], signing: [signing] };
}

export class SoapClients {
  private byFingerprint = new Map<string, SoapClient>();

  /**
   * Loads every eService with a `soap:` section. An eService whose
   * certificates cannot be read is left out (reported through `problems`),
   * so one broken entry does not take the interface down for the others.
   */
  constructor(
    registry: Registry,
    private readonly problems: (eServiceId: string, message: string) => void = () => {},
  ) {
    this.load(registry);
  }

  /** Rebuilds the table from the registry (after a live registry change). */
  load(registry: Registry): void {
    const table = new Map<string, SoapClient>();
    for (const es of registry.eServices) {
      if (!es.soap) continue;
      try {
        const { tls, signing } = certificatesOf(es);
        if (tls.length === 0) throw new SoapClientError('no TLS client certificate is registered');
        if (signing.length === 0)
          throw new SoapClientError('no WS-Security signing certificate is registered');
        for (const client of tls) {
          const fp = fingerprint(client.raw);
          const other = table.get(fp);
          if (other)
            throw new SoapClientError(`its client certificate is also registered for ${other.eService.id}`);
          table.set(fp, {
            eService: es,
            clientCert: client,
            clientCertPem: client.toString(),
            signingCerts: signing,
            signingCertPem: signing[0]!.toString(),
          });
        }
      } catch (e) {
        this.problems(es.id, (e as Error).message);
      }
    }
    this.byFingerprint = table;
  }

  get size(): number {
    return this.byFingerprint.size;
  }

  /** The TLS trust anchors: exactly the registered client certificates. */
  get trustAnchors(): string[] {
    return [...this.byFingerprint.values()].map((c) => c.clientCertPem);
  }

  /**
   * The registered certificates' expiries (metrics, the console's dashboard): each eService's client
   * certificates (`soap-client`) and its signing certificates other than those (`soap-signing`);
   * a second one of a kind, during a rollover, is named `<eService>/<n>`.
   */
  expiries(): { kind: string; name: string; notAfter: Date }[] {
    const out: { kind: string; name: string; notAfter: Date }[] = [];
    const count = new Map<string, number>();
    const add = (kind: string, id: string, c: X509Certificate) => {
      const n = count.get(`${kind} ${id}`) ?? 0;
      count.set(`${kind} ${id}`, n + 1);
      out.push({ kind, name: n ? `${id}/${n}` : id, notAfter: new Date(c.validTo) });
    };
    const signingSeen = new Set<string>();
    const clients = [...this.byFingerprint.values()];
    for (const c of clients) add('soap-client', c.eService.id, c.clientCert);
    for (const c of clients) {
      if (signingSeen.has(c.eService.id)) continue;
      signingSeen.add(c.eService.id);
      const tls = clients.filter((o) => o.eService === c.eService).map((o) => o.clientCert);
      for (const sc of c.signingCerts)
        if (!tls.some((t) => t.raw.equals(sc.raw))) add('soap-signing', c.eService.id, sc);
    }
    return out;
  }

  /** The eService whose registered client certificate is exactly `der`. */
  byCertificate(der: Buffer | undefined): SoapClient | undefined {
    return der?.length ? this.byFingerprint.get(fingerprint(der)) : undefined;
  }

  /** The signing certificates of `client` valid at `now` (PEM), newest expiry first. */
  static validSigning(client: SoapClient, now = Date.now()): string[] {
    return client.signingCerts
      .filter((c) => validAt(c, now))
      .sort((a, b) => Date.parse(b.validTo) - Date.parse(a.validTo))
      .map((c) => c.toString());
  }
}
