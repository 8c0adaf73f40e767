/**
 * The console as an OpenID client of this server's own OpenID Provider
 * (openid-client): authorization code with PKCE (S256), state and nonce,
 * private_key_jwt at the token endpoint with the console's key
 * (registry/workflow/console-eservice.ts), the ID Token's signature, issuer,
 * audience and nonce checked, and the level of assurance asked for as an
 * essential claim and checked on the answer (`acr` = the provider's only, the
 * card's: urn:tw:neid:loa:high). `prompt=login`: every login reads the card
 * again; the ID Token's `auth_time` must lie after the login began.
 *
 * The provider is reached on this instance's own web listener, whatever
 * routing lies between the public URL and it, trusting the TLS certificates
 * of the PKI directory (and the usual roots, for a publicly issued one).
 */
import { webcrypto } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { isIP } from 'node:net';
import { checkServerIdentity, rootCertificates } from 'node:tls';
import * as oc from 'openid-client';
import type { ConsoleClientKey } from '../../registry/workflow/console-eservice.js';
import { ACR } from '../oidc/claims.js';

export interface ConsoleOidcOptions {
  /** {web}/oidc. */
  readonly issuer: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly key: () => Promise<ConsoleClientKey>;
  /** The web listener to connect to, and the certificates it presents (PEM). */
  readonly listener: {
    readonly host: string;
    readonly port: number;
    readonly certificates: readonly string[];
  };
}

export class LoginFailed extends Error {
  override readonly name = 'LoginFailed';
  constructor(
    /** The OAuth error, or this client's own code (`invalid-response`, `acr`, `stale`). */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface CardLogin {
  /** The pairwise subject of the card for the console. */
  readonly subject: string;
  readonly authTime: Date;
}

/** A Fetch-API function over node:https to the local listener, for openid-client. */
function localFetch(o: ConsoleOidcOptions['listener'], publicOrigin: string) {
  const pub = new URL(publicOrigin);
  const ca = [...rootCertificates, ...o.certificates];
  const host = o.host === '0.0.0.0' ? '127.0.0.1' : o.host === '::' ? '::1' : o.host;
  return (url: string, options: { method: string; headers: Record<string, string>; body?: unknown }) =>
    new Promise<Response>((resolve, reject) => {
      const u = new URL(url);
      if (u.origin !== pub.origin) {
        reject(new Error(`the console talks only to its own provider, not ${u.origin}`));
        return;
      }
      const body =
        options.body instanceof URLSearchParams || typeof options.body === 'string'
          ? String(options.body)
          : undefined;
      const req = request(
        {
          host,
          port: o.port,
          path: `${u.pathname}${u.search}`,
          method: options.method,
          headers: { ...options.headers, host: u.host },
          ca,
          ...(isIP(u.hostname) ? {} : { servername: u.hostname }),
          checkServerIdentity: (_h, cert) => checkServerIdentity(u.hostname, cert),
          agent: false,
          timeout: 15_000,
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const headers = new Headers();
            for (const [k, v] of Object.entries(res.headers))
              for (const x of Array.isArray(v) ? v : v === undefined ? [] : [v]) headers.append(k, x);
            const status = res.statusCode ?? 502;
            const empty = [204, 304].includes(status);
            resolve(new Response(empty ? null : Buffer.concat(chunks), { status, headers }));
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('the OpenID Provider did not answer')));
      req.on('error', reject);
      req.end(body);
    });
}

export class ConsoleOidc {
  private config?: Promise<oc.Configuration>;

  constructor(private readonly o: ConsoleOidcOptions) {}

  private configuration(): Promise<oc.Configuration> {
    this.config ??= (async () => {
      const key = await this.o.key();
      const { kid, ...jwk } = key.publicJwk;
      void jwk;
      const signing = await webcrypto.subtle.importKey(
        'pkcs8',
        key.privateKey.export({ format: 'der', type: 'pkcs8' }),
        { name: 'ECDSA', namedCurve: 'P-256' },
        false,
        ['sign'],
      );
      const config = await oc.discovery(
        new URL(this.o.issuer),
        this.o.clientId,
        { id_token_signed_response_alg: 'ES256' },
        oc.PrivateKeyJwt({ key: signing as oc.CryptoKey, kid }),
        { [oc.customFetch]: localFetch(this.o.listener, new URL(this.o.issuer).origin) as never },
      );
      oc.enableNonRepudiationChecks(config);
      return config;
    })().catch((e: Error) => {
      this.config = undefined;
      throw e;
    });
    return this.config;
  }

  /** The authorization request of a new card login, and what the callback must check. */
  async begin(): Promise<{ url: string; state: string; nonce: string; verifier: string }> {
    const config = await this.configuration();
    const verifier = oc.randomPKCECodeVerifier();
    const state = oc.randomState();
    const nonce = oc.randomNonce();
    const url = oc.buildAuthorizationUrl(config, {
      redirect_uri: this.o.redirectUri,
      scope: 'openid',
      response_type: 'code',
      code_challenge: await oc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      prompt: 'login',
      claims: JSON.stringify({
        id_token: { acr: { essential: true, value: ACR }, auth_time: { essential: true } },
      }),
    });
    return { url: url.href, state, nonce, verifier };
  }

  /** The callback: the code exchanged, the ID Token checked; the card's subject and when it was read. */
  async finish(
    callbackUrl: string,
    s: { state: string; nonce: string; verifier: string; ttlMs: number },
  ): Promise<CardLogin> {
    const u = new URL(callbackUrl);
    const error = u.searchParams.get('error');
    if (error) throw new LoginFailed(error, u.searchParams.get('error_description') ?? error);
    const config = await this.configuration();
    let claims: oc.IDToken | undefined;
    try {
      const tokens = await oc.authorizationCodeGrant(config, u, {
        pkceCodeVerifier: s.verifier,
        expectedState: s.state,
        expectedNonce: s.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (e) {
      throw new LoginFailed('invalid-response', (e as Error).message);
    }
    if (!claims?.sub) throw new LoginFailed('invalid-response', 'the ID Token has no subject');
    if (claims.acr !== ACR) throw new LoginFailed('acr', `the login was not at ${ACR}`);
    const authTime = typeof claims.auth_time === 'number' ? new Date(claims.auth_time * 1000) : undefined;
    // The provider's clock (this process): the card must have been read within this login's lifetime.
    if (!authTime || authTime.getTime() < Date.now() - s.ttlMs - 5000)
      throw new LoginFailed('stale', 'the ID Token does not carry an authentication of this login');
    return { subject: claims.sub, authTime };
  }
}
