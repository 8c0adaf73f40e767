/**
 * The steps on an eService's page, each one admin API operation: the profile,
 * suspension / resumption / revocation, the front-end registrations (SAML
 * metadata by upload or URL, the OIDC client, SOAP settings and certificates),
 * and the terminal certificates (renew now, download a request for the
 * Ministry's DV, import its certificate, withdraw a request).
 */
import type { Context } from 'koa';
import { Problem } from '../../admin/problem.js';
import type { Form } from '../forms.js';
import type { ConsoleKit } from '../kit.js';
import type { PageViewer } from '../layout.js';
import { bodyOf } from './common.js';
import { eServicePage } from './eservices.js';

const ES = '/admin/eservices';
const UPLOAD = 20 * 1024 * 1024;

export function eServiceActions(kit: ConsoleKit): void {
  /** A step whose refusal comes back to the eService's page, with its errors. */
  const step = (
    path: string,
    run: (ctx: Context, v: PageViewer, id: string, f: Form) => Promise<string>,
    o: { multipart?: boolean; limit?: number } = {},
  ) =>
    kit.post(
      `${ES}/:id/${path}`,
      async (ctx, v, f) => {
        const id = ctx.params.id!;
        try {
          kit.done(ctx, `${ES}/${id}`, await run(ctx, v, id, f));
        } catch (e) {
          await kit.refuse(ctx, v, e, {
            back: `${ES}/${id}`,
            form: (errors, status) => eServicePage(kit, ctx, v, { values: f.values, errors, status }),
          });
        }
      },
      o,
    );

  step('profile', async (_ctx, v, id, f) => {
    const n = f.get('maxOpenSessions');
    await kit.call(v, 'patchEService', {
      params: { id },
      version: f.get('_version'),
      body: {
        displayName: { zh: f.get('displayName.zh'), en: f.get('displayName.en') },
        purpose: { zh: f.get('purpose.zh'), en: f.get('purpose.en') },
        url: f.get('url') || null,
        ...(n ? { maxOpenSessions: /^\d{1,9}$/.test(n) ? Number(n) : n } : {}),
      },
    });
    return 'saved';
  });
  step('status', async (_ctx, v, id, f) => {
    const action = f.get('action');
    if (action !== 'suspend' && action !== 'resume' && action !== 'revoke')
      throw new Problem(400, 'invalid-body', 'Invalid', 'no such step', '/action');
    const reason = f.get('reason');
    await kit.call(v, `${action}EService`, {
      params: { id },
      version: f.get('_version'),
      body: reason ? { reason } : {},
    });
    return action === 'suspend' ? 'suspended' : action === 'resume' ? 'resumed' : 'revoked';
  });
  step(
    'saml',
    async (_ctx, v, id, f) => {
      const file = f.file('metadataXml');
      const url = f.get('metadataUrl');
      await kit.call(v, 'putSAML', {
        params: { id },
        body: {
          ...(file ? { metadataXml: file.data.toString('utf8') } : url ? { metadataUrl: url } : {}),
          nameIdFormat: f.get('nameIdFormat') || 'transient',
        },
      });
      return 'saved';
    },
    { multipart: true, limit: UPLOAD },
  );
  for (const kind of ['saml', 'oidc', 'soap'] as const)
    step(`${kind}/remove`, async (_ctx, v, id) => {
      await kit.call(v, `delete${kind.toUpperCase()}`, { params: { id } });
      return 'removed';
    });
  step(
    'oidc',
    async (_ctx, v, id, f) => {
      let client: unknown;
      try {
        client = JSON.parse(f.get('client'));
      } catch (e) {
        throw new Problem(422, 'invalid-body', 'Invalid', `not JSON: ${(e as Error).message}`, '/client', [
          { pointer: '/client', detail: `not JSON: ${(e as Error).message}`, keyword: 'type' },
        ]);
      }
      await kit.call(v, 'putOIDC', { params: { id }, body: { client } });
      return 'saved';
    },
    { limit: 256 * 1024 },
  );
  step('soap/settings', async (_ctx, v, id, f) => {
    await kit.call(v, 'putSOAP', { params: { id }, body: { requestCounter: f.get('requestCounter') } });
    return 'saved';
  });
  step('soap/certificates', async (_ctx, v, id, f) => {
    await kit.call(v, 'addSOAPCertificate', {
      params: { id },
      body: { usage: f.get('usage'), certificate: f.get('certificate') },
    });
    return 'saved';
  });
  step('soap/certificates/remove', async (_ctx, v, id, f) => {
    await kit.call(v, 'removeSOAPCertificate', {
      params: { id, usage: f.get('usage'), fingerprint: f.get('fingerprint') },
    });
    return 'removed';
  });
  step('promote', async (_ctx, v, id) => {
    await kit.call(v, 'promoteEService', { params: { id } });
    return 'promoted';
  });
  step('terminals/renew', async (_ctx, v, id) => {
    await kit.call(v, 'renewTerminal', { params: { id } });
    return 'renewed';
  });

  kit.post(
    '/admin/terminals/import',
    async (ctx, v, f) => {
      const back = `${ES}/${encodeURIComponent(f.get('eService'))}`;
      try {
        const file = f.file('cvcert');
        const t = bodyOf(
          await kit.call(v, 'importTerminalCertificate', {
            body: { certificate: file ? file.data.toString('base64') : '' },
          }),
        );
        kit.done(ctx, `${ES}/${t.eServiceId}`, 'imported');
      } catch (e) {
        await kit.refuse(ctx, v, e, { back });
      }
    },
    { multipart: true, limit: 64 * 1024 },
  );
  kit.post('/admin/terminals/:chr/withdraw', async (ctx, v) => {
    const chr = ctx.params.chr!;
    try {
      const t = bodyOf(await kit.call(v, 'getTerminal', { params: { chr } }));
      await kit.call(v, 'withdrawTerminalRequest', { params: { chr } });
      kit.done(ctx, `${ES}/${t.eServiceId}`, 'withdrawn');
    } catch (e) {
      await kit.refuse(ctx, v, e, { back: ES });
    }
  });
  kit.get('/admin/terminals/:chr/request', async (ctx, v) => {
    try {
      const r = await kit.call(v, 'getTerminalRequest', { params: { chr: ctx.params.chr! } });
      for (const [k, val] of Object.entries(r.headers ?? {})) ctx.set(k, val);
      ctx.type = 'application/octet-stream';
      ctx.body = r.body;
    } catch (e) {
      await kit.refuse(ctx, v, e, { back: ES });
    }
  });
}
