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
import { BodyTooLargeError, readBody } from '../http/body.js';
import { ECDH_CURVES, type TlsMaterial, WEB_CIPHERS } from '../http/tls.js';
import type { SoapClients } from './clients.js';
import { certificateFingerprint } from './clients.js';
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

export function createSoapServer(d: ListenerDeps): Server {
  const server = createHttpsServer({
    key: d.tls.key,
    cert: d.tls.cert,
    minVersion: 'TLSv1.2',
    ciphers: WEB_CIPHERS,
    ecdhCurve: ECDH_CURVES,
    honorCipherOrder: true,
    requestCert: true,
    // Verified all the same: `secureConnection` drops every connection that is not `authorized`.
    rejectUnauthorized: false,
    // Replaces Node's default CA list: the registered client certificates are the only anchors.
    ca: d.clients.trustAnchors,
  });
  if (d.clients.size === 0) throw new Error('the SOAP listener needs at least one registered eService');
  server.on('secureConnection', (socket: TLSSocket) => {
    const cert = socket.getPeerX509Certificate();
    const registered = socket.authorized ? d.clients.byCertificate(peerDer(socket)) : undefined;
    if (registered) return;
    d.log.warn(
      {
        remote: socket.remoteAddress,
        reason: !cert
          ? 'no client certificate'
          : socket.authorized
            ? 'not a registered client certificate'
            : String(socket.authorizationError ?? 'not verified'),
        ...(cert
          ? {
              certificate: {
                subject: cert.subject.replace(/\n/g, ', '),
                issuer: cert.issuer.replace(/\n/g, ', '),
                serialNumber: cert.serialNumber,
                validTo: cert.validTo,
                sha256: certificateFingerprint(cert.raw),
              },
            }
          : {}),
      },
      'SOAP client certificate refused; connection dropped',
    );
    socket.destroy();
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
  const socket = req.socket as TLSSocket;
  const client = socket.authorized ? d.clients.byCertificate(peerDer(socket)) : undefined;
  if (!client) {
    req.socket.destroy();
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
