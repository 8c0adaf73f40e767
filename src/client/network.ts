/**
 * The eID-Client's connections (TR-03124-1 §2.7.1–2.7.2). Server
 * certificates are not chain-verified (§2.7.1 footnote 4): their
 * authenticity comes from the eService certificate's CertificateDescription,
 * which must list the hash of every certificate seen. Hostname and validity
 * are still checked. eID connections use TLS 1.2, as the reference client does.
 *
 * A resumed TLS session carries no certificate (the abbreviated handshake of
 * RFC 5246 §7.3 sends none, and OpenSSL keeps no chain for it). Every full
 * handshake made through an Agent therefore records the server certificate
 * under the session's master-secret fingerprint; a resumption answers with
 * that certificate, and a resumption of a session this client never saw
 * with a certificate is refused. Citizens take their time between two
 * messages (consent, PIN entry), so connections are resumed routinely:
 * attached mode depends on it (§2.7.2), and the RefreshAddress is reached
 * on the TC Token fetch's session.
 */

import type { IncomingMessage } from 'node:http';
import { type Agent, request as httpsRequest } from 'node:https';
import { checkServerIdentity, type PeerCertificate, type TLSSocket } from 'node:tls';
import { tlsSessionBinding } from '../interfaces/http/tls.js';
import { ClientError } from './errors.js';

export interface SeenCertificate {
  readonly origin: string;
  readonly der: Buffer;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
  readonly socket: TLSSocket;
}

const MAX_BODY = 8 * 1024 * 1024;

/** Per Agent: master-secret fingerprint of each TLS session → the certificate of its full handshake. */
const sessionCertificates = new WeakMap<Agent, Map<string, PeerCertificate>>();
/** The server certificate of each connection, full or resumed. */
const socketCertificates = new WeakMap<TLSSocket, PeerCertificate>();

/** The certificate of this connection: from the handshake, or remembered for a resumed session. */
function certificateOf(tls: TLSSocket, agent: Agent | undefined): PeerCertificate | undefined {
  const known = socketCertificates.get(tls);
  if (known) return known;
  const binding = tlsSessionBinding(tls);
  const remembered = agent && binding ? sessionCertificates.get(agent)?.get(binding) : undefined;
  let cert: PeerCertificate | undefined;
  if (tls.isSessionReused()) {
    cert = remembered;
  } else {
    const c = tls.getPeerCertificate();
    cert = c?.raw ? c : undefined;
    if (cert && agent && binding) {
      const m = sessionCertificates.get(agent) ?? new Map<string, PeerCertificate>();
      sessionCertificates.set(agent, m);
      m.set(binding, cert);
    }
  }
  if (cert) socketCertificates.set(tls, cert);
  return cert;
}

function checkPeer(host: string, cert: PeerCertificate | undefined): Error | undefined {
  const now = Date.now();
  if (!cert?.raw) return new Error('no server certificate (a resumed TLS session this client did not start)');
  if (Date.parse(cert.valid_from) > now || Date.parse(cert.valid_to) < now)
    return new Error('server certificate is not valid now');
  return checkServerIdentity(host, cert);
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
  readonly agent?: Agent;
  /** TLS-PSK: identity and key (RSA-PSK suites). */
  readonly psk?: { readonly identity: string; readonly key: Buffer };
  readonly timeoutMs?: number;
}

export function httpsCall(url: URL, o: RequestOptions = {}): Promise<HttpResponse> {
  if (url.protocol !== 'https:')
    return Promise.reject(new ClientError('communicationError', `refusing non-https URL ${url.origin}`));
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: o.method ?? 'GET',
        headers: o.headers,
        agent: o.agent ?? false,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.2',
        servername: /^[\d.]+$|:/.test(url.hostname) ? undefined : url.hostname,
        ...(o.psk
          ? {
              ciphers:
                'RSA-PSK-AES256-GCM-SHA384:RSA-PSK-AES128-GCM-SHA256:RSA-PSK-AES256-CBC-SHA384:RSA-PSK-AES128-CBC-SHA256',
              pskCallback: () => ({ psk: o.psk!.key, identity: o.psk!.identity }),
            }
          : {}),
        timeout: o.timeoutMs ?? 60_000,
      },
      (res) => {
        const socket = res.socket as TLSSocket;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) req.destroy(new ClientError('communicationError', 'response too large'));
          else chunks.push(c);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), socket }),
        );
        res.on('error', reject);
      },
    );
    req.on('socket', (s) => {
      const tls = s as TLSSocket;
      const agent = o.agent;
      const verify = () => {
        const err = checkPeer(url.hostname.replace(/^\[|\]$/g, ''), certificateOf(tls, agent));
        if (err) req.destroy(new ClientError('communicationError', `TLS server ${url.host}: ${err.message}`));
      };
      // A kept-alive connection was verified when it was opened.
      if (socketCertificates.has(tls)) verify();
      else tls.once('secureConnect', verify);
    });
    req.on('timeout', () =>
      req.destroy(new ClientError('communicationError', `timeout talking to ${url.origin}`)),
    );
    req.on('error', (e) =>
      reject(
        e instanceof ClientError ? e : new ClientError('communicationError', `${url.origin}: ${e.message}`),
      ),
    );
    if (o.body) req.write(o.body);
    req.end();
  });
}

/** The DER of the server certificate of a connection made by httpsCall (verified there). */
export function peerCertificateDer(socket: TLSSocket): Buffer {
  const cert = socketCertificates.get(socket);
  if (!cert) throw new ClientError('communicationError', 'no verified server certificate on this connection');
  return Buffer.from(cert.raw);
}

const REDIRECTS = new Set([302, 303, 307]);

/**
 * GET with the redirect rules of TR-03124-1 §2.7.1: follow 302/303/307,
 * https only; record the server certificate of every hop.
 */
export async function getFollowingRedirects(
  start: string,
  agent: Agent,
  seen: SeenCertificate[],
  maxHops = 10,
): Promise<{ url: URL; response: HttpResponse }> {
  let url = new URL(start);
  for (let hop = 0; hop <= maxHops; hop++) {
    const r = await httpsCall(url, { agent });
    seen.push({ origin: url.origin, der: peerCertificateDer(r.socket) });
    if (!REDIRECTS.has(r.status)) return { url, response: r };
    const loc = r.headers.location;
    if (!loc) throw new ClientError('communicationError', `redirect without Location from ${url.origin}`);
    url = new URL(loc, url);
    if (url.protocol !== 'https:')
      throw new ClientError('communicationError', `redirect to non-https URL ${url.origin}`);
  }
  throw new ClientError('communicationError', 'too many redirects');
}

/** Same origin per RFC 6454: scheme, host and port. */
export function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
