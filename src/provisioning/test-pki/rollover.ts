/**
 * `neid pki rollover`: a CVCA key rollover of a PKI directory (TR-03110-3
 * §2.4), as the Ministry's CVCA performs it in production:
 *
 * - a new CVCA key and self-signed certificate (the CHR's sequence number + 1);
 * - the link certificate — the new CVCA key certified by the previous one —
 *   written to `eac/links/<new CHR>.cvcert` (earlier links stay: the server
 *   sends the whole chain, TR-03112-7 §3.6.4.1);
 * - a new DV certificate issued by the new CVCA, and new terminal certificates
 *   issued by the new DV for the terminals' existing keys (PEM files or keys
 *   in a PKCS#11 token alike), CertificateDescriptions and sector keys.
 *
 * A card personalised under the previous CVCA then reaches the new one through
 * the link certificate and takes it as its new trust point; a card
 * personalised afterwards trusts the new CVCA directly. Restart the server (or
 * let it load the directory anew) afterwards.
 */
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Registry } from '../../config/relying-parties.js';
import { curveByName } from '../../crypto/curves.js';
import { loadPrivateKey, publicPointOf } from '../../crypto/keys.js';
import { CvCertificate } from '../../pki/cvc/certificate.js';
import { hashCertificateDescription } from '../../pki/cvc/certificate-description.js';
import { dateString } from '../../pki/cvc/dates.js';
import {
  issueCvca,
  issueCvcaLink,
  issueSubordinate,
  issueSubordinateCertificate,
  sectorKeyHash,
} from '../../pki/cvc/issue.js';
import { PKI_FILES, type PkiManifest, terminalFiles } from '../../pki/layout.js';
import { PkiError } from '../store.js';
import { PkiWriter } from './create.js';

export interface RolloverOptions {
  readonly dir: string;
  readonly registry: Registry;
  readonly now?: Date;
}

export interface RolloverResult {
  readonly previousCvca: string;
  readonly manifest: PkiManifest;
  /** Path of the new link certificate, relative to the PKI directory. */
  readonly link: string;
}

/** CHR with its 5-character sequence number incremented (TR-03110-3 A.6.1: country, mnemonic, sequence). */
export function nextChr(chr: string): string {
  const m = /^(.*?)(\d{5})$/.exec(chr);
  if (!m) throw new PkiError(`${chr}: the CHR does not end in a 5-digit sequence number`);
  const n = Number(m[2]) + 1;
  if (n > 99_999) throw new PkiError(`${chr}: the sequence number is exhausted`);
  return `${m[1]}${String(n).padStart(5, '0')}`;
}

export function rollOverCvca(o: RolloverOptions): RolloverResult {
  const read = (rel: string) => {
    try {
      return readFileSync(join(o.dir, rel));
    } catch (e) {
      throw new PkiError(`PKI file ${join(o.dir, rel)} is missing or unreadable: ${(e as Error).message}`);
    }
  };
  const today = dateString(o.now ?? new Date());
  const manifest = JSON.parse(read(PKI_FILES.manifest).toString('utf8')) as PkiManifest;
  const previous = CvCertificate.decode(read(PKI_FILES.cvcaCert));
  const curve = previous.publicKey.curve ?? curveByName(manifest.curve);
  const previousKey = loadPrivateKey(read(PKI_FILES.cvcaKey).toString('utf8'));
  const issued = {
    cert: previous,
    key: {
      curve,
      privateKey: previousKey,
      publicKey: createPublicKey(previousKey),
      publicPoint: publicPointOf(previousKey),
    },
  };
  const w = new PkiWriter(o.dir);

  const cvca = issueCvca({ curve, chr: nextChr(previous.chr), effectiveDate: today, validityDays: 3 * 365 });
  const link = `${PKI_FILES.cvcaLinksDir}/${cvca.cert.chr}.cvcert`;
  w.write(link, issueCvcaLink(issued, cvca).raw);
  w.write(PKI_FILES.cvcaCert, cvca.cert.raw);
  w.key(PKI_FILES.cvcaKey, cvca.key.privateKey);

  const previousDv = CvCertificate.decode(read(PKI_FILES.dvCert));
  const dv = issueSubordinate(
    { cert: cvca.cert, key: cvca.key.privateKey },
    {
      role: 'dv-domestic',
      chr: nextChr(previousDv.chr),
      chat: previousDv.chat,
      effectiveDate: today,
      validityDays: 365,
      curve,
    },
  );
  w.write(PKI_FILES.dvCert, dv.cert.raw);
  w.key(PKI_FILES.dvKey, dv.key.privateKey);

  const terminals: Record<string, string> = {};
  for (const es of o.registry.eServices) {
    const f = terminalFiles(es.id);
    const old = CvCertificate.decode(read(f.cert));
    const sector = loadPrivateKey(read(f.sectorKey).toString('utf8'));
    const cert = issueSubordinateCertificate(
      { cert: dv.cert, key: dv.key.privateKey },
      {
        role: 'terminal',
        chr: nextChr(old.chr),
        chat: old.chat,
        effectiveDate: today,
        validityDays: 90,
        curve,
        descriptionHash: hashCertificateDescription(read(f.description), curve.hash),
        sectorKeyHash: sectorKeyHash(curve, publicPointOf(sector), curve.hash),
      },
      old.keyObject(curve), // the terminal keeps its key (a file or a key in the token)
    );
    w.write(f.cert, cert.raw);
    terminals[es.id] = cert.chr;
  }

  const next: PkiManifest = { ...manifest, cvcaChr: cvca.cert.chr, dvChr: dv.cert.chr, terminals };
  w.write(PKI_FILES.manifest, `${JSON.stringify(next, null, 2)}\n`);
  return { previousCvca: previous.chr, manifest: next, link };
}
