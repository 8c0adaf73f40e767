/**
 * Loading the PKI directory once at start-up into parsed, immutable material:
 * certificate chains, descriptions, keys and the derived per-sector
 * revocation blacklists are computed here and cached for the process's life.
 */
import type { KeyObject } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Registry } from '../config/relying-parties.js';
import { type Curve, curveByName } from '../crypto/curves.js';
import { curveOfKey, loadPrivateKey, publicPointOf } from '../crypto/keys.js';
import type { SigningKey } from '../crypto/signing-key.js';
import { CvCertificate } from '../pki/cvc/certificate.js';
import { decodeCertificateDescription } from '../pki/cvc/certificate-description.js';
import { CvcError } from '../pki/cvc/errors.js';
import { sectorPublicKeyObject } from '../pki/cvc/issue.js';
import { type LinkChain, linkChain } from '../pki/cvc/links.js';
import { PKI_FILES, type PkiManifest, terminalFiles } from '../pki/layout.js';
import { derFromPem } from '../pki/x509/pem.js';
import { fileKeySource, type KeySource } from './keys/source.js';

export class PkiError extends Error {
  override readonly name = 'PkiError';
}

export interface TerminalMaterial {
  readonly eServiceId: string;
  readonly cert: CvCertificate;
  /** The terminal (TA) key: a PEM file or a key in the PKCS#11 token (keys/source.ts). */
  readonly key: SigningKey;
  /** The encoded CertificateDescription sent in EAC1 (its hash is in `cert`). */
  readonly description: Buffer;
  readonly sectorKey: KeyObject;
  /** The sector public key data object for Restricted Identification. */
  readonly sectorPublicKey: Buffer;
  /**
   * A terminal of the test environment (an eService in its test phase): its DV and the CVCA test
   * cards trust, instead of the server's DV, CVCA and link certificates. Absent: production.
   */
  readonly testEnvironment?: { readonly dv: CvCertificate; readonly cvcaChr: string };
}

export interface PkiMaterial {
  readonly dir: string;
  readonly manifest: PkiManifest;
  /** Where the signing keys come from (terminal keys above; SAML and SOAP signing keys at mount). */
  readonly keys: KeySource;
  /** The current CVCA: the DV certificate is issued by it. */
  readonly cvca: CvCertificate;
  /** CVCA link certificates leading to `cvca`, newest first (sent to every eID-Client, TR-03112-7 §3.6.4.1). */
  readonly links: readonly CvCertificate[];
  /** CHRs of the CVCAs a card may trust: the current one and its predecessors reachable by `links`. */
  readonly trustedCars: ReadonlySet<string>;
  readonly dv: CvCertificate;
  readonly terminals: ReadonlyMap<string, TerminalMaterial>;
  readonly cscaCerts: readonly Buffer[];
  readonly crls: readonly Buffer[];
  readonly cardRevocationList: Buffer;
  /** RSA TLS key and certificate (PEM); `ec`: the optional ECDSA pair the web listener offers too. */
  readonly tls: {
    readonly key: string;
    readonly cert: string;
    readonly certDer: Buffer;
    readonly ec?: { readonly key: string; readonly cert: string };
  };
}

export const pkiExists = (dir: string): boolean => existsSync(join(dir, PKI_FILES.manifest));

export function loadPki(dir: string, registry: Registry, keys: KeySource = fileKeySource(dir)): PkiMaterial {
  const read = (rel: string) => {
    try {
      return readFileSync(join(dir, rel));
    } catch (e) {
      throw new PkiError(`PKI file ${join(dir, rel)} is missing or unreadable: ${(e as Error).message}`);
    }
  };
  const manifest = JSON.parse(read(PKI_FILES.manifest).toString('utf8')) as PkiManifest;
  const cvca = CvCertificate.decode(read(PKI_FILES.cvcaCert));
  // Terminal certificates carry no domain parameters: the chain uses the CVCA's (TR-03110-3 §2.3).
  const curve = cvca.publicKey.curve ?? curveByName(manifest.curve);
  const chain = loadLinks(dir, cvca, curve, read);
  const terminals = new Map<string, TerminalMaterial>();
  for (const es of registry.eServices) {
    const f = terminalFiles(es.id);
    if (!existsSync(join(dir, f.cert))) {
      throw new PkiError(
        `no terminal certificate for eService ${es.id} in ${dir}; run "neid pki init" or add one`,
      );
    }
    const cert = CvCertificate.decode(read(f.cert));
    const description = read(f.description);
    decodeCertificateDescription(description);
    const sectorKey = loadPrivateKey(read(f.sectorKey).toString());
    terminals.set(es.id, {
      eServiceId: es.id,
      cert,
      key: keys.signingKey({ terminal: es.id }, cert.keyObject(curve)),
      description,
      sectorKey,
      sectorPublicKey: sectorPublicKeyObject(curveOfKey(sectorKey), publicPointOf(sectorKey)),
    });
  }
  const tlsCert = read(PKI_FILES.tlsCert).toString();
  return {
    dir,
    manifest,
    keys,
    cvca,
    links: chain.links,
    trustedCars: chain.trustedCars,
    dv: CvCertificate.decode(read(PKI_FILES.dvCert)),
    terminals,
    cscaCerts: [derFromPem(read(PKI_FILES.cscaCert).toString())],
    crls: [read(PKI_FILES.cscaCrl)],
    cardRevocationList: read(PKI_FILES.cardRevocationList),
    tls: {
      key: read(PKI_FILES.tlsKey).toString(),
      cert: tlsCert,
      certDer: derFromPem(tlsCert),
      ...(existsSync(join(dir, PKI_FILES.tlsEcCert))
        ? { ec: { key: read(PKI_FILES.tlsEcKey).toString(), cert: read(PKI_FILES.tlsEcCert).toString() } }
        : {}),
    },
  };
}

/** The link certificates of `eac/links/` (PKI_FILES.cvcaLinksDir), checked to lead to the current CVCA. */
function loadLinks(dir: string, cvca: CvCertificate, curve: Curve, read: (rel: string) => Buffer): LinkChain {
  const linksDir = join(dir, PKI_FILES.cvcaLinksDir);
  const names = existsSync(linksDir) ? readdirSync(linksDir).filter((f) => f.endsWith('.cvcert')) : [];
  const certs = names.sort().map((f) => {
    try {
      return CvCertificate.decode(read(join(PKI_FILES.cvcaLinksDir, f)));
    } catch (e) {
      throw new PkiError(`link certificate ${join(linksDir, f)}: ${(e as Error).message}`);
    }
  });
  try {
    return linkChain(cvca, certs, curve);
  } catch (e) {
    if (e instanceof CvcError) throw new PkiError(`link certificates in ${linksDir}: ${e.message}`);
    throw e;
  }
}
