/**
 * TLS listeners (TR-03116-4 §4; TR-03124-1 §2.1):
 *
 * - web: TLS 1.2/1.3 with ECDHE + AES-GCM; serves browsers and, in attached
 *   mode, the eID-Client's TCToken fetch and PAOS. Attached mode binds the
 *   PAOS connection to the TLS session of the TCToken fetch by the session's
 *   master secret (identical across TLS 1.2 resumption, which the eID-Client
 *   must use); so attached mode requires TLS 1.2 on those two connections.
 * - psk: TLS 1.2 RSA-PSK only (RFC 4279), psk_identity = SessionIdentifier.
 *   Session resumption is refused outright — no tickets, no session cache,
 *   and a connection that nevertheless reports a reused session is dropped —
 *   because a resumed session skips the PSK callback.
 */
import { createHash, constants as cryptoConstants } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { Server as NetServer } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { childrenOf, parseTlv } from '../../tlv/tlv.js';
import type { PskDirectory } from '../../workflows/session/store.js';
import { tagRequests } from './request-id.js';

/** TR-03116-4 suites: ECDHE with AES-GCM (TLS 1.2); TLS 1.3 suites are OpenSSL's defaults. */
export const WEB_CIPHERS = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-AES128-GCM-SHA256',
].join(':');

/** TR-03116-4 / TR-03124-1: RSA-PSK suites towards the eID-Client. */
export const PSK_CIPHERS = [
  'RSA-PSK-AES256-GCM-SHA384',
  'RSA-PSK-AES128-GCM-SHA256',
  'RSA-PSK-AES256-CBC-SHA384',
  'RSA-PSK-AES128-CBC-SHA256',
].join(':');

export const ECDH_CURVES = 'X25519:prime256v1:secp384r1:brainpoolP256r1:brainpoolP384r1:brainpoolP512r1';

export interface TlsMaterial {
  readonly key: string;
  readonly cert: string;
}

/**
 * Keep-alive sized for a person: an eID-Client pauses between two PAOS
 * messages while the citizen reads the consent page and enters the PIN, and
 * Node's default (5 s) would close that connection under it. The idle time
 * is announced in `Keep-Alive: timeout=` (Node's client closes a second
 * before the server would); the headers of a request must still arrive within
 * `headersTimeout` once it starts.
 */
function keepIdle(server: Server, idleMs: number | undefined): Server {
  if (idleMs !== undefined) server.keepAliveTimeout = idleMs;
  return server;
}

/**
 * `ec`: an ECDSA key and certificate offered beside the RSA pair; OpenSSL picks the one matching
 * the negotiated suite (ECDHE-ECDSA first), so clients that can verify ECDSA get the cheap handshake.
 */
export function createWebServer(
  tls: TlsMaterial & { readonly ec?: TlsMaterial },
  handler: RequestListener,
  idleMs?: number,
): Server {
  const server = createHttpsServer(
    {
      key: tls.ec ? [tls.key, tls.ec.key] : tls.key,
      cert: tls.ec ? [tls.cert, tls.ec.cert] : tls.cert,
      minVersion: 'TLSv1.2',
      ciphers: WEB_CIPHERS,
      ecdhCurve: ECDH_CURVES,
      honorCipherOrder: true,
    },
    handler,
  );
  return keepIdle(server, idleMs);
}

const pskIdentities = new WeakMap<object, string>();

export function createPskServer(
  tls: TlsMaterial,
  psks: PskDirectory,
  handler: RequestListener,
  idleMs?: number,
): Server {
  const server = createHttpsServer(
    {
      key: tls.key,
      cert: tls.cert,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      ciphers: PSK_CIPHERS,
      secureOptions: cryptoConstants.SSL_OP_NO_TICKET,
      pskCallback: (socket: TLSSocket, identity: string) => {
        const psk = psks.lookup(identity);
        if (psk) pskIdentities.set(socket, identity);
        return psk ?? null;
      },
    },
    handler,
  );
  server.on('secureConnection', (socket: TLSSocket) => {
    if (socket.isSessionReused() || !pskIdentities.has(socket)) socket.destroy();
  });
  return keepIdle(server, idleMs);
}

/** The PSK identity the client authenticated with on this connection, if any. */
export function pskIdentityOf(socket: unknown): string | undefined {
  return socket && typeof socket === 'object' ? pskIdentities.get(socket) : undefined;
}

/**
 * A fingerprint of the TLS session: SHA-256 of the master secret, element 5
 * of OpenSSL's SSL_SESSION ASN.1 (version, ssl_version, cipher, session_id,
 * master_key, …). Stable across TLS 1.2 resumption; undefined for TLS 1.3.
 */
export function tlsSessionBinding(socket: TLSSocket): string | undefined {
  if (socket.getProtocol() !== 'TLSv1.2') return undefined;
  const der = socket.getSession();
  if (!der) return undefined;
  try {
    const fields = childrenOf(parseTlv(der));
    const master = fields[4];
    if (master?.tag !== 0x04 || master.value.length < 32) return undefined;
    return createHash('sha256').update(master.value).digest('hex');
  } catch {
    return undefined;
  }
}

/** Starts a listener; every request it serves gets a request id (request-id.ts). */
export function listen(server: NetServer, host: string, port: number): Promise<number> {
  tagRequests(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}
