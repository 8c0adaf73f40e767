/**
 * The SOAP listener (TR-03130-1 §3.5.1): HTTPS with mutual TLS, TLS 1.2 or
 * 1.3 with the TR-03116-4 suites of the web listener. Its only trust anchors
 * are the registered eService client certificates. OpenSSL verifies the
 * client certificate against them (chain, validity); the verdict is checked
 * when the connection is established, before any request is read, so that a
 * refused certificate can be logged — which one (subject, issuer, serial,
 * SHA-256 fingerprint) and why (OpenSSL's reason) — and the connection
 * dropped. A certificate that verifies but is not exactly a registered one
 * (e.g. issued by a registered CA certificate) is dropped the same way.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { networkAllows } from '../../registry/networks.js';
import { BodyTooLargeError, readBody } from '../http/body.js';
import { ECDH_CURVES, type TlsMaterial, WEB_CIPHERS } from '../http/tls.js';
import { certificateFingerprint, type SoapClient, type SoapClients, validAt } from './clients.js';
import { MAX_REQUEST_BYTES, type SoapEndpoint } from './endpoint.js';
import { SOAP_PATH } from './namespaces.js';
import type { SchemaFiles } from './wsdl.js';

export interface ListenerDeps {
  readonly tls: TlsMaterial;
  readonly clients: SoapClients;
  readonly endpoint: SoapEndpoint;
  readonly schemas: SchemaFiles;
  readonly log: { warn(o: object, m: string): void; error(o: object, m: string): void };
}

const peerDer = (socket: TLSSocket): Buffer | undefined => {
  const c = socket.getPeerCertificate();
  return c?.raw ? Buffer.from(c.raw) : undefined;
};

function send(res: ServerResponse, status: number, type: string | undefined, body: string): void {
  const headers: Record<string, string> = {
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
  };
  if (type && body) headers['content-type'] = type;
  res.writeHead(status, headers);
  res.end(body);
}

/** The TLS context: the registered client certificates replace Node's CA list as the only anchors. */
const secureContext = (d: ListenerDeps) => ({
  key: d.tls.key,
  cert: d.tls.cert,
  minVersion: 'TLSv1.2' as const,
  ciphers: WEB_CIPHERS,
  ecdhCurve: ECDH_CURVES,
  honorCipherOrder: true,
  ca: d.clients.trustAnchors,
});

/** After the registry changed (clients reloaded): new handshakes use the new trust anchors. */
export function refreshTrustAnchors(server: Server, d: ListenerDeps): void {
  server.setSecureContext(secureContext(d));
}

/** What a log line says of a refused client certificate: which (never personal data: an eService's). */
function describe(socket: TLSSocket) {
  const cert = socket.getPeerX509Certificate();
  return cert
    ? {
        certificate: {
          subject: cert.subject.replace(/\n/g, ', '),
          issuer: cert.issuer.replace(/\n/g, ', '),
          serialNumber: cert.serialNumber,
          validTo: cert.validTo,
          sha256: certificateFingerprint(cert.raw),
        },
      }
    : {};
}

/**
 * The registered client of this connection, if OpenSSL verified its certificate against the
 * registered anchors, it is exactly a registered one and it is valid now (checked on every request:
 * a connection may outlive its certificate). A refusal is logged with which certificate and why.
 */
function clientOf(d: ListenerDeps, socket: TLSSocket): SoapClient | undefined {
  // Refused (and logged) when it was established; a request that raced the drop is not logged twice.
  if (socket.destroyed) return undefined;
  const refuse = (reason: string, extra: object = {}) => {
    d.log.warn(
      { remote: socket.remoteAddress, reason, ...extra, ...describe(socket) },
      'SOAP client certificate refused; connection dropped',
    );
    return undefined;
  };
  const der = peerDer(socket);
  if (!der) return refuse('no client certificate');
  if (!socket.authorized) return refuse(String(socket.authorizationError ?? 'not verified'));
  const client = d.clients.byCertificate(der);
  if (!client) return refuse('not a registered client certificate');
  if (!validAt(client.clientCert, Date.now()))
    return refuse('outside its validity', { eService: client.eService.id });
  return client;
}

export function createSoapServer(d: ListenerDeps): Server {
  // Verified all the same: `clientOf` drops every connection that is not `authorized` (and logs why).
  const server = createHttpsServer({ ...secureContext(d), requestCert: true, rejectUnauthorized: false });
  server.on('secureConnection', (socket: TLSSocket) => {
    if (!clientOf(d, socket)) socket.destroy();
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(d, req, res).catch((e: Error) => {
      d.log.error({ err: { message: e.message, stack: e.stack } }, 'unhandled error on the SOAP listener');
      if (!res.headersSent) send(res, 500, undefined, '');
      else res.destroy();
    });
  });
  return server;
}

async function handle(d: ListenerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const client = clientOf(d, req.socket as TLSSocket);
  if (!client) {
    req.socket.destroy();
    return;
  }
  // Seed 004 表8: an eService calls from the network addresses the reviewer registered. The socket's
  // address: mutual TLS ends here, so no proxy stands between (docs/admin.md §9).
  const remote = req.socket.remoteAddress;
  if (!networkAllows(client.eService.networks ?? [], remote)) {
    d.log.warn(
      { eService: client.eService.id, remote, outcome: 'refused' },
      'SOAP call from an address the eService has not registered; refused',
    );
    send(res, 403, undefined, '');
    return;
  }
  const url = new URL(req.url ?? '/', 'https://soap.invalid');
  if (req.method === 'GET' && url.pathname === SOAP_PATH && url.search.toLowerCase() === '?wsdl') {
    send(res, 200, 'text/xml; charset=utf-8', d.schemas.wsdl);
    return;
  }
  if (req.method === 'GET' && url.pathname.startsWith(`${SOAP_PATH}/schemas/`)) {
    const xsd = d.schemas.xsd.get(url.pathname.slice(SOAP_PATH.length + 9));
    if (xsd) send(res, 200, 'text/xml; charset=utf-8', xsd);
    else send(res, 404, undefined, '');
    return;
  }
  if (url.pathname !== SOAP_PATH) {
    send(res, 404, undefined, '');
    return;
  }
  if (req.method !== 'POST') {
    res.setHeader('allow', 'GET, POST');
    send(res, 405, undefined, '');
    return;
  }
  // SOAP 1.1 over HTTP: text/xml. application/soap+xml (SOAP 1.2) reaches the endpoint, which refuses it
  // with a VersionMismatch fault when it is correctly signed.
  const type = req.headers['content-type'] ?? '';
  if (!/^(text\/xml|application\/soap\+xml)\s*(;|$)/i.test(type)) {
    d.log.warn(
      { eService: client.eService.id, contentType: type.slice(0, 100), outcome: 'refused' },
      'SOAP request with a Content-Type other than text/xml; not answered',
    );
    send(res, 415, undefined, '');
    return;
  }
  let raw: Buffer;
  try {
    raw = await readBody(req, MAX_REQUEST_BYTES);
  } catch (e) {
    if (e instanceof BodyTooLargeError) {
      d.log.warn({ eService: client.eService.id, reason: e.message }, 'SOAP request too large; not answered');
      send(res, 413, undefined, '');
      return;
    }
    throw e;
  }
  const out = await d.endpoint.handle(client, raw);
  send(res, out.status, 'text/xml; charset=utf-8', out.body);
}
