/**
 * Admin accounts: service accounts (private_key_jwt credentials) and people
 * (invited, then bound to their New eID card at the first login; passkeys).
 * Account management is the security officer's, and changes to accounts and
 * credentials need a fresh authentication.
 */
import type { JsonWebKey } from 'node:crypto';
import { invalid } from '../../../registry/errors.js';
import type { Role } from '../../../registry/roles.js';
import { credentialsOf, getAccount, listAccounts } from '../../../registry/store/accounts.js';
import {
  addCredential,
  changeAccount,
  createAccount,
  dropCredential,
} from '../../../registry/workflow/accounts.js';
import { ensureConsoleEService } from '../../../registry/workflow/console-eservice.js';
import { type Invitation, invitePerson, reinvitePerson } from '../../../registry/workflow/people.js';
import type { AdminDeps } from '../deps.js';
import { checkPublicJwk } from '../jws.js';
import { pageOf, type RouteDef, route } from '../route.js';
import { accountView } from '../views.js';

const TAG = 'Accounts';

interface AccountCreate {
  name: string;
  roles: Role[];
  kind?: 'service' | 'person';
  eServices?: string[];
}

export function accountRoutes(d: AdminDeps): RouteDef[] {
  const invited = async (i: Invitation) => {
    // People log in through the console's own eService: it exists once someone is invited.
    const terminal = d.console ? await ensureConsoleEService(d.ctx, d.console) : undefined;
    return {
      status: 201,
      body: {
        ...accountView(i.account, []),
        // Shown once: the registry keeps only the token's hash.
        invitation: { url: d.invitations.url(i.token), expiresAt: i.expires.toISOString() },
        ...(d.console
          ? {
              console: {
                eService: d.console.id,
                terminal: terminal ? { chr: terminal.chr, status: terminal.status } : null,
              },
            }
          : {}),
      },
      version: i.account.version,
    };
  };
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
    route<AccountCreate>({
      method: 'post',
      path: '/accounts',
      operationId: 'createAccount',
      summary:
        'Create a service account (add a credential next), or invite a person (kind person): the answer carries the one-time invitation link',
      tag: TAG,
      permission: 'account:manage',
      body: 'AccountCreate',
      fresh: true,
      responses: { '201': 'Created' },
      handler: async (c) => {
        if (c.body.kind === 'person')
          return invited(
            await invitePerson(d.ctx, c.principal, {
              name: c.body.name,
              roles: c.body.roles,
              ...(c.body.eServices ? { eServices: c.body.eServices } : {}),
              hours: d.invitations.hours,
            }),
          );
        const a = await createAccount(d.ctx, c.principal, c.body.name, c.body.roles, c.body.eServices ?? []);
        return { status: 201, body: accountView(a, []), version: a.version };
      },
    }),
    route({
      method: 'get',
      path: '/accounts/{id}',
      operationId: 'getAccount',
      summary: 'Read an account and its credentials (keys, passkeys)',
      tag: TAG,
      permission: 'account:manage',
      handler: async (c) => {
        const a = await getAccount(d.ctx.db, c.params.id!);
        return { body: accountView(a, await credentialsOf(d.ctx.db, a.id)), version: a.version };
      },
    }),
    route<{ roles?: Role[]; status?: 'active' | 'disabled'; eServices?: string[] }>({
      method: 'patch',
      path: '/accounts/{id}',
      operationId: 'patchAccount',
      summary:
        'Change roles or an applicant’s eServices, or disable / enable an account (its console sessions end)',
      tag: TAG,
      permission: 'account:manage',
      body: 'AccountPatch',
      ifMatch: true,
      fresh: true,
      handler: async (c) => {
        const a = await changeAccount(d.ctx, c.principal, c.params.id!, c.ifMatch, c.body);
        return { body: accountView(a), version: a.version };
      },
    }),
    route({
      method: 'post',
      path: '/accounts/{id}/invitation',
      operationId: 'reinvitePerson',
      summary:
        'A new invitation for a person (new or lost card): the card binding and sessions end until they accept it',
      tag: TAG,
      permission: 'account:manage',
      fresh: true,
      responses: { '201': 'The invitation link (shown once)' },
      handler: async (c) =>
        invited(await reinvitePerson(d.ctx, c.principal, c.params.id!, d.invitations.hours)),
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
      fresh: true,
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
      summary: 'Revoke a credential or passkey (its tokens end at once)',
      tag: TAG,
      permission: 'account:manage',
      fresh: true,
      responses: { '204': 'Revoked' },
      handler: async (c) => {
        await dropCredential(d.ctx, c.principal, c.params.id!, c.params.credentialId!);
        return { status: 204 };
      },
    }),
  ];
}
