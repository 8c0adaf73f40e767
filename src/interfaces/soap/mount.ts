/**
 * Mounts the SOAP eID-Interface (TR-03130-1 §3) on its own mutual-TLS
 * listener (config `soap`, default 127.0.0.1:8445), for the eServices of the
 * registry that have a `soap:` section.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PKI_FILES } from '../../pki/layout.js';
import { listen } from '../http/tls.js';
import type { MountContext } from '../mount-context.js';
import { SoapClients } from './clients.js';
import { SoapEndpoint } from './endpoint.js';
import { createSoapServer, refreshTrustAnchors } from './listener.js';
import { SOAP_PATH } from './namespaces.js';
import { EidInterface } from './service.js';
import { loadSchemaFiles } from './wsdl.js';
import { DEFAULT_TIMESTAMP_POLICY } from './wss/verify.js';

export interface MountedSoap {
  /** The endpoint URL (https://host:port/eid-interface). */
  readonly url: string;
  readonly port: number;
}

export async function mountSoap(s: MountContext): Promise<MountedSoap | undefined> {
  const cfg = s.config.soap;
  if (!cfg) return undefined;
  const log = s.log.child({ frontEnd: 'soap' });
  if (!s.urls.psk) {
    log.error('the SOAP eID-Interface needs the TLS-PSK listener (psk) for its eID-Clients; not started');
    return undefined;
  }
  const clients = new SoapClients(s.registry, (id, message) =>
    log.error({ eService: id, err: message }, 'eService left out of the SOAP interface'),
  );
  // A live registry can register a SOAP eService later: then the listener runs with no client yet.
  if (clients.size === 0 && !s.registry.onChange) {
    log.info('no eService has a usable soap: section; SOAP listener not started');
    return undefined;
  }
  const certPem = readFileSync(join(s.config.pki.dir, PKI_FILES.soapSigningCert), 'utf8');
  // A PEM file or a key in the PKCS#11 token (keys.pkcs11), checked against its certificate.
  const signing = {
    key: s.pki.keys.signingKey('soap-signing', new X509Certificate(certPem).publicKey),
    certPem,
  };
  const failed = (eService: string, minor: string) => s.metrics.failure('soap', minor, eService);
  const service = new EidInterface({ sessions: s.sessions, pki: s.pki, log, failed });
  const endpoint = new SoapEndpoint({
    service,
    signing,
    timestamps: DEFAULT_TIMESTAMP_POLICY,
    claims: s.sessions,
    audit: s.audit,
    log,
    failed,
  });
  const deps = {
    tls: { key: s.pki.tls.key, cert: s.pki.tls.cert },
    clients,
    endpoint,
    schemas: loadSchemaFiles(cfg.publicUrl),
    log,
  };
  const server = createSoapServer(deps);
  s.certificates(() => clients.expiries());
  s.registry.onChange?.(() => {
    clients.load(s.registry);
    refreshTrustAnchors(server, deps);
  });
  const port = await listen(server, cfg.host, cfg.port);
  s.onClose(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const url = `${cfg.port === 0 ? cfg.publicUrl.replace(/:0$/, `:${port}`) : cfg.publicUrl}${SOAP_PATH}`;
  log.info({ url, eServices: clients.size }, 'SOAP eID-Interface listening (mutual TLS)');
  return { url, port };
}
