/** An admin API client for tests: a bootstrapped service account, its bearer token, JSON calls over HTTPS. */
import { createPrivateKey, randomUUID } from 'node:crypto';
import { request } from 'node:https';
import { ASSERTION_TYPE } from '../../src/interfaces/admin/auth.js';
import { signJws } from '../../src/interfaces/admin/jws.js';
import { cliPrincipal, type Role } from '../../src/registry/roles.js';
import { bootstrapAdmin } from '../../src/registry/workflow/accounts.js';
import type { RunningServer } from '../../src/server/server.js';
import { webCertificates } from './server.js';

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers by shape
  readonly json: any;
}

export function https(
  server: RunningServer,
  method: string,
  url: string,
  o: { body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, ca: webCertificates(server), headers: { ...(o.headers ?? {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

export interface AdminClient {
  readonly server: RunningServer;
  readonly base: string;
  readonly token: string;
  readonly account: string;
  /** A call with the account's bearer token (a new token when a fresh authentication is asked for). */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
}

/** A client assertion for `credential` of `account` (RFC 7523). */
export function assertion(
  privateJwk: Record<string, unknown>,
  account: string,
  credential: string,
  aud: string,
  claims: Record<string, unknown> = {},
): string {
  const now = Math.floor(Date.now() / 1000);
  return signJws(
    { iss: account, sub: account, aud, iat: now, exp: now + 60, jti: randomUUID(), ...claims },
    createPrivateKey({ key: privateJwk as never, format: 'jwk' }),
    credential,
  );
}

export async function tokenFor(server: RunningServer, jwt: string): Promise<Answer> {
  return https(server, 'POST', `${server.urls.web}/admin/api/v1/token`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: jwt,
    }).toString(),
  });
}

/** Bootstraps an account (every role, or `roles` via a second account) and gets its token. */
export async function adminClient(
  server: RunningServer,
  o: { roles?: Role[]; force?: boolean; eServices?: string[] } = {},
): Promise<AdminClient> {
  const issued = await bootstrapAdmin(server.registryRuntime.ctx, cliPrincipal(), { force: o.force ?? true });
  let account = issued.account.id;
  let credential = issued.credential.id;
  let jwk = issued.privateJwk as Record<string, unknown>;
  const base = `${server.urls.web}/admin/api/v1`;
  const bearer = async (a: string, c: string, k: Record<string, unknown>) => {
    const t = await tokenFor(server, assertion(k, a, c, `${base}/token`));
    if (t.status !== 200) throw new Error(`token: ${t.status} ${t.text}`);
    return t.json.access_token as string;
  };
  let token = await bearer(account, credential, jwk);
  const send = (
    tok: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    https(server, method, `${base}${path}`, {
      headers: {
        authorization: `Bearer ${tok}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const call = (tok: string) => send.bind(undefined, tok);
  if (o.roles) {
    // A second account with only these roles, made by the first one through the API.
    const admin = call(token);
    const acc = await admin('POST', '/accounts', {
      name: `test ${o.roles.join('+')}`,
      roles: o.roles,
      ...(o.eServices ? { eServices: o.eServices } : {}),
    });
    const { generateKeyPairSync } = await import('node:crypto');
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cred = await admin('POST', `/accounts/${acc.json.id}/credentials`, {
      publicJwk: pair.publicKey.export({ format: 'jwk' }),
    });
    account = acc.json.id;
    credential = cred.json.id;
    jwk = pair.privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
    token = await bearer(account, credential, jwk);
  }
  const client: AdminClient = {
    server,
    base,
    account,
    get token() {
      return token;
    },
    async call(method, path, body, headers) {
      const r = await send(token, method, path, body, headers);
      if (r.status !== 401 || r.json?.type !== 'urn:tw:neid:admin:problem:reauthentication-required')
        return r;
      token = await bearer(account, credential, jwk);
      return send(token, method, path, body, headers);
    },
  };
  return client;
}

const deciders = new WeakMap<RunningServer, Promise<{ reviewer: AdminClient; approver: AdminClient }>>();

/** A reviewer and an approver of the server (service accounts), for the four-eyes steps. */
export function decidersOf(server: RunningServer): Promise<{ reviewer: AdminClient; approver: AdminClient }> {
  let d = deciders.get(server);
  if (!d) {
    d = (async () => ({
      reviewer: await adminClient(server, { roles: ['reviewer'] }),
      approver: await adminClient(server, { roles: ['approver'] }),
    }))();
    deciders.set(server, d);
  }
  return d;
}

/**
 * Submits application `id` (at version 1) as `admin`, then a reviewer reviews it and an approver
 * approves it (four eyes) through the API; the answer of the approval.
 */
export async function submitAndApprove(admin: AdminClient, id: string): Promise<Answer> {
  const sub = await admin.call('POST', `/applications/${id}/submit`, undefined, { 'if-match': '"v1"' });
  if (sub.status !== 200) throw new Error(`submit: ${sub.status} ${sub.text}`);
  const { reviewer, approver } = await decidersOf(admin.server);
  const rev = await reviewer.call(
    'POST',
    `/applications/${id}/review`,
    { note: 'checked' },
    {
      'if-match': sub.headers.etag as string,
    },
  );
  if (rev.status !== 200) throw new Error(`review: ${rev.status} ${rev.text}`);
  return approver.call('POST', `/applications/${id}/approve`, {}, { 'if-match': rev.headers.etag as string });
}

/** A new eService applying for `fields`, submitted and approved through the API. */
export async function approveNewEService(
  admin: AdminClient,
  id: string,
  form: unknown,
  fields: readonly string[] = ['chineseName'],
): Promise<Answer> {
  const app = await admin.call('POST', '/applications', {
    eServiceId: id,
    eService: { id, displayName: { zh: id, en: id }, purpose: { zh: '測試', en: 'test' } },
    form,
    requestedFields: fields,
    requestedFunctions: [],
  });
  if (app.status !== 201) throw new Error(`application: ${app.status} ${app.text}`);
  return submitAndApprove(admin, app.json.id);
}
