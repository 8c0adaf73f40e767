/**
 * Passive authentication of EF.CardSecurity / EF.ChipSecurity with a small
 * cache on top of the trust context (which itself verifies each Document
 * Signer chain and CRL once): the signed objects are immutable per card, so a verified result is
 * reused (keyed by the SHA-256 of the DER) until `ttlMs` passes — bounded so
 * that a newly published CRL takes effect within that time.
 */
import { createHash } from 'node:crypto';
import type { SecurityInfo } from '../../pki/security-infos.js';
import {
  PassiveAuthenticationContext,
  type PassiveAuthTrust,
} from '../../pki/x509/passive-authentication.js';

interface Entry {
  readonly infos: SecurityInfo[];
  readonly until: number;
}

export class PassiveAuthenticator {
  private readonly cache = new Map<string, Entry>();
  private readonly context: PassiveAuthenticationContext;

  constructor(
    trust: Omit<PassiveAuthTrust, 'at'>,
    private readonly now: () => Date = () => new Date(),
    private readonly ttlMs = 10 * 60_000,
    private readonly maxEntries = 10_000,
  ) {
    this.context = new PassiveAuthenticationContext(trust);
  }

  /** Verified SecurityInfos; throws PassiveAuthError. */
  verify(der: Buffer): SecurityInfo[] {
    const key = createHash('sha256').update(der).digest('hex');
    const t = this.now().getTime();
    const hit = this.cache.get(key);
    if (hit && hit.until > t) return hit.infos;
    const infos = this.context.verify(der, this.now()).securityInfos;
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { infos, until: t + this.ttlMs });
    return infos;
  }
}
