/**
 * The web console over HTTP (issue 11), through the running server with every front-end: the
 * first admin accepts an invitation with their card; they invite a reviewer, an approver and an
 * applicant, who bind their own cards; the applicant files the 表8 form for a new eService with an
 * encrypted-area field (form errors named in both languages); the reviewer reviews (a stale edit is
 * refused with a reload message); the approver approves (four eyes) and the terminal certificate
 * appears; a forbidden step is 403 and audited. The browser story (Chromium, passkeys,
 * screenshots) is test/interop/console-chromium.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP } from '../../src/interfaces/console/mount.js';
import { mountFrontEnds } from '../../src/server/front-ends.js';
import { writeTestCard } from '../support/card.js';
import { applicationFields, ConsoleBrowser, invite, textOf } from '../support/console.js';
import { startTestServer, type TestServer } from '../support/server.js';

let ts: TestServer;
const card = () => writeTestCard(ts.pkiDir).file;
let officer: ConsoleBrowser;
const people: Record<'reviewer' | 'approver' | 'applicant', { browser: ConsoleBrowser; card: string }> =
  {} as never;
let applicationPath = '';

const versionIn = (body: string, formId: string) =>
  new RegExp(`id="${formId}"[^]*?name="_version" value="(\\d+)"`).exec(body)?.[1] ?? '';

beforeAll(async () => {
  ts = await startTestServer({ mount: mountFrontEnds });
}, 120_000);
afterAll(async () => ts?.close());

describe('the admin console over HTTP', () => {
  it('the first admin accepts the invitation with their card: Secure, HttpOnly, SameSite=Strict session, strict CSP', async () => {
    const inv = await invite(ts.server, '林資安', ['security-officer']);
    officer = new ConsoleBrowser(ts.server);
    const page = await officer.get(inv.url);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(page.body).not.toMatch(/<script(?![^>]*\ssrc=)|\sstyle=|\son[a-z]+=/i);
    const before = await officer.browser.fetch(`${ts.web}/admin/`);
    expect(before.status).toBe(303);
    const dash = await officer.cardLogin(new URL(inv.url).pathname, card());
    expect(dash.status, dash.body.slice(0, 500)).toBe(200);
    expect(textOf(dash.body)).toContain('林資安');
    expect(textOf(dash.body)).toMatch(/儀表板 Dashboard/);
    const session = officer.setCookies.find(
      (c) => c.startsWith('__Host-neid-admin=') && !c.startsWith('__Host-neid-admin=;'),
    );
    const attrs = (c: string | undefined) => new Set(c!.split('; ').slice(1));
    expect(attrs(session)).toEqual(new Set(['path=/', 'secure', 'samesite=strict', 'httponly']));
    const login = officer.setCookies.find((c) => c.startsWith('__Host-neid-admin-login='));
    expect(attrs(login)).toEqual(new Set(['path=/', 'secure', 'samesite=lax', 'httponly']));
    // The invitation was used up.
    expect((await new ConsoleBrowser(ts.server).get(inv.url)).status).toBe(401);
  }, 120_000);

  it('invites a reviewer, an approver and an applicant; a role conflict is named in both languages', async () => {
    const bad = await officer.post('/admin/accounts', {
      name: '兩者',
      kind: 'person',
      roles: ['auditor', 'reviewer'],
    });
    expect(bad.status).toBe(422);
    expect(textOf(bad.body)).toContain('角色 Roles');
    for (const [who, name, role] of [
      ['reviewer', '陳審查', 'reviewer'],
      ['approver', '張核准', 'approver'],
      ['applicant', '李申請', 'applicant'],
    ] as const) {
      const r = await officer.post('/admin/accounts', { name, kind: 'person', roles: [role] });
      expect(r.status, textOf(r.body).slice(0, 400)).toBe(201);
      const link = /id="invitation-link">([^<]+)</.exec(r.body)![1]!;
      const b = new ConsoleBrowser(ts.server);
      const c = card();
      const landed = await b.cardLogin(new URL(link).pathname, c);
      expect(landed.status).toBe(200);
      expect(textOf(landed.body)).toContain(name);
      people[who] = { browser: b, card: c };
    }
    const list = await officer.get('/admin/accounts');
    expect(textOf(list.body)).toMatch(/陳審查.*審查者 Reviewer/);
  }, 240_000);

  it('the 表8 form names every error field in both languages', async () => {
    const a = people.applicant.browser;
    const form = await a.get('/admin/applications/new');
    expect(form.status).toBe(200);
    for (const label of ['統一編號', 'Tax ID number', '主機網路位址', 'Host IP addresses'])
      expect(form.body).toContain(label);
    const wrong = await a.post('/admin/applications/new', {
      ...applicationFields('city-hospital'),
      'form.taxId': '12AB',
      'form.contact.email': '',
      'form.plannedTestDate': '2031-02-30',
    });
    expect(wrong.status).toBe(422);
    const text = textOf(wrong.body);
    // The summary at the top, then each control's own message: field and reason, both languages.
    const summary = text.slice(text.indexOf('請修正以下欄位'));
    expect(summary).toMatch(
      /^請修正以下欄位 Please correct these fields 統一編號 Tax ID number ： 格式不正確 has the wrong format/,
    );
    expect(summary).toContain('電子信箱 Email ： 必填 is required');
    expect(summary).toContain(
      '預計測試日期 Planned test date ： 應為日期 YYYY-MM-DD must be a date, YYYY-MM-DD',
    );
    expect(wrong.body).toContain('id="f-form-taxId-error"');
    expect(wrong.body).toMatch(/id="f-form-taxId"[^>]*aria-invalid="true"/);
    // What was typed is kept.
    expect(wrong.body).toContain('value="12AB"');
    const ineligible = await a.post(
      '/admin/applications/new',
      applicationFields('city-hospital', { eligibility: '' }),
    );
    expect(ineligible.status).toBe(422);
    expect(textOf(ineligible.body)).toContain('加密區資格 Eligibility for the encrypted area');
    expect(textOf(ineligible.body)).toContain('encrypted-area fields need an eligibility');
  }, 60_000);

  it('the applicant files and submits; the reviewer reviews, the approver approves; the terminal certificate appears', async () => {
    const a = people.applicant.browser;
    const created = await a.post('/admin/applications/new', applicationFields('city-hospital'));
    expect(created.status, textOf(created.body).slice(0, 600)).toBe(303);
    applicationPath = new URL(created.location!, ts.web).pathname;
    const draft = await a.get(applicationPath);
    expect(textOf(draft.body)).toContain('相片 Photo');
    const sub = await a.post(`${applicationPath}/submit`, {
      _version: versionIn(draft.body, 'submit') || '1',
    });
    expect(sub.status, textOf(sub.body).slice(0, 400)).toBe(303);

    // The applicant may not review: 403, audited.
    const sneaky = await a.post(`${applicationPath}/review`, { outcome: 'reviewed', _version: '2' });
    expect(sneaky.status).toBe(403);
    expect(textOf(sneaky.body)).toContain('您的角色不允許此操作');

    const r = people.reviewer.browser;
    const toReview = await r.get(applicationPath);
    const version = versionIn(toReview.body, 'review-form');
    expect(version).toBe('2');
    const stale = await r.post(`${applicationPath}/review`, {
      outcome: 'reviewed',
      note: '已檢查',
      _version: '1',
    });
    expect(stale.status).toBe(412);
    expect(textOf(stale.body)).toContain('此資料已被他人修改：請重新載入頁面');
    expect(stale.body).toContain(`id="reload" href="${applicationPath}"`);
    const reviewed = await r.post(`${applicationPath}/review`, {
      outcome: 'reviewed',
      note: '表8 完整，主機位址已核對',
      _version: version,
    });
    expect(reviewed.status).toBe(303);

    // Four eyes: the reviewer holds no approver role, and cannot decide.
    expect((await r.post(`${applicationPath}/decide`, { decision: 'approve', _version: '3' })).status).toBe(
      403,
    );

    const p = people.approver.browser;
    const toDecide = await p.get(applicationPath);
    expect(toDecide.body).toContain('id="approve"');
    const approved = await p.post(`${applicationPath}/decide`, {
      decision: 'approve',
      text: '同意',
      _version: versionIn(toDecide.body, 'decide-form'),
    });
    expect(approved.status, textOf(approved.body).slice(0, 400)).toBe(303);
    const after = await p.get(applicationPath);
    expect(textOf(after.body)).toMatch(/生效中 Active/);
    const es = await p.get('/admin/eservices/city-hospital');
    expect(textOf(es.body)).toMatch(/TWCITYHOSPI00001 生效中 Active/);
    expect(es.body).toContain('data-field="photo"');
    await expect
      .poll(() => ts.server.registry.get('city-hospital')?.approvedFields)
      .toEqual(['chineseName', 'dateOfBirth', 'photo']);
  }, 120_000);

  it('the audit log shows who did what, with an intact chain; the refusals are there', async () => {
    await ts.server.registryRuntime.trail.flush();
    const audit = await officer.get('/admin/audit?action=application.*');
    expect(audit.body).toContain('data-ok="true"');
    const text = textOf(audit.body);
    for (const action of [
      'application.create',
      'application.submit',
      'application.review',
      'application.approve',
    ])
      expect(text).toContain(action);
    const badDay = await officer.get('/admin/audit?from=2031-13-45');
    expect(badDay.status).toBe(422);
    expect(textOf(badDay.body)).toContain('起日 From');
    const denied = await officer.get('/admin/audit?action=admin.denied');
    expect(textOf(denied.body)).toMatch(/reviewApplication|approveApplication/);
    const exported = await officer.browser.fetch(`${ts.web}/admin/audit/export?action=application.approve`);
    expect(exported.headers['content-type']).toMatch(/ndjson/);
    const lines = exported.body
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(0);
    expect(
      lines.every(
        (l: { action: string; hash: string }) => l.action === 'application.approve' && l.hash.length === 64,
      ),
    ).toBe(true);
  }, 60_000);

  it('a form without the CSRF token, or from another origin, is refused', async () => {
    const noToken = await officer.post(
      '/admin/accounts',
      { name: 'x', roles: ['auditor'] },
      { csrf: 'forged' },
    );
    expect(noToken.status).toBe(403);
    const foreign = await officer.post(
      '/admin/accounts',
      { name: 'x', roles: ['auditor'] },
      { origin: 'https://evil.example' },
    );
    expect(foreign.status).toBe(403);
  });
});
