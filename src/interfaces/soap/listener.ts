/**
 * The SOAP listener (TR-03130-1 §3.5.1): HTTPS with mutual TLS, TLS 1.2 or
 * 1.3 with the TR-03116-4 suites of the web listener. Its only trust anchors
 * are the registered eService client certificates, so an unknown client
 * certificate fails the handshake; a connection whose certificate is not
 * exactly a registered one (e.g. issued by a registered CA certificate) is
 * dropped as soon as it is established.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { BodyTooLargeError, readBody } from '../http/body.js';
import { ECDH_CURVES, type TlsMaterial, WEB_CIPHERS } from '../http/tls.js';
import { type SoapClient, type SoapClients, validAt } from './clients.js';
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

/**
 * The registered client of this connection, if its certificate is registered and valid now
 * (checked on every request: a connection may outlive its certificate).
 */
function clientOf(d: ListenerDeps, socket: TLSSocket): SoapClient | undefined {
  const client = d.clients.byCertificate(peerDer(socket));
  if (!client) {
    d.log.warn(
      { remote: socket.remoteAddress },
      'SOAP client certificate is not registered; connection dropped',
    );
    return undefined;
  }
  if (!validAt(client.clientCert, Date.now())) {
    d.log.warn(
      {
        eService: client.eService.id,
        notAfter: client.clientCert.validTo,
        notBefore: client.clientCert.validFrom,
      },
      'SOAP client certificate is outside its validity; connection dropped',
    );
    return undefined;
  }
  return client;
}

export function createSoapServer(d: ListenerDeps): Server {
  const server = createHttpsServer({ ...secureContext(d), requestCert: true, rejectUnauthorized: true });
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
  // SOAP 1.1 over HTTP: text/xml.
  if (!/^text\/xml\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
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
