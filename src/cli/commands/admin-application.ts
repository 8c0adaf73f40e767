/**
 * `neid admin application submit ID --credential FILE [--sign-cert CERT --sign-key KEY]
 *   [--ca FILE | --insecure] [--config FILE]` — submits a draft application through the admin API.
 *   With --sign-cert/--sign-key it is filed online (seed 004 第陸章 壹.一): the canonical application
 *   (GET /applications/ID/canonical) is signed with the organisation certificate (工商憑證, 組織憑證,
 *   政府機關憑證: a PEM certificate and its PKCS#8 or PKCS#1 key) as a detached CMS SignedData, which
 *   the server checks against its organisation CAs and CRLs and binds to the form's 統一編號. Without
 *   them it is a paper filing. The same signature can be made with
 *   `openssl cms -sign -binary -in canonical.json -signer CERT -inkey KEY -outform DER`.
 * `neid admin application canonical ID --credential FILE [--out FILE]` — writes the bytes to sign.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { OID } from '../../asn1/oids.js';
import { parse, UsageError } from '../../config/args.js';
import { signCms } from '../../pki/x509/cms.js';
import { derFromPem } from '../../pki/x509/pem.js';
import { bearerToken, send, type TlsTrust, trustOf } from './admin.js';

const OPTIONS = {
  credential: { type: 'string' },
  'sign-cert': { type: 'string' },
  'sign-key': { type: 'string' },
  out: { type: 'string' },
  ca: { type: 'string' },
  insecure: { type: 'boolean' },
  config: { type: 'string' },
} as const;

interface Api {
  call(
    method: string,
    path: string,
    o?: { body?: unknown; ifMatch?: string },
  ): Promise<{ status: number; text: string; etag?: string }>;
}

async function api(credential: string | undefined, tls: TlsTrust): Promise<Api> {
  if (!credential) throw new UsageError('--credential FILE is required (an admin API credential)');
  const { token, cred } = await bearerToken(credential, tls);
  const base = cred.tokenUrl.replace(/\/token$/, '');
  return {
    async call(method, path, o = {}) {
      const r = await send(
        `${base}${path}`,
        {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...(o.ifMatch ? { 'if-match': o.ifMatch } : {}),
          },
          ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
        },
        tls,
      );
      const etag = r.headers.etag;
      return { status: r.status, text: r.text, ...(typeof etag === 'string' ? { etag } : {}) };
    },
  };
}

/** The application id (a UUID), the one positional argument. */
function idOf(positionals: string[]): string {
  const [id, ...rest] = positionals;
  if (!id || rest.length || !/^[0-9a-f-]{36}$/.test(id))
    throw new UsageError('give the application id (a UUID) as the one argument');
  return id;
}

/** A refusal of the API as one line naming its type and field. */
function fail(what: string, r: { status: number; text: string }): number {
  let line = r.text;
  try {
    const p = JSON.parse(r.text) as { type?: string; detail?: string; pointer?: string };
    line = `${p.type?.replace(/^.*:problem:/, '') ?? r.status}${p.pointer ? ` (${p.pointer})` : ''}: ${p.detail ?? ''}`;
  } catch {}
  process.stderr.write(`${what} refused (HTTP ${r.status}): ${line}\n`);
  return 1;
}

export async function applicationCanonical(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, true);
  const id = idOf(positionals);
  const a = await api(values.credential, trustOf(values));
  const r = await a.call('GET', `/applications/${id}/canonical`);
  if (r.status !== 200) return fail('reading the application', r);
  if (values.out) writeFileSync(values.out, r.text);
  else process.stdout.write(r.text);
  return 0;
}

export async function applicationSubmit(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, true);
  const id = idOf(positionals);
  const certFile = values['sign-cert'];
  const keyFile = values['sign-key'];
  if (!!certFile !== !!keyFile) throw new UsageError('--sign-cert and --sign-key go together');
  const a = await api(values.credential, trustOf(values));
  const canonical = await a.call('GET', `/applications/${id}/canonical`);
  if (canonical.status !== 200 || !canonical.etag) return fail('reading the application', canonical);
  let body: { signature: string } | undefined;
  if (certFile && keyFile) {
    const signature = signCms({
      contentType: OID.idData,
      content: Buffer.from(canonical.text, 'utf8'),
      signerCert: derFromPem(readFileSync(certFile, 'utf8')),
      signerKey: createPrivateKey(readFileSync(keyFile)),
      hash: 'sha256',
      detached: true,
    });
    body = { signature: signature.toString('base64') };
  }
  const r = await a.call('POST', `/applications/${id}/submit`, {
    ifMatch: canonical.etag,
    ...(body ? { body } : {}),
  });
  if (r.status !== 200) return fail('the submission', r);
  const app = JSON.parse(r.text) as {
    status: string;
    filing: { method: string; organisationId?: string } | null;
  };
  process.stdout.write(`${JSON.stringify({ id, status: app.status, filing: app.filing }, null, 2)}\n`);
  return 0;
}
