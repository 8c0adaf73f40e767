/**
 * The SAML service providers of the eService registry: every eService with a
 * `saml:` section (src/config/eservice/saml.ts) is registered by its metadata
 * file, parsed and checked once at start-up. A request is attributed to an SP
 * only through this table (Issuer = entityID), and verified only with the
 * signing certificates of its registered metadata.
 */

import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { SamlSettings } from '../../config/eservice/saml.js';
import type { EService, Registry } from '../../config/relying-parties.js';
import { INBOUND, type InboundAlgorithms, OUTBOUND, type OutboundAlgorithms } from './algorithms.js';
import type { SamlLog } from './log.js';
import { MetadataError, parseSpMetadata, type SpMetadata } from './metadata/sp-metadata.js';

export interface ServiceProvider {
  readonly eService: EService;
  readonly settings: SamlSettings;
  readonly metadata: SpMetadata;
  readonly entityId: string;
  readonly signingKeys: readonly KeyObject[];
  /** The SP's encryption key (first usable encryption certificate of its metadata). */
  readonly encryptionKey: KeyObject;
  readonly outbound: OutboundAlgorithms;
  readonly inbound: InboundAlgorithms;
}

const EC_CURVES = [
  'prime256v1',
  'secp384r1',
  'secp521r1',
  'brainpoolP256r1',
  'brainpoolP384r1',
  'brainpoolP512r1',
];

function usableSigningKey(k: KeyObject): boolean {
  if (k.asymmetricKeyType === 'rsa') return (k.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048;
  if (k.asymmetricKeyType === 'ec') return EC_CURVES.includes(k.asymmetricKeyDetails?.namedCurve ?? '');
  return false;
}

export function buildServiceProvider(es: EService, settings: SamlSettings, log: SamlLog): ServiceProvider {
  let metadata: SpMetadata;
  try {
    metadata = parseSpMetadata(settings.metadataXml ?? readFileSync(settings.metadata));
  } catch (e) {
    throw new MetadataError(`eService ${es.id}: SAML metadata ${settings.metadata}: ${(e as Error).message}`);
  }
  const signingKeys = metadata.signingCertificates.map((c) => c.publicKey).filter(usableSigningKey);
  if (settings.requireSignedRequests && signingKeys.length === 0) {
    throw new MetadataError(
      `eService ${es.id}: requireSignedRequests is set but ${settings.metadata} has no usable signing certificate`,
    );
  }
  const encryptionKey = metadata.encryptionCertificates
    .map((c) => c.publicKey)
    .find((k) => k.asymmetricKeyType === 'rsa' && (k.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048);
  if (!encryptionKey) {
    throw new MetadataError(
      `eService ${es.id}: ${settings.metadata} has no RSA (≥ 2048 bits) encryption certificate; assertions are always encrypted`,
    );
  }
  const now = Date.now();
  for (const c of [...metadata.signingCertificates, ...metadata.encryptionCertificates]) {
    if (Date.parse(c.validTo) < now)
      log.warn(
        { eService: es.id, notAfter: c.validTo },
        'an SP certificate in the SAML metadata has expired',
      );
  }
  if ((encryptionKey.asymmetricKeyDetails?.modulusLength ?? 0) < 3072) {
    log.warn({ eService: es.id }, 'the SP encryption key has fewer than 3072 bits (TR-03116-4 §3.4.2.1)');
  }
  if (settings.algorithms === 'legacy') {
    log.warn(
      { eService: es.id, entityId: metadata.entityId },
      'SAML SP opted into the LEGACY algorithms (rsa-sha256, aes256-cbc, rsa-oaep-mgf1p), outside TR-03116-4',
    );
  }
  return {
    eService: es,
    settings,
    metadata,
    entityId: metadata.entityId,
    signingKeys,
    encryptionKey,
    outbound: OUTBOUND[settings.algorithms],
    inbound: INBOUND[settings.algorithms],
  };
}

function table(list: readonly ServiceProvider[]): Map<string, ServiceProvider> {
  const byEntity = new Map<string, ServiceProvider>();
  for (const sp of list) {
    if (byEntity.has(sp.entityId))
      throw new MetadataError(`two eServices register the SAML entityID ${sp.entityId}`);
    byEntity.set(sp.entityId, sp);
  }
  return byEntity;
}

export class ServiceProviders {
  private byEntity: Map<string, ServiceProvider>;

  private constructor(
    list: readonly ServiceProvider[],
    private readonly log: SamlLog,
  ) {
    this.byEntity = table(list);
  }

  /** Every SAML eService of the registry; a broken registration stops the start. */
  static load(registry: Registry, log: SamlLog): ServiceProviders {
    const list: ServiceProvider[] = [];
    for (const es of registry.eServices) if (es.saml) list.push(buildServiceProvider(es, es.saml, log));
    const sps = new ServiceProviders(list, log);
    // A live registry: rebuild the table after every change; a broken registration is left out.
    registry.onChange?.(() => sps.rebuild(registry));
    return sps;
  }

  private rebuild(registry: Registry): void {
    const list: ServiceProvider[] = [];
    for (const es of registry.eServices) {
      if (!es.saml) continue;
      try {
        list.push(buildServiceProvider(es, es.saml, this.log));
      } catch (e) {
        this.log.warn(
          { eService: es.id, err: (e as Error).message },
          'SAML SP left out after a registry change',
        );
      }
    }
    try {
      this.byEntity = table(list);
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'SAML SP table not changed');
    }
  }

  /** The SP of `entityId`; none once its metadata's validUntil has passed (saml-metadata §2.3.2). */
  get(entityId: string, now = Date.now()): ServiceProvider | undefined {
    const sp = this.byEntity.get(entityId);
    if (sp?.metadata.validUntil && sp.metadata.validUntil.getTime() < now) {
      this.log.warn(
        { eService: sp.eService.id, validUntil: sp.metadata.validUntil.toISOString() },
        'the SP metadata has expired (validUntil); request refused',
      );
      return undefined;
    }
    return sp;
  }

  get all(): readonly ServiceProvider[] {
    return [...this.byEntity.values()];
  }
}
