/**
 * `neid admin bootstrap [--name NAME] [--force]` — the first admin API account of an installation,
 *   with every role; prints its credential (with the private key) ONCE on stdout. Keep it safe.
 * `neid admin token --credential FILE [--ca FILE | --insecure] [--config FILE]` — exchange the
 *   credential for a bearer token (RFC 7523 client assertion at the token endpoint) and print it, for
 *   curl. Without --ca it trusts the server's TLS certificates of the configured PKI directory.
 */
import { createPrivateKey, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { parse, UsageError } from '../../config/args.js';
import { loadServerConfig } from '../../config/server-config.js';
import { ASSERTION_TYPE } from '../../interfaces/admin/auth.js';
import { signJws } from '../../interfaces/admin/jws.js';
import { ADMIN_BASE } from '../../interfaces/admin/mount.js';
import { PKI_FILES } from '../../pki/layout.js';
import { cliPrincipal } from '../../registry/roles.js';
import { bootstrapAdmin } from '../../registry/workflow/accounts.js';
import { withRegistry } from './registry-open.js';

export interface CredentialFile {
  readonly account: string;
  readonly credential: string;
  readonly tokenUrl: string;
  readonly privateJwk: Record<string, unknown>;
}

export async function adminBootstrap(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    config: { type: 'string' },
    name: { type: 'string' },
    force: { type: 'boolean' },
  });
  return withRegistry(values.config, async (r) => {
    const issued = await bootstrapAdmin({ db: r.db, now: () => new Date() }, cliPrincipal(), {
      ...(values.name ? { name: values.name } : {}),
      ...(values.force ? { force: true } : {}),
    });
    const file: CredentialFile = {
      account: issued.account.id,
      credential: issued.credential.id,
      tokenUrl: `${r.config.web.publicUrl}${ADMIN_BASE}/token`,
      privateJwk: issued.privateJwk as Record<string, unknown>,
    };
    process.stdout.write(`${JSON.stringify(file, null, 2)}\n`);
    process.stderr.write(
      `admin account ${issued.account.id} (roles: ${issued.account.roles.join(', ')}) created; its private key is printed above ONCE — store it (mode 0600), it is not kept by the server\n`,
    );
    return 0;
  });
}

export interface TlsTrust {
  readonly ca?: Buffer;
  readonly insecure?: boolean;
}

/** One HTTPS request of the CLI to the server (15 s at most). */
export function send(
  url: string,
  o: { method: string; headers?: Record<string, string>; body?: string },
  tls: TlsTrust,
): Promise<{ status: number; text: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: o.method,
        headers: {
          ...(o.headers ?? {}),
          ...(o.body !== undefined ? { 'content-length': String(Buffer.byteLength(o.body)) } : {}),
        },
        ...(tls.ca ? { ca: tls.ca } : {}),
        ...(tls.insecure ? { rejectUnauthorized: false } : {}),
        timeout: 15_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url}`)));
    req.on('error', reject);
    req.end(o.body);
  });
}

const post = (url: string, body: string, tls: TlsTrust) =>
  send(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, tls);

/** The server's own TLS certificates (RSA and ECDSA) from the PKI directory of the configuration. */
export function serverCertificates(configFile: string | undefined): Buffer | undefined {
  const dir = loadServerConfig(configFile).pki.dir;
  const files = [PKI_FILES.tlsCert, PKI_FILES.tlsEcCert]
    .map((f) => join(dir, f))
    .filter((f) => existsSync(f));
  return files.length ? Buffer.concat(files.map((f) => readFileSync(f))) : undefined;
}

/** Trust for the server: --ca, else its TLS certificates from its PKI directory (a test PKI is self-signed). */
export function trustOf(values: { ca?: string; insecure?: boolean; config?: string }): TlsTrust {
  const ca = values.ca
    ? readFileSync(values.ca)
    : values.insecure
      ? undefined
      : serverCertificates(values.config);
  return { ...(ca ? { ca } : {}), ...(values.insecure ? { insecure: true } : {}) };
}

/** A bearer token for the credential file (RFC 7523 client assertion), or an error naming the answer. */
export async function bearerToken(
  credentialFile: string,
  tls: TlsTrust,
): Promise<{ token: string; cred: CredentialFile }> {
  const cred = JSON.parse(readFileSync(credentialFile, 'utf8')) as CredentialFile;
  const key = createPrivateKey({ key: cred.privateJwk as never, format: 'jwk' });
  const now = Math.floor(Date.now() / 1000);
  const assertion = signJws(
    { iss: cred.account, sub: cred.account, aud: cred.tokenUrl, iat: now, exp: now + 120, jti: randomUUID() },
    key,
    cred.credential,
  );
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_assertion_type: ASSERTION_TYPE,
    client_assertion: assertion,
  }).toString();
  const res = await post(cred.tokenUrl, body, tls);
  if (res.status !== 200) throw new Error(`the token endpoint answered ${res.status}: ${res.text}`);
  return { token: (JSON.parse(res.text) as { access_token: string }).access_token, cred };
}

export async function adminToken(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    credential: { type: 'string' },
    ca: { type: 'string' },
    insecure: { type: 'boolean' },
    config: { type: 'string' },
  });
  if (!values.credential)
    throw new UsageError('--credential FILE is required (the output of neid admin bootstrap)');
  try {
    process.stdout.write(`${(await bearerToken(values.credential, trustOf(values))).token}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
}
