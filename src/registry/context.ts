/**
 * What the registry's workflows work with: the database, the key sealing key,
 * the signing key source (PEM files or a PKCS#11 token, for terminal keys), the
 * server's EAC PKI (CVCA, DV, and the test DV's key when this is a test PKI),
 * the terminal settings and a clock (injected in tests).
 */
import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Curve, curveByName } from '../crypto/curves.js';
import { loadPrivateKey } from '../crypto/keys.js';
import { CvCertificate } from '../pki/cvc/certificate.js';
import { PKI_FILES, type PkiManifest } from '../pki/layout.js';
import { derFromPem } from '../pki/x509/pem.js';
import type { KeySource } from '../provisioning/keys/source.js';
import type { Database, Queryable } from './db/database.js';
import type { FilingPolicy } from './filing/trust.js';

export interface RegistryPki {
  readonly dir: string;
  readonly curve: Curve;
  readonly cvca: CvCertificate;
  readonly dv: CvCertificate;
  /** The test DV's private key: present in a test PKI, absent in production (the Ministry's DV signs). */
  readonly dvKey?: KeyObject;
  /** The URL the CertificateDescriptions name (subjectURL). */
  readonly serverUrl: string;
  /** The server's TLS certificates (DER), hashed into every CertificateDescription. */
  readonly tlsCertificates: readonly Buffer[];
  /**
   * The test environment (PKI_FILES.testCvcaCert …): its CVCA, which only test cards trust, and the
   * DV of eServices in their test phase (with its key, it issues at once).
   */
  readonly testEnv?: { readonly cvca: CvCertificate; readonly dv: CvCertificate; readonly dvKey?: KeyObject };
}

export interface RegistryContext {
  readonly db: Database;
  /** AES-256 key sealing terminal and sector private keys in the database (registry.keyFile). */
  readonly sealKey: Buffer;
  readonly keys: KeySource;
  readonly pki: RegistryPki;
  readonly terminals: { readonly validityDays: number; readonly renewDaysBefore: number };
  /** Approval first issues a test terminal certificate (test cards only); a reviewer promotes it. */
  readonly testPhase?: boolean;
  /** Online filing with organisation certificates, and what an unsigned submission is (filing/trust.ts). */
  readonly filing?: FilingPolicy;
  readonly now: () => Date;
}

/** Reads what the workflows need from the PKI directory; the CVCA and DV are never written. */
export function loadRegistryPki(dir: string, serverUrl?: string): RegistryPki {
  const read = (rel: string) => readFileSync(join(dir, rel));
  const manifest = JSON.parse(read(PKI_FILES.manifest).toString('utf8')) as PkiManifest;
  const cvca = CvCertificate.decode(read(PKI_FILES.cvcaCert));
  const tls = [derFromPem(read(PKI_FILES.tlsCert).toString())];
  if (existsSync(join(dir, PKI_FILES.tlsEcCert))) tls.push(derFromPem(read(PKI_FILES.tlsEcCert).toString()));
  return {
    dir,
    curve: cvca.publicKey.curve ?? curveByName(manifest.curve),
    cvca,
    dv: CvCertificate.decode(read(PKI_FILES.dvCert)),
    ...(existsSync(join(dir, PKI_FILES.dvKey)) ? { dvKey: loadPrivateKey(read(PKI_FILES.dvKey)) } : {}),
    serverUrl: serverUrl ?? manifest.serverUrl,
    tlsCertificates: tls,
    ...(existsSync(join(dir, PKI_FILES.testDvCert))
      ? {
          testEnv: {
            cvca: CvCertificate.decode(read(PKI_FILES.testCvcaCert)),
            dv: CvCertificate.decode(read(PKI_FILES.testDvCert)),
            ...(existsSync(join(dir, PKI_FILES.testDvKey))
              ? { dvKey: loadPrivateKey(read(PKI_FILES.testDvKey)) }
              : {}),
          },
        }
      : {}),
  };
}

/**
 * Marks the registry changed in the caller's transaction: the version moves and, at commit,
 * every instance LISTENing on neid_changes reloads (src/registry/live.ts).
 */
export async function markChanged(q: Queryable): Promise<number> {
  const [row] = await q.query<{ version: string | number }>(
    'UPDATE neid.registry_state SET version = version + 1, changed_at = now() WHERE id RETURNING version',
  );
  const version = Number(row!.version);
  await q.query("SELECT pg_notify('neid_changes', $1)", [String(version)]);
  return version;
}
