/**
 * People and separation of duties in the registry (issue 11), on PGlite and PostgreSQL: invitations
 * and card binding, role exclusions, an applicant held to its own eServices, the four-eyes rule
 * between drafting, reviewing and deciding, the lock after failed logins, console sessions and
 * logins under way, and the console's own eService (a pseudonym-only approval and an OpenID client).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/registry/audit/chain.js';
import { cliPrincipal, type Principal } from '../../src/registry/roles.js';
import { getAccount } from '../../src/registry/store/accounts.js';
import { getApplication } from '../../src/registry/store/applications.js';
import {
  insertLoginState,
  insertSession,
  sessionByHash,
  takeLoginState,
} from '../../src/registry/store/console-sessions.js';
import { getEService } from '../../src/registry/store/eservices.js';
import { getOidc } from '../../src/registry/store/frontends.js';
import { accountByInvitation, accountBySubject } from '../../src/registry/store/people.js';
import { createAccount } from '../../src/registry/workflow/accounts.js';
import { createApplication } from '../../src/registry/workflow/applications.js';
import { consoleClientKey, ensureConsoleEService } from '../../src/registry/workflow/console-eservice.js';
import {
  approveApplication,
  rejectApplication,
  requestChanges,
  reviewApplication,
} from '../../src/registry/workflow/decisions.js';
import { changeEServiceStatus } from '../../src/registry/workflow/eservices.js';
import { submitApplication } from '../../src/registry/workflow/filing.js';
import { lockedUntil, recordLoginFailure, unlock } from '../../src/registry/workflow/lockout.js';
import { acceptInvitation, invitePerson, reinvitePerson } from '../../src/registry/workflow/people.js';
import { FORM, type RegistryFixture, registryFixture } from '../support/registry.js';
import { DATABASE_KINDS } from '../support/registry-db.js';

const sha = (s: string) => createHash('sha256').update(s).digest();
const officer = cliPrincipal();
const person = (id: string, roles: Principal['roles'], eServices?: string[]): Principal => ({
  id: `person:${id}`,
  kind: 'person',
  roles,
  accountId: id,
  ...(eServices ? { eServices } : {}),
});
const POLICY = { maxFailures: 3, windowMinutes: 15, lockMinutes: 30, webhook: true };

describe.each(DATABASE_KINDS)('people, four eyes and locks on %s', (kind) => {
  let f: RegistryFixture;
  beforeAll(async () => {
    f = await registryFixture(kind);
  });
  afterAll(() => f?.close());

  it('an invitation binds the first card that uses it; a card binds one account only', async () => {
    const inv = await invitePerson(f.ctx, officer, { name: '陳審查', roles: ['reviewer'], hours: 72 });
    expect(inv.account).toMatchObject({ kind: 'person', status: 'invited', bound: false });
    expect((await accountByInvitation(f.ctx.db, sha(inv.token), f.ctx.now()))?.id).toBe(inv.account.id);
    const bound = await acceptInvitation(f.ctx, inv.account.id, sha('subject-1'));
    expect(bound).toMatchObject({ status: 'active', bound: true });
    expect(await accountByInvitation(f.ctx.db, sha(inv.token), f.ctx.now())).toBeUndefined();
    expect((await accountBySubject(f.ctx.db, sha('subject-1')))?.id).toBe(inv.account.id);
    const other = await invitePerson(f.ctx, officer, { name: '另一人', roles: ['approver'], hours: 72 });
    await expect(acceptInvitation(f.ctx, other.account.id, sha('subject-1'))).rejects.toMatchObject({
      code: 'conflict',
    });
    // A new invitation (lost card) drops the binding until it is accepted again.
    const again = await reinvitePerson(f.ctx, officer, inv.account.id, 1);
    expect(again.account).toMatchObject({ status: 'invited', bound: false });
    expect(await accountBySubject(f.ctx.db, sha('subject-1'))).toBeUndefined();
    f.setNow(new Date(f.ctx.now().getTime() + 2 * 3_600_000));
    expect(await accountByInvitation(f.ctx.db, sha(again.token), f.ctx.now())).toBeUndefined();
    f.setNow(new Date());
  });

  it('refuses role combinations that break the separation of duties, naming the field', async () => {
    await expect(
      invitePerson(f.ctx, officer, { name: 'x', roles: ['auditor', 'reviewer'], hours: 1 }),
    ).rejects.toMatchObject({ code: 'invalid', field: '/roles' });
    await expect(createAccount(f.ctx, officer, 'x', ['applicant', 'approver'])).rejects.toMatchObject({
      field: '/roles',
    });
    await expect(
      invitePerson(f.ctx, officer, { name: 'x', roles: ['reviewer'], eServices: ['x'], hours: 1 }),
    ).rejects.toMatchObject({ field: '/eServices' });
  });

  it('an applicant applies for a new eService (it becomes its own) and for no other', async () => {
    const inv = await invitePerson(f.ctx, officer, { name: '李申請', roles: ['applicant'], hours: 1 });
    const a = person(inv.account.id, ['applicant'], []);
    const app = await createApplication(f.ctx, a, {
      eServiceId: 'lab',
      eService: { id: 'lab', displayName: { zh: '檢驗所', en: 'Lab' }, purpose: { zh: '核驗', en: 'check' } },
      form: FORM,
      requestedFields: ['chineseName'],
      requestedFunctions: [],
    });
    expect((await getAccount(f.ctx.db, inv.account.id)).eServices).toEqual(['lab']);
    await expect(
      submitApplication(f.ctx, person(inv.account.id, ['applicant'], []), app.id),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
    const mine = person(inv.account.id, ['applicant'], ['lab']);
    await submitApplication(f.ctx, mine, app.id);
    await expect(
      createApplication(f.ctx, mine, {
        eServiceId: 'other',
        form: FORM,
        requestedFields: ['chineseName'],
        requestedFunctions: [],
      }),
    ).rejects.toMatchObject({ code: 'invalid', field: '/eService' });
  });

  it('four eyes: who drafted does not review, who reviewed does not decide; changes go back as a draft', async () => {
    const drafter = person('d', ['applicant']);
    const reviewer = person('r', ['reviewer']);
    const approver = person('p', ['approver']);
    const app = await createApplication(f.ctx, drafter, {
      eServiceId: 'clinic',
      eService: {
        id: 'clinic',
        displayName: { zh: '診所', en: 'Clinic' },
        purpose: { zh: '核驗', en: 'check' },
      },
      form: FORM,
      requestedFields: ['chineseName', 'photo'],
      requestedFunctions: [],
    });
    let a = await submitApplication(f.ctx, drafter, app.id, 1);
    await expect(reviewApplication(f.ctx, drafter, app.id, a.version)).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(approveApplication(f.ctx, approver, app.id, a.version)).rejects.toMatchObject({
      code: 'wrong-state',
    });
    a = await requestChanges(f.ctx, reviewer, app.id, a.version, 'the subnet mask is missing');
    expect(a.status).toBe('draft');
    a = await submitApplication(f.ctx, drafter, app.id, a.version);
    a = await reviewApplication(f.ctx, reviewer, app.id, a.version, 'checked');
    expect(a.status).toBe('reviewed');
    await expect(approveApplication(f.ctx, reviewer, app.id, a.version)).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(rejectApplication(f.ctx, drafter, app.id, a.version, 'other', 'x')).rejects.toMatchObject({
      code: 'forbidden',
    });
    const { application } = await approveApplication(f.ctx, approver, app.id, a.version);
    expect(application.status).toBe('active');
    expect(application.history.map((h) => `${h.step}:${h.by}`)).toEqual([
      'create:person:d',
      'submit:person:d',
      'request-changes:person:r',
      'submit:person:d',
      'review:person:r',
      'approve:person:p',
    ]);
    expect((await verifyAudit(f.ctx.db)).ok).toBe(true);
  });

  it('more than 3 failures in 15 minutes lock the address and the account, with one alert each', async () => {
    const acc = await createAccount(f.ctx, officer, 'svc', ['auditor']);
    const fail = () =>
      recordLoginFailure(f.ctx, POLICY, {
        accountId: acc.id,
        address: '192.0.2.7',
        method: 'card',
        reason: 'x',
      });
    for (let i = 0; i < 3; i++) expect(await fail()).toEqual([]);
    const alerts = await fail();
    expect(alerts.map((a) => a.subject).sort()).toEqual([`account:${acc.id}`, 'address:192.0.2.7']);
    expect(alerts[0]).toMatchObject({
      kind: 'login-failures',
      delivery: 'pending',
      details: { failures: 4 },
    });
    expect(await fail()).toEqual([]); // locked already: no second alert
    expect(await lockedUntil(f.ctx, { address: '192.0.2.7' })).toBeInstanceOf(Date);
    expect(await lockedUntil(f.ctx, { accountId: acc.id })).toBeInstanceOf(Date);
    await unlock(f.ctx, officer, 'address:192.0.2.7');
    expect(await lockedUntil(f.ctx, { address: '192.0.2.7' })).toBeUndefined();
    expect(await lockedUntil(f.ctx, { accountId: acc.id })).toBeInstanceOf(Date);
    // Failures older than the window do not count.
    const fresh = await createAccount(f.ctx, officer, 'svc2', ['auditor']);
    for (let i = 0; i < 3; i++)
      await recordLoginFailure(f.ctx, POLICY, { accountId: fresh.id, method: 'card', reason: 'x' });
    f.setNow(new Date(f.ctx.now().getTime() + 16 * 60_000));
    expect(
      await recordLoginFailure(f.ctx, POLICY, { accountId: fresh.id, method: 'card', reason: 'x' }),
    ).toEqual([]);
    f.setNow(new Date());
  });

  it('console sessions and logins under way are found by hash; a login state is used once', async () => {
    const inv = await invitePerson(f.ctx, officer, { name: 's', roles: ['auditor'], hours: 1 });
    const now = f.ctx.now();
    await insertSession(f.ctx.db, {
      idHash: sha('cookie'),
      accountId: inv.account.id,
      csrf: 'c',
      authMethod: 'card',
      authTime: now,
      expiresAt: new Date(now.getTime() + 60_000),
      now,
    });
    expect(await sessionByHash(f.ctx.db, sha('cookie'))).toMatchObject({
      accountId: inv.account.id,
      csrf: 'c',
    });
    await insertLoginState(
      f.ctx.db,
      sha('login'),
      { kind: 'card', purpose: 'login', state: 's', expiresAt: new Date(now.getTime() + 60_000) },
      now,
    );
    expect(await takeLoginState(f.ctx.db, sha('login'), 'passkey', now)).toBeUndefined();
    await insertLoginState(
      f.ctx.db,
      sha('login2'),
      { kind: 'card', purpose: 'login', state: 's', expiresAt: new Date(now.getTime() + 60_000) },
      now,
    );
    expect(await takeLoginState(f.ctx.db, sha('login2'), 'card', now)).toMatchObject({ state: 's' });
    expect(await takeLoginState(f.ctx.db, sha('login2'), 'card', now)).toBeUndefined();
  });

  it('the console’s own eService: Restricted Identification only, its OpenID client, made once', async () => {
    const o = { id: 'neid-admin-console', redirectUri: 'https://eid.example/admin/callback' };
    const t = await ensureConsoleEService(f.ctx, o);
    expect(t).toMatchObject({ status: 'active', purpose: 'initial' });
    const es = await getEService(f.ctx.db, o.id);
    expect(es).toMatchObject({ status: 'active', approvedFields: [], approvedFunctions: [] });
    expect((await getApplication(f.ctx.db, es.activeApplication!)).form.system).toBe('admin-console');
    const key = await consoleClientKey(f.ctx);
    const oidc = await getOidc(f.ctx.db, o.id);
    expect(oidc?.settings).toMatchObject({
      client: { clientId: o.id, redirectUris: [o.redirectUri], tokenEndpointAuthMethod: 'private_key_jwt' },
    });
    await ensureConsoleEService(f.ctx, { ...o, redirectUri: 'https://new.example/admin/callback' });
    expect((await getOidc(f.ctx.db, o.id))?.settings).toMatchObject({
      client: {
        redirectUris: ['https://new.example/admin/callback'],
        jwksDocument: { keys: [key.publicJwk] },
      },
    });
    expect((await consoleClientKey(f.ctx)).publicJwk).toEqual(key.publicJwk);
    await expect(
      createApplication(f.ctx, officer, {
        eServiceId: o.id,
        form: FORM,
        requestedFields: ['chineseName'],
        requestedFunctions: [],
      }),
    ).rejects.toMatchObject({ code: 'wrong-state' });
    // Suspending it would lock every admin out of the card sign-in.
    await expect(changeEServiceStatus(f.ctx, officer, o.id, 'suspend', undefined)).rejects.toMatchObject({
      code: 'wrong-state',
    });
  });
});
