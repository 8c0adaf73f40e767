/**
 * `neid registry import FILE [--config FILE]` — import the eServices of a registry file in today's
 * YAML format (config/relying-parties.yaml); terminal certificates of the PKI directory are adopted.
 * `neid registry export --out DIR [--config FILE]` — write the live registry back in that format:
 * DIR/relying-parties.yaml plus the metadata, JWKS and certificate files it names.
 */
import { X509Certificate } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { parse, UsageError } from '../../config/args.js';
import { loadRegistry } from '../../config/relying-parties.js';
import { cliPrincipal } from '../../registry/roles.js';
import { loadSnapshot } from '../../registry/snapshot.js';
import { importRegistry } from '../../registry/yaml-import.js';
import { inspectSamlMetadata, withRegistry } from './registry-open.js';

export async function registryImport(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { config: { type: 'string' } }, true);
  if (positionals.length !== 1) throw new UsageError('registry import takes one FILE');
  const file = resolve(positionals[0]!);
  return withRegistry(values.config, async (r) => {
    const registry = loadRegistry(file, { pkiDir: r.config.pki.dir });
    const result = await importRegistry(await r.context(), cliPrincipal(), registry, inspectSamlMetadata);
    process.stdout.write(
      `imported ${result.imported.length} eService(s)${result.imported.length ? `: ${result.imported.join(', ')}` : ''}\n` +
        (result.skipped.length ? `skipped (already registered): ${result.skipped.join(', ')}\n` : '') +
        (result.awaitingCertificate.length
          ? `awaiting a terminal certificate from the DV (neid terminal request): ${result.awaitingCertificate.join(', ')}\n`
          : ''),
    );
    return 0;
  });
}

export async function registryExport(argv: string[]): Promise<number> {
  const { values } = parse(argv, { config: { type: 'string' }, out: { type: 'string' } });
  if (!values.out) throw new UsageError('--out DIR is required');
  const out = resolve(values.out);
  return withRegistry(values.config, async (r) => {
    const snap = await loadSnapshot(await r.context());
    const put = (rel: string, data: string) => {
      mkdirSync(join(out, rel, '..'), { recursive: true });
      writeFileSync(join(out, rel), data);
      return rel;
    };
    const newest = (pems: readonly string[]) =>
      [...pems].sort(
        (a, b) => Date.parse(new X509Certificate(b).validTo) - Date.parse(new X509Certificate(a).validTo),
      )[0];
    const eServices = snap.eServices.map((es) => {
      const client = es.oidc?.client;
      const tls = newest(
        (es.soap?.certificates ?? []).filter((c) => c.usage === 'tls-client').map((c) => c.pem),
      );
      const signing = newest(
        (es.soap?.certificates ?? []).filter((c) => c.usage === 'signing').map((c) => c.pem),
      );
      return {
        id: es.id,
        displayName: es.displayName,
        purpose: es.purpose,
        ...(es.url ? { url: es.url } : {}),
        approvedFields: es.approvedFields,
        approvedFunctions: es.approvedFunctions,
        terminal: {
          mnemonic: es.terminalMnemonic,
          ...(es.terminalSubjectUrl ? { subjectUrl: es.terminalSubjectUrl } : {}),
        },
        maxOpenSessions: es.maxOpenSessions,
        ...(es.saml
          ? {
              saml: {
                metadata: put(`metadata/${es.id}.xml`, es.saml.metadataXml!),
                nameIdFormat: es.saml.nameIdFormat,
                algorithms: es.saml.algorithms,
                requireSignedRequests: es.saml.requireSignedRequests,
              },
            }
          : {}),
        ...(es.soap && tls
          ? {
              soap: {
                clientCertificate: put(`soap/${es.id}-client.pem`, tls),
                ...(signing && signing !== tls
                  ? { signingCertificate: put(`soap/${es.id}-signing.pem`, signing) }
                  : {}),
                requestCounter: es.soap.requestCounter,
              },
            }
          : {}),
        ...(es.oidc
          ? {
              oidc: {
                ...(client
                  ? (() => {
                      const { jwksDocument, tlsClientCaPem, jwks: _f, tlsClientCa: _c, ...rest } = client;
                      return {
                        ...rest,
                        ...(jwksDocument
                          ? {
                              jwks: put(
                                `oidc/${es.id}.jwks.json`,
                                `${JSON.stringify(jwksDocument, null, 2)}\n`,
                              ),
                            }
                          : {}),
                        ...(tlsClientCaPem
                          ? { tlsClientCa: put(`oidc/${es.id}-ca.pem`, tlsClientCaPem) }
                          : {}),
                      };
                    })()
                  : {}),
                ...(es.oidc.registration ? { registration: es.oidc.registration } : {}),
              },
            }
          : {}),
      };
    });
    put(
      'relying-parties.yaml',
      `# Exported by neid registry export (registry version ${snap.version}, ${snap.loadedAt.toISOString()}).\n${stringify({ eServices })}`,
    );
    process.stdout.write(
      `exported ${eServices.length} eService(s) to ${join(out, 'relying-parties.yaml')}\n`,
    );
    return 0;
  });
}
