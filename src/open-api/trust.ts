/**
 * The verifier's trust material (docs/open-api.md §3): the CSCA Master List,
 * the CSCA CRL and the public card revocation list, from a directory or from
 * the server's /trust/ URL, verified against the anchors the eService pinned
 * out of band (a CSCA certificate, or its SHA-256).
 *
 * Building a `PublicTrust` verifies everything once: the Master List Signer
 * chains to an anchor and is not on the anchor's current CRL; the CSCAs to
 * trust are the ones in the list; the CRLs count only when a listed CSCA
 * signed them; the revocation list must be signed by a listed CSCA. Whether
 * the material is still current is judged at every verification
 * (`trustProblems`): past a document's nextUpdate, past the signer's
 * validity, or not confirmed by its source for `maxAgeSeconds`, it is stale,
 * and the verifier refuses (fail closed).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TRUST_DOCUMENTS } from '../pki/layout.js';
import { verifyPublicCardRevocationList } from '../pki/revocation/public-card-revocation-list.js';
import { parseCertificate } from '../pki/x509/certificate-parser.js';
import { parseCms } from '../pki/x509/cms-parser.js';
import { parseCrl } from '../pki/x509/crl.js';
import { decodeMasterList, verifyMasterList } from '../pki/x509/master-list.js';
import { PassiveAuthenticationContext } from '../pki/x509/passive-authentication.js';
import { derFromPem } from '../pki/x509/pem.js';
import { OpenApiError } from './errors.js';

/** A pinned CSCA: its certificate (DER), or `sha256:<hex>` of it. */
export type TrustAnchor = Buffer | string;

export interface TrustDocuments {
  readonly masterList: Buffer;
  readonly crls: readonly Buffer[];
  readonly cardRevocation: Buffer;
}

export interface PublicTrust {
  readonly source: string;
  /** When the source last confirmed this material (fetched, 304, or the directory's files written). */
  readonly confirmedAt: Date;
  /** 0: no limit beyond the documents' own validity. */
  readonly maxAgeSeconds: number;
  readonly cscaCerts: readonly Buffer[];
  readonly crls: readonly Buffer[];
  /** SHA-256 of revoked chips' Chip Authentication keys, hex. */
  readonly revokedChips: ReadonlySet<string>;
  readonly masterList: { readonly signedAt?: Date; readonly signer: string; readonly signerNotAfter: Date };
  readonly crlValidity: readonly {
    readonly issuer: string;
    readonly thisUpdate: Date;
    readonly nextUpdate?: Date;
  }[];
  readonly cardRevocation: { readonly thisUpdate: Date; readonly nextUpdate: Date; readonly revoked: number };
  readonly passiveAuth: PassiveAuthenticationContext;
}

const fail = (m: string): never => {
  throw new OpenApiError('trust-unavailable', m);
};

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Loads anchors from files (PEM or DER certificates) or `sha256:` fingerprints given on a command line. */
export function loadAnchor(spec: string): TrustAnchor {
  if (/^sha256:[0-9a-fA-F]{64}$/.test(spec)) return spec.toLowerCase();
  const raw = readFileSync(spec);
  return raw.includes('-----BEGIN') ? derFromPem(raw.toString('latin1')) : raw;
}

/** The anchor certificates: given ones, and for fingerprints the matching certificate of the (unverified) list. */
function resolveAnchors(anchors: readonly TrustAnchor[], masterList: Buffer): Buffer[] {
  if (anchors.length === 0) fail('no trust anchor: pin the Ministry’s CSCA (certificate or sha256:…)');
  const pins = anchors
    .filter((a): a is string => typeof a === 'string')
    .map((a) => a.slice('sha256:'.length));
  const out = anchors.filter((a): a is Buffer => Buffer.isBuffer(a));
  if (pins.length) {
    let candidates: Buffer[] = [];
    try {
      const cms = parseCms(masterList);
      candidates = [...cms.certificates, ...decodeMasterList(cms.content)];
    } catch (e) {
      fail(`the CSCA Master List is malformed: ${(e as Error).message}`);
    }
    for (const pin of pins) {
      const hit = candidates.find((c) => sha256(c) === pin);
      if (!hit) fail(`no certificate in the CSCA Master List has the pinned SHA-256 ${pin}`);
      out.push(hit!);
    }
  }
  return out;
}

/** Verifies the documents against the anchors at `at`; OpenApiError('trust-unavailable') when anything fails. */
export function buildTrust(
  docs: TrustDocuments,
  o: {
    anchors: readonly TrustAnchor[];
    source: string;
    confirmedAt: Date;
    maxAgeSeconds: number;
    at?: Date;
  },
): PublicTrust {
  const at = o.at ?? new Date();
  const anchors = resolveAnchors(o.anchors, docs.masterList);
  let ml: ReturnType<typeof verifyMasterList>;
  try {
    ml = verifyMasterList(docs.masterList, { anchors, crls: docs.crls, at });
  } catch (e) {
    return fail(`the CSCA Master List is not trusted: ${(e as Error).message}`);
  }
  const cscaCerts = ml.cscaCerts;
  const crlValidity = docs.crls.map((d) => {
    try {
      const crl = parseCrl(d);
      const issuer = cscaCerts.find((c) => parseCertificate(c).subject.equals(crl.issuerDer));
      return {
        issuer: issuer ? new X509Certificate(issuer).subject.replace(/\n/g, ', ') : '(unknown)',
        thisUpdate: crl.thisUpdate,
        ...(crl.nextUpdate ? { nextUpdate: crl.nextUpdate } : {}),
      };
    } catch (e) {
      return fail(`a CRL is malformed: ${(e as Error).message}`);
    }
  });
  let list: ReturnType<typeof verifyPublicCardRevocationList>;
  try {
    list = verifyPublicCardRevocationList(docs.cardRevocation, cscaCerts);
  } catch (e) {
    return fail(`the public card revocation list is not trusted: ${(e as Error).message}`);
  }
  return {
    source: o.source,
    confirmedAt: o.confirmedAt,
    maxAgeSeconds: o.maxAgeSeconds,
    cscaCerts,
    crls: docs.crls,
    revokedChips: new Set(list.revoked.map((r) => r.chipKeyHash.toString('hex'))),
    masterList: {
      ...(ml.signingTime ? { signedAt: ml.signingTime } : {}),
      signer: ml.signer.subject.replace(/\n/g, ', '),
      signerNotAfter: new Date(ml.signer.validTo),
    },
    crlValidity,
    cardRevocation: {
      thisUpdate: list.thisUpdate,
      nextUpdate: list.nextUpdate,
      revoked: list.revoked.length,
    },
    passiveAuth: new PassiveAuthenticationContext({ cscaCerts, crls: docs.crls }),
  };
}

/** Why the material is not current at `at` (empty: it is). */
export function trustProblems(t: PublicTrust, at: Date): string[] {
  const out: string[] = [];
  if (at > t.masterList.signerNotAfter)
    out.push(`the Master List Signer expired ${t.masterList.signerNotAfter.toISOString()}`);
  for (const c of t.crlValidity) {
    if (c.thisUpdate > at) out.push(`the CRL of ${c.issuer} is not yet valid`);
    if (c.nextUpdate && c.nextUpdate < at)
      out.push(`the CRL of ${c.issuer} was due for update ${c.nextUpdate.toISOString()}`);
  }
  const r = t.cardRevocation;
  if (r.thisUpdate > at) out.push('the card revocation list is not yet valid');
  if (r.nextUpdate < at)
    out.push(`the card revocation list was due for update ${r.nextUpdate.toISOString()}`);
  if (t.maxAgeSeconds > 0 && at.getTime() - t.confirmedAt.getTime() > t.maxAgeSeconds * 1000)
    out.push(
      `not confirmed by ${t.source} since ${t.confirmedAt.toISOString()} (max age ${t.maxAgeSeconds} s)`,
    );
  return out;
}

/** The documents of a trust directory (the file names of /trust/) and when they were written. */
export function readTrustDirectory(dir: string): { docs: TrustDocuments; writtenAt: Date } {
  const read = (name: string) => {
    try {
      return { bytes: readFileSync(join(dir, name)), mtime: statSync(join(dir, name)).mtime };
    } catch (e) {
      return fail(`${join(dir, name)}: ${(e as Error).message}`);
    }
  };
  const files = [TRUST_DOCUMENTS.masterList, TRUST_DOCUMENTS.crl, TRUST_DOCUMENTS.cardRevocation].map(read);
  const [ml, crl, rev] = files as [(typeof files)[0], (typeof files)[0], (typeof files)[0]];
  return {
    docs: { masterList: ml.bytes, crls: [crl.bytes], cardRevocation: rev.bytes },
    // The directory is as fresh as its oldest file.
    writtenAt: new Date(Math.min(...files.map((f) => f.mtime.getTime()))),
  };
}
