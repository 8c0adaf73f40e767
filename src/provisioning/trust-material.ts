/**
 * The trust material the server publishes for Open API verifiers
 * (docs/open-api.md §3): the CSCA Master List, the CSCA's CRL and the public
 * card revocation list, read from the PKI directory. Each file is verified
 * before it is published (a broken file is not served: the last good copy
 * stays), and reloaded when it changes on disk (`neid revocation add`, a new
 * CRL). Nothing here is secret and nothing depends on a request: the bytes,
 * their hash (the ETag) and their validity are computed once per file version.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PKI_FILES, TRUST_DOCUMENTS, type TrustDocumentName } from '../pki/layout.js';
import { verifyPublicCardRevocationList } from '../pki/revocation/public-card-revocation-list.js';
import { parseCrl, verifyCrl } from '../pki/x509/crl.js';
import { verifyMasterList } from '../pki/x509/master-list.js';

export interface PublishedDocument {
  readonly name: TrustDocumentName;
  readonly kind: 'csca-master-list' | 'crl' | 'public-card-revocation-list';
  readonly mediaType: string;
  readonly bytes: Buffer;
  /** SHA-256 of the bytes, hex. */
  readonly sha256: string;
  /** Strong entity tag (RFC 9110 §8.8.3) from the SHA-256. */
  readonly etag: string;
  readonly lastModified: Date;
  /** What the document says about itself, as the index shows it (all from signed content). */
  readonly details: Readonly<Record<string, unknown>>;
}

/** The logger calls this needs (pino's Logger fits). */
export interface TrustMaterialLog {
  info(o: object, m: string): void;
  warn(o: object, m: string): void;
  error(o: object, m: string): void;
}

const FILES: Record<TrustDocumentName, string> = {
  [TRUST_DOCUMENTS.masterList]: PKI_FILES.masterList,
  [TRUST_DOCUMENTS.crl]: PKI_FILES.cscaCrl,
  [TRUST_DOCUMENTS.cardRevocation]: PKI_FILES.publicCardRevocationList,
};

const iso = (d: Date | undefined) => d?.toISOString();

function describeCert(der: Buffer) {
  const c = new X509Certificate(der);
  return {
    subject: c.subject.replace(/\n/g, ', '),
    sha256: createHash('sha256').update(der).digest('hex'),
    notBefore: new Date(c.validFrom).toISOString(),
    notAfter: new Date(c.validTo).toISOString(),
  };
}

export class TrustMaterial {
  private readonly docs = new Map<TrustDocumentName, { doc: PublishedDocument; mtime: number }>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dir: string,
    /** The CSCA certificates of the PKI: the list must be signed under one of them. */
    private readonly cscaCerts: readonly Buffer[],
    private readonly log: TrustMaterialLog,
  ) {
    this.reload();
  }

  /** Verifies and takes every file that changed; a file that fails keeps its last good version. */
  reload(now = new Date()): void {
    for (const name of Object.values(TRUST_DOCUMENTS)) {
      const file = join(this.dir, FILES[name]);
      let mtime: number;
      try {
        mtime = statSync(file).mtimeMs;
      } catch {
        if (!this.docs.has(name)) this.log.warn({ file }, 'trust material missing; not published');
        continue;
      }
      if (this.docs.get(name)?.mtime === mtime) continue;
      try {
        const doc = this.load(name, readFileSync(file), new Date(mtime), now);
        this.docs.set(name, { doc, mtime });
        const next = doc.details.nextUpdate as string | undefined;
        if (next && Date.parse(next) < now.getTime())
          this.log.warn(
            { document: name, nextUpdate: next },
            'published trust material is past its next update',
          );
        else this.log.info({ document: name, sha256: doc.sha256 }, 'trust material published');
      } catch (e) {
        this.log.error(
          { document: name, err: (e as Error).message },
          'trust material rejected; not published',
        );
      }
    }
  }

  private load(name: TrustDocumentName, bytes: Buffer, lastModified: Date, now: Date): PublishedDocument {
    const sha256 = createHash('sha256').update(bytes).digest();
    const base = {
      name,
      bytes,
      sha256: sha256.toString('hex'),
      etag: `"${sha256.toString('base64url')}"`,
      lastModified,
    };
    if (name === TRUST_DOCUMENTS.masterList) {
      // Validated as a verifier will: the signer chains to a CSCA of the PKI and is not on its current CRL.
      const crl = readFileSync(join(this.dir, PKI_FILES.cscaCrl));
      const ml = verifyMasterList(bytes, { anchors: this.cscaCerts, crls: [crl], at: now });
      return {
        ...base,
        kind: 'csca-master-list',
        mediaType: 'application/cms',
        details: {
          signedAt: iso(ml.signingTime),
          signer: ml.signer.subject.replace(/\n/g, ', '),
          signerNotAfter: new Date(ml.signer.validTo).toISOString(),
          cscas: ml.cscaCerts.map(describeCert),
        },
      };
    }
    if (name === TRUST_DOCUMENTS.crl) {
      const crl = parseCrl(bytes);
      const issuer = this.cscaCerts.find((c) => verifyCrl(crl, c));
      if (!issuer) throw new Error('the CRL is not issued and signed by a CSCA of the PKI');
      return {
        ...base,
        kind: 'crl',
        mediaType: 'application/pkix-crl',
        details: {
          issuer: new X509Certificate(issuer).subject.replace(/\n/g, ', '),
          thisUpdate: iso(crl.thisUpdate),
          nextUpdate: iso(crl.nextUpdate),
          crlNumber: crl.crlNumber?.toString(),
          revokedCertificates: crl.revokedSerials.size,
        },
      };
    }
    const list = verifyPublicCardRevocationList(bytes, this.cscaCerts);
    return {
      ...base,
      kind: 'public-card-revocation-list',
      mediaType: 'application/cms',
      details: {
        thisUpdate: iso(list.thisUpdate),
        nextUpdate: iso(list.nextUpdate),
        revokedCards: list.revoked.length,
      },
    };
  }

  get(name: string): PublishedDocument | undefined {
    return this.docs.get(name as TrustDocumentName)?.doc;
  }

  /** Every published document, in a fixed order. */
  all(): PublishedDocument[] {
    return Object.values(TRUST_DOCUMENTS)
      .map((n) => this.docs.get(n)?.doc)
      .filter((d): d is PublishedDocument => d !== undefined);
  }

  watch(intervalMs = 30_000): void {
    this.timer = setInterval(() => this.reload(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
