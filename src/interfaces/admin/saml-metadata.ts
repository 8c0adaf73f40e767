/**
 * SAML SP metadata coming into the registry, by upload or from a URL
 * (saml-metadata; saml-metadata-rpi for the signature): bounded in size and
 * fetch time, parsed with the IdP's own checks (service-providers.ts: an
 * encryption key, usable signing keys), refused once past its `validUntil`,
 * and — when `registry.saml.metadataSigningCertificate` is configured —
 * accepted only with an enveloped signature by that key. URL registrations
 * are fetched again every `refreshHours` (and when their validUntil is near);
 * a failed refresh keeps the last good metadata and records the error.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RegistryConfig } from '../../config/registry-config.js';
import type { EService } from '../../config/relying-parties.js';
import { appendAudit } from '../../registry/audit/chain.js';
import { markChanged, type RegistryContext } from '../../registry/context.js';
import { RegistryError } from '../../registry/errors.js';
import { SYSTEM } from '../../registry/roles.js';
import {
  putSaml,
  type SamlRegistration,
  samlToRefresh,
  setSamlRefreshError,
} from '../../registry/store/frontends.js';
import { parseXml } from '../../xml/parse.js';
import { INBOUND } from '../saml/algorithms.js';
import { verifyEnvelopedSignature } from '../saml/crypto/xmldsig-verify.js';
import { buildServiceProvider } from '../saml/service-providers.js';

export interface MetadataPolicy {
  readonly maxBytes: number;
  readonly fetchTimeoutMs: number;
  readonly refreshHours: number;
  /** Verification key of metadata signatures; none: signatures are not required. */
  readonly signingCertificate?: X509Certificate;
}

export function metadataPolicy(c: RegistryConfig['saml']): MetadataPolicy {
  return {
    maxBytes: c.metadataMaxBytes,
    fetchTimeoutMs: c.fetchTimeoutSeconds * 1000,
    refreshHours: c.refreshHours,
    ...(c.metadataSigningCertificate
      ? { signingCertificate: new X509Certificate(readFileSync(c.metadataSigningCertificate)) }
      : {}),
  };
}

const refuse = (m: string, field = '/metadataXml') =>
  new RegistryError('invalid', `SAML metadata ${m}`, field);

/** Fetches metadata from `url` within the size and time limits (no redirects; http only on loopback). */
export async function fetchMetadata(url: string, p: MetadataPolicy): Promise<string> {
  const u = new URL(url);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback))
    throw refuse('URL must be https (http only on loopback)', '/metadataUrl');
  let res: Response;
  try {
    res = await fetch(u, {
      redirect: 'error',
      signal: AbortSignal.timeout(p.fetchTimeoutMs),
      headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' },
    });
  } catch (e) {
    throw new RegistryError('fetch-failed', `${url}: ${(e as Error).message}`, '/metadataUrl');
  }
  if (res.status !== 200)
    throw new RegistryError('fetch-failed', `${url} answered HTTP ${res.status}`, '/metadataUrl');
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > p.maxBytes)
    throw refuse(`at ${url} is ${declared} bytes, more than ${p.maxBytes}`, '/metadataUrl');
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > p.maxBytes) throw refuse(`at ${url} exceeds ${p.maxBytes} bytes`, '/metadataUrl');
      chunks.push(Buffer.from(chunk));
    }
  } catch (e) {
    if (e instanceof RegistryError) throw e;
    throw new RegistryError('fetch-failed', `${url}: ${(e as Error).message}`, '/metadataUrl');
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface CheckedMetadata {
  readonly entityId: string;
  readonly validUntil?: Date;
}

/** The checks every metadata document passes before it is stored; refusals name the reason. */
export function checkMetadata(
  xml: string,
  es: Pick<
    EService,
    | 'id'
    | 'displayName'
    | 'purpose'
    | 'approvedFields'
    | 'approvedFunctions'
    | 'terminalMnemonic'
    | 'maxOpenSessions'
  >,
  settings: SamlRegistration['settings'],
  p: MetadataPolicy,
  now = new Date(),
  field = '/metadataXml',
): CheckedMetadata {
  if (Buffer.byteLength(xml) > p.maxBytes) throw refuse(`is larger than ${p.maxBytes} bytes`, field);
  if (p.signingCertificate) {
    try {
      verifyEnvelopedSignature(xml, parseXml(xml, { maxBytes: p.maxBytes }), {
        keys: [p.signingCertificate.publicKey],
        algorithms: INBOUND.legacy,
      });
    } catch (e) {
      throw refuse(`is not signed by the configured metadata signing key: ${(e as Error).message}`, field);
    }
  }
  let sp: ReturnType<typeof buildServiceProvider>;
  try {
    sp = buildServiceProvider(
      { ...es, saml: { metadata: 'upload', metadataXml: xml, resultStyle: 'auto', ...settings } } as EService,
      { metadata: 'upload', metadataXml: xml, resultStyle: 'auto', ...settings },
      { info() {}, warn() {} },
    );
  } catch (e) {
    throw refuse(
      `is not usable: ${(e as Error).message.replace(/^eService [^:]+: SAML metadata upload: /, '')}`,
      field,
    );
  }
  const until = sp.metadata.validUntil;
  if (until && until.getTime() <= now.getTime())
    throw refuse(`expired (validUntil ${until.toISOString()})`, field);
  return { entityId: sp.entityId, ...(until ? { validUntil: until } : {}) };
}

/** Fetches every URL registration that is due and stores what passes the checks. */
export async function refreshMetadata(
  ctx: RegistryContext,
  p: MetadataPolicy,
  profileOf: (id: string) => Promise<Parameters<typeof checkMetadata>[1]>,
  log: { info(o: object, m: string): void; warn(o: object, m: string): void },
): Promise<number> {
  const now = ctx.now();
  const due = await samlToRefresh(
    ctx.db,
    new Date(now.getTime() - p.refreshHours * 3_600_000),
    new Date(now.getTime() + 86_400_000),
  );
  let changed = 0;
  for (const reg of due) {
    try {
      const xml = await fetchMetadata(reg.metadataUrl!, p);
      const checked = checkMetadata(
        xml,
        await profileOf(reg.eServiceId),
        reg.settings,
        p,
        now,
        '/metadataUrl',
      );
      const same = xml === reg.metadataXml;
      await ctx.db.tx(async (q) => {
        await putSaml(q, {
          eServiceId: reg.eServiceId,
          settings: reg.settings,
          source: 'url',
          metadataUrl: reg.metadataUrl!,
          metadataXml: xml,
          entityId: checked.entityId,
          ...(checked.validUntil ? { validUntil: checked.validUntil } : {}),
          fetchedAt: now,
        });
        if (!same) {
          await appendAudit(q, [
            {
              actor: SYSTEM.id,
              action: 'saml.metadata.refresh',
              target: `eservice:${reg.eServiceId}`,
              outcome: 'ok',
              details: { url: reg.metadataUrl, entityId: checked.entityId },
            },
          ]);
          await markChanged(q);
        }
      });
      if (!same) changed++;
    } catch (e) {
      log.warn(
        { eService: reg.eServiceId, url: reg.metadataUrl, err: (e as Error).message },
        'SAML metadata refresh failed; the last metadata stays',
      );
      await setSamlRefreshError(ctx.db, reg.eServiceId, (e as Error).message);
    }
  }
  if (changed) log.info({ changed }, 'SAML metadata refreshed');
  return changed;
}
