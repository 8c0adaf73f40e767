/**
 * The frame of every console page: the header (who is signed in, log out),
 * the navigation — only what the admin's roles can open (the server refuses
 * the rest anyway) — a skip link, the page's heading and notice, and the
 * console's own stylesheet and script (no inline code: strict CSP).
 */
import { ROLES } from '../../registry/roles.js';
import { bi, both, form, type Html, html, type Text } from './html.js';
import { ROLE_TEXT } from './i18n.js';
import type { Viewer } from './session.js';

export interface Assets {
  readonly css: string;
  readonly js: string;
}

/** The signed-in admin, as pages see them. */
export interface PageViewer extends Viewer {
  /** Whether the admin's roles allow an admin API operation. */
  allows(operationId: string): boolean;
  /** Whether the last card or passkey login is recent enough for approvals and key operations. */
  readonly fresh: boolean;
}

const NAV: readonly { path: string; text: Text; op?: string }[] = [
  { path: '/admin/', text: ['儀表板', 'Dashboard'], op: 'getOverview' },
  { path: '/admin/applications', text: ['申請案', 'Applications'], op: 'listApplications' },
  { path: '/admin/eservices', text: ['eService', 'eServices'], op: 'listEServices' },
  { path: '/admin/audit', text: ['稽核紀錄', 'Audit log'], op: 'listAudit' },
  { path: '/admin/accounts', text: ['管理者帳號', 'Admin accounts'], op: 'listAccounts' },
  { path: '/admin/alerts', text: ['警示', 'Alerts'], op: 'listAlerts' },
  { path: '/admin/me', text: ['我的帳號', 'My account'] },
];

export interface Frame {
  readonly title: Text;
  readonly viewer?: PageViewer;
  /** The navigation entry to mark current. */
  readonly active?: string;
  readonly notice?: Html;
}

export function render(assets: Assets, f: Frame, body: Html): string {
  const v = f.viewer;
  const roles = v ? ROLES.filter((r) => v.account.roles.includes(r)).map((r) => both(ROLE_TEXT[r])) : [];
  const page = html`<!doctype html>
<html lang="zh-Hant-TW">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${v ? html`<meta name="csrf-token" content="${v.session.csrf}">` : ''}
<title>${both(f.title)} · N_eID-Server</title>
<link rel="stylesheet" href="${assets.css}">
<script type="module" src="${assets.js}"></script>
</head>
<body>
<a class="skip" href="#main">${both(['跳到主要內容', 'Skip to the content'])}</a>
<header class="top">
<div class="brand">N_eID-Server 管理主控台 <span class="en" lang="en">Admin console</span></div>
${
  v
    ? html`<div class="who"><span id="who-name">${v.account.name}</span> · ${roles.join('、')}</div>
${form('/admin/logout', v.session.csrf, html`<button type="submit" id="logout">${bi(['登出', 'Log out'])}</button>`)}`
    : ''
}
</header>
${
  v
    ? html`<nav class="main" aria-label="主選單 / Main menu"><ul>${NAV.filter(
        (n) => !n.op || v.allows(n.op),
      ).map(
        (n) =>
          html`<li><a href="${n.path}"${f.active === n.path ? html` aria-current="page"` : ''}>${bi(n.text)}</a></li>`,
      )}</ul></nav>`
    : ''
}
<main id="main" tabindex="-1">
<h1>${bi(f.title)}</h1>
${f.notice ?? ''}
${body}
</main>
</body>
</html>`;
  return page.html;
}
