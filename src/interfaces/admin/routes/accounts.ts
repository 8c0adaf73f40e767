/** Admin accounts (service accounts) and their credentials; the audit log. */
import type { JsonWebKey } from 'node:crypto';
import { rowOf, verifyAudit } from '../../../registry/audit/chain.js';
import { invalid } from '../../../registry/errors.js';
import type { Role } from '../../../registry/roles.js';
import { credentialsOf, getAccount, listAccounts } from '../../../registry/store/accounts.js';
import {
  addCredential,
  changeAccount,
  createAccount,
  dropCredential,
} from '../../../registry/workflow/accounts.js';
import type { AdminDeps } from '../deps.js';
import { checkPublicJwk } from '../jws.js';
import { Problem } from '../problem.js';
import { pageOf, type RouteDef, route } from '../route.js';
import { accountView, auditView } from '../views.js';

const TAG = 'Accounts';

export function accountRoutes(d: AdminDeps): RouteDef[] {
  return [
    route({
      method: 'get',
      path: '/accounts',
      operationId: 'listAccounts',
      summary: 'List admin accounts',
      tag: TAG,
      permission: 'account:manage',
      paged: true,
      handler: async (c) => {
        const rows = await listAccounts(d.ctx.db, c.page.after ?? '', c.page.limit + 1);
        const p = pageOf(rows, c.page.limit, (a) => a.id);
        return { body: { items: p.items.map((a) => accountView(a)), next: p.next } };
      },
    }),
    route<{ name: string; roles: Role[] }>({
      method: 'post',
      path: '/accounts',
      operationId: 'createAccount',
      summary: 'Create a service account with roles (add a credential next)',
      tag: TAG,
      permission: 'account:manage',
      body: 'AccountCreate',
      responses: { '201': 'Created' },
      handler: async (c) => {
        const a = await createAccount(d.ctx, c.principal, c.body.name, c.body.roles);
        return { status: 201, body: accountView(a, []), version: a.version };
      },
    }),
    route({
      method: 'get',
      path: '/accounts/{id}',
      operationId: 'getAccount',
      summary: 'Read an account and its credentials',
      tag: TAG,
      permission: 'account:manage',
      handler: async (c) => {
        const a = await getAccount(d.ctx.db, c.params.id!);
        return { body: accountView(a, await credentialsOf(d.ctx.db, a.id)), version: a.version };
      },
    }),
    route<{ roles?: Role[]; status?: 'active' | 'disabled' }>({
      method: 'patch',
      path: '/accounts/{id}',
      operationId: 'patchAccount',
      summary: 'Change roles, or disable / enable an account',
      tag: TAG,
      permission: 'account:manage',
      body: 'AccountPatch',
      ifMatch: true,
      handler: async (c) => {
        const a = await changeAccount(d.ctx, c.principal, c.params.id!, c.ifMatch, c.body);
        return { body: accountView(a), version: a.version };
      },
    }),
    route<{ publicJwk: JsonWebKey }>({
      method: 'post',
      path: '/accounts/{id}/credentials',
      operationId: 'addCredential',
      summary:
        'Register a public key (JWK, EC P-256 or RSA ≥ 2048) for private_key_jwt; its id is the JWT kid',
      tag: TAG,
      permission: 'account:manage',
      body: 'CredentialCreate',
      responses: { '201': 'Registered' },
      handler: async (c) => {
        const bad = checkPublicJwk(c.body.publicJwk);
        if (bad) throw invalid('/publicJwk', bad);
        const cred = await addCredential(d.ctx, c.principal, c.params.id!, c.body.publicJwk);
        return { status: 201, body: { id: cred.id, accountId: cred.accountId, kind: cred.kind } };
      },
    }),
    route({
      method: 'delete',
      path: '/accounts/{id}/credentials/{credentialId}',
      operationId: 'revokeCredential',
      summary: 'Revoke a credential (its tokens end at once)',
      tag: TAG,
      permission: 'account:manage',
      responses: { '204': 'Revoked' },
      handler: async (c) => {
        await dropCredential(d.ctx, c.principal, c.params.id!, c.params.credentialId!);
        return { status: 204 };
      },
    }),
    route({
      method: 'get',
      path: '/audit',
      operationId: 'listAudit',
      summary: 'Audit entries in chain order (cursor: after this sequence number)',
      tag: 'Audit',
      permission: 'audit:read',
      paged: true,
      handler: async (c) => {
        const after = c.page.after === undefined ? 0 : Number(c.page.after);
        if (!Number.isSafeInteger(after))
          throw new Problem(400, 'invalid-query', 'Invalid query', 'bad cursor', '/cursor');
        const rows = (
          await d.ctx.db.query<Record<string, unknown>>(
            'SELECT * FROM neid.audit_log WHERE seq > $1 ORDER BY seq LIMIT $2',
            [after, c.page.limit + 1],
          )
        ).map(rowOf);
        const p = pageOf(rows, c.page.limit, (r) => String(r.seq));
        return { body: { items: p.items.map(auditView), next: p.next } };
      },
    }),
    route({
      method: 'get',
      path: '/audit/verify',
      operationId: 'verifyAudit',
      summary: 'Verify the hash chain; reports the first edited, inserted or deleted entry',
      tag: 'Audit',
      permission: 'audit:read',
      handler: async () => ({ body: await verifyAudit(d.ctx.db) }),
    }),
  ];
}
