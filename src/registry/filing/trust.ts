/**
 * The organisation CAs an online filing is checked against
 * (`registry.filing.issuers`, `registry.filing.crls`): PEM certificates and
 * DER or PEM CRLs, read again whenever a file changes (an operator replaces
 * the CRL as its CA publishes a new one) — a CRL past its nextUpdate refuses
 * every signature of its CA (organisation-signature.ts, fail closed).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RegistryConfig } from '../../config/registry-config.js';
import { PKI_FILES } from '../../pki/layout.js';
import { parseCrl } from '../../pki/x509/crl.js';
import type { OrganisationTrust } from '../../pki/x509/organisation-signature.js';
import { derFromPem } from '../../pki/x509/pem.js';

export interface FilingPolicy {
  /**
   * An unsigned submission: `paper` — a paper filing, approved only after a reviewer recorded the
   * signed, sealed paper copy; `accept` — taken as it is (test installations, before issue 18).
   */
  readonly unsigned: 'paper' | 'accept';
  /** The trusted issuing CAs and their CRLs, current; undefined: none configured. */
  trust(): OrganisationTrust | undefined;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function readDerOrPem(file: string): Buffer[] {
  const raw = readFileSync(file);
  const text = raw.toString('latin1');
  if (text.includes('-----BEGIN X509 CRL-----'))
    return [...text.matchAll(/-----BEGIN X509 CRL-----[\s\S]+?-----END X509 CRL-----/g)].map((m) =>
      Buffer.from(m[0].replace(/-----[^-]+-----|\s/g, ''), 'base64'),
    );
  if (text.includes('-----BEGIN CERTIFICATE-----'))
    return [...text.matchAll(PEM_CERT)].map((m) => derFromPem(m[0]));
  return [raw];
}

/** A policy over files; `issuers` empty: online filing is refused with a clear reason. */
export function filingPolicy(o: {
  readonly issuers: readonly string[];
  readonly crls: readonly string[];
  readonly unsigned: 'paper' | 'accept';
}): FilingPolicy {
  let stamp = '';
  let cached: OrganisationTrust | undefined;
  const files = [...o.issuers, ...o.crls];
  return {
    unsigned: o.unsigned,
    trust() {
      if (o.issuers.length === 0) return undefined;
      const now = files
        .map((f) => `${f}:${statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 'missing'}`)
        .join('|');
      if (now !== stamp || !cached) {
        cached = {
          issuers: o.issuers.flatMap(readDerOrPem),
          crls: o.crls.flatMap(readDerOrPem).map((d) => parseCrl(d)),
        };
        stamp = now;
      }
      return cached;
    },
  };
}

/**
 * The policy of `registry.filing`: configured files, or — both left out, outside production — the
 * test PKI's organisation CA and CRL when the PKI directory has them.
 */
export function filingFromConfig(
  cfg: RegistryConfig['filing'],
  pkiDir: string,
  production: boolean,
): FilingPolicy {
  const test = (rel: string) => {
    const f = join(pkiDir, rel);
    return !production && existsSync(f) ? [f] : [];
  };
  return filingPolicy({
    issuers: cfg.issuers ?? test(PKI_FILES.orgCaCert),
    crls: cfg.crls ?? test(PKI_FILES.orgCrl),
    unsigned: cfg.unsigned,
  });
}
