/**
 * The `registry:` section of config/server.yaml: where the eService registry
 * (the system of record for eServices, Secure API applications, terminal
 * certificates, front-end registrations, admin accounts and the audit log)
 * lives, and the settings of its workflows. Without `databaseUrl` the
 * registry is embedded: PGlite (PostgreSQL compiled to WebAssembly) with its
 * data in `<varDir>/registry` — the same SQL and migrations as PostgreSQL.
 */
import { resolve } from 'node:path';
import { ConfigError } from './errors.js';
import type { Reader } from './validate.js';

export interface RegistryConfig {
  /** postgresql://… of the system of record; null: embedded PGlite in `dataDir`. */
  readonly databaseUrl: string | null;
  /** PGlite's data directory (embedded mode only). */
  readonly dataDir: string;
  /** The PostgreSQL schema holding the registry's tables (several installations can share a database). */
  readonly schema: string;
  /** 32-byte hex AES key sealing terminal and sector private keys in the database; the same on every instance. */
  readonly keyFile: string;
  /** A connection attempt fails after this long (start-up: the server exits; run time: 503 for admin writes). */
  readonly connectTimeoutSeconds: number;
  /** Every instance re-checks the registry version this often, besides LISTEN/NOTIFY (a lost notification). */
  readonly pollSeconds: number;
  readonly terminals: {
    /** Validity of a terminal certificate the embedded test DV issues. */
    readonly validityDays: number;
    /** A renewal is requested this many days before the active certificate expires. */
    readonly renewDaysBefore: number;
  };
  readonly saml: {
    /** Largest SP metadata document accepted (upload or URL). */
    readonly metadataMaxBytes: number;
    /** A metadata URL must answer within this time. */
    readonly fetchTimeoutSeconds: number;
    /** URL-registered metadata is fetched again this often (and when its validUntil is near). */
    readonly refreshHours: number;
    /** PEM file of the certificate whose key must sign SP metadata; null: signatures are not required. */
    readonly metadataSigningCertificate: string | null;
  };
  /**
   * Filing of Secure API applications (seed 004 第陸章 壹.一): online, signed with an organisation
   * certificate from one of `issuers` (checked against `crls`), or on paper.
   */
  /**
   * The test phase (seed 004 第陸章 壹.一: develop and test first, production after verification):
   * an approval issues a terminal certificate of the test environment's DV (test cards only), and a
   * reviewer promotes the eService to production after checking its test logins.
   */
  readonly testPhase: boolean;
  readonly filing: {
    /**
     * PEM files of the issuing CAs of organisation certificates (工商憑證 MOEACA, 組織憑證 XCA,
     * 政府機關憑證 GCA); null: the test PKI's organisation CA when the PKI directory has one (never
     * under NODE_ENV=production); empty: online filing is off.
     */
    readonly issuers: readonly string[] | null;
    /** Their CRLs (DER or PEM files, replaced as the CAs publish new ones); null: the test PKI's. */
    readonly crls: readonly string[] | null;
    /** An unsigned submission: `paper` (approved after the paper copy arrived) or `accept`. */
    readonly unsigned: 'paper' | 'accept';
  };
  readonly audit: {
    /** Entries older than this are pruned (the chain stays verifiable from the first kept entry); 0 keeps all. */
    readonly retentionDays: number;
  };
}

export const REGISTRY_KEYS = [
  'databaseUrl',
  'dataDir',
  'schema',
  'keyFile',
  'connectTimeoutSeconds',
  'pollSeconds',
  'terminals',
  'saml',
  'filing',
  'testPhase',
  'audit',
];

export function readRegistryConfig(
  r: Reader,
  base: string,
  varDir: string,
  env: NodeJS.ProcessEnv,
): RegistryConfig {
  r.only(REGISTRY_KEYS);
  const fromEnv = env.NEID_REGISTRY_URL;
  const url = fromEnv ?? (r.at('databaseUrl').present ? r.at('databaseUrl').string() : null);
  if (url !== null) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new ConfigError(
        `${fromEnv ? 'NEID_REGISTRY_URL' : `${r.source}: registry.databaseUrl`} is not a URL`,
      );
    }
    if (u.protocol !== 'postgresql:' && u.protocol !== 'postgres:')
      throw new ConfigError(`${r.source}: registry.databaseUrl must be a postgresql:// URL`);
  }
  const terminals = r.at('terminals').only(['validityDays', 'renewDaysBefore']);
  const saml = r
    .at('saml')
    .only(['metadataMaxBytes', 'fetchTimeoutSeconds', 'refreshHours', 'metadataSigningCertificate']);
  const validityDays = terminals.at('validityDays').int(90, 1, 3650);
  const renewDaysBefore = terminals.at('renewDaysBefore').int(14, 1, 3650);
  if (renewDaysBefore >= validityDays)
    throw new ConfigError(`${r.source}: registry.terminals.renewDaysBefore must be less than validityDays`);
  const signing = saml.at('metadataSigningCertificate');
  const filing = r.at('filing').only(['issuers', 'crls', 'unsigned']);
  const files = (k: 'issuers' | 'crls') =>
    filing.at(k).present
      ? filing
          .at(k)
          .strings()
          .map((f) => resolve(base, f))
      : null;
  return {
    databaseUrl: url,
    dataDir: resolve(base, r.at('dataDir').string(resolve(varDir, 'registry'))),
    schema: r.at('schema').matching(/^[a-z_][a-z0-9_]{0,40}$/, 'a lower-case SQL identifier', 'neid'),
    keyFile: resolve(base, r.at('keyFile').string(resolve(varDir, 'registry.key'))),
    connectTimeoutSeconds: r.at('connectTimeoutSeconds').int(5, 1, 60),
    pollSeconds: r.at('pollSeconds').int(5, 1, 3600),
    terminals: { validityDays, renewDaysBefore },
    saml: {
      metadataMaxBytes: saml.at('metadataMaxBytes').int(1024 * 1024, 1024, 16 * 1024 * 1024),
      fetchTimeoutSeconds: saml.at('fetchTimeoutSeconds').int(10, 1, 120),
      refreshHours: saml.at('refreshHours').int(24, 1, 24 * 30),
      metadataSigningCertificate: signing.present ? resolve(base, signing.string()) : null,
    },
    testPhase: r.at('testPhase').bool(false),
    filing: {
      issuers: files('issuers'),
      crls: files('crls'),
      unsigned: filing.at('unsigned').oneOf(['paper', 'accept'] as const, 'accept'),
    },
    audit: { retentionDays: r.at('audit').only(['retentionDays']).at('retentionDays').int(365, 0, 36_500) },
  };
}
