/**
 * The web console for tests over HTTP: a server with every front-end, people
 * invited the way `neid admin invite` does, and a browser (cookie jar, the
 * console's own Origin) that signs in with a virtual card through the real
 * OpenID Provider and eID-Client code, and posts the console's forms with the
 * CSRF token of the page it last read.
 */
import { cliPrincipal, type Principal, type Role } from '../../src/registry/roles.js';
import { ensureConsoleEService } from '../../src/registry/workflow/console-eservice.js';
import { invitePerson } from '../../src/registry/workflow/people.js';
import type { RunningServer } from '../../src/server/server.js';
import { runEid } from '../interfaces/oidc/support/eid.js';
import { Browser } from '../interfaces/oidc/support/http.js';
import { webCertificates } from './server.js';

export const CONSOLE_ESERVICE = 'neid-admin-console';

/** Invites a person (as the CLI does) and waits until the console's card login is served. */
export async function invite(
  server: RunningServer,
  name: string,
  roles: Role[],
  o: { eServices?: string[]; by?: Principal } = {},
): Promise<{ url: string; accountId: string }> {
  const ctx = server.registryRuntime.ctx;
  const inv = await invitePerson(ctx, o.by ?? cliPrincipal(), {
    name,
    roles,
    ...(o.eServices ? { eServices: o.eServices } : {}),
    hours: 72,
  });
  await ensureConsoleEService(ctx, {
    id: CONSOLE_ESERVICE,
    redirectUri: `${server.urls.web}/admin/callback`,
  });
  // The live registry reloads on the change's NOTIFY (also in beforeAll, where expect.poll is not allowed).
  for (let i = 0; !server.registry.get(CONSOLE_ESERVICE); i++) {
    if (i > 300) throw new Error('the console eService did not become live');
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `${server.urls.web}/admin/invitation/${inv.token}`, accountId: inv.account.id };
}

export interface Page {
  readonly status: number;
  readonly url: string;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly location?: string;
}

export class ConsoleBrowser {
  readonly browser: Browser;
  /** The CSRF token of the last console page read. */
  csrf = '';
  /** Every Set-Cookie header the console sent. */
  readonly setCookies: string[] = [];

  constructor(readonly server: RunningServer) {
    this.browser = new Browser({ ca: webCertificates(server) });
  }

  get web(): string {
    return this.server.urls.web;
  }

  /** A response as a Page; its cookies and the CSRF token of its forms are kept. */
  private page(r: Awaited<ReturnType<Browser['fetch']>>): Page {
    const body = r.body.toString('utf8');
    const sc = r.headers['set-cookie'];
    if (sc) this.setCookies.push(...(Array.isArray(sc) ? sc : [sc]));
    const m = /name="_csrf" value="([^"]+)"/.exec(body) ?? /name="csrf-token" content="([^"]+)"/.exec(body);
    if (m) this.csrf = m[1]!;
    return {
      status: r.status,
      url: r.url,
      body,
      headers: r.headers,
      ...(typeof r.headers.location === 'string' ? { location: r.headers.location } : {}),
    };
  }

  async get(path: string): Promise<Page> {
    const r = await this.browser.fetch(path.startsWith('http') ? path : `${this.web}${path}`);
    return this.page(r);
  }

  /** Posts a console form (urlencoded; repeated names as arrays), with the CSRF token unless given. */
  async post(
    path: string,
    fields: Record<string, string | string[]> = {},
    o: { csrf?: string | null; origin?: string; headers?: Record<string, string>; raw?: string } = {},
  ): Promise<Page> {
    const form = new URLSearchParams();
    if (o.csrf !== null) form.append('_csrf', o.csrf ?? this.csrf);
    for (const [k, v] of Object.entries(fields))
      for (const x of Array.isArray(v) ? v : [v]) form.append(k, x);
    const r = await this.browser.fetch(path.startsWith('http') ? path : `${this.web}${path}`, {
      method: 'POST',
      headers: {
        'content-type': o.raw
          ? (o.headers?.['content-type'] ?? 'application/octet-stream')
          : 'application/x-www-form-urlencoded',
        origin: o.origin ?? new URL(this.web).origin,
        ...(o.headers ?? {}),
      },
      body: o.raw ?? form.toString(),
    });
    return this.page(r);
  }

  /**
   * A card sign-in started by posting `start` (the login or invitation form): through the provider
   * and the eID-Client with `card`, back to the callback, and on to the console.
   */
  async cardLogin(start: string, card: string, choice: Parameters<typeof runEid>[4] = {}): Promise<Page> {
    const begun = await this.post(start, {}, { csrf: null });
    if (begun.status !== 303 || !begun.location) return begun;
    const activation = await this.browser.navigate(new URL(begun.location, this.web).href);
    if (!activation.body.includes('eID-Client?'))
      return { status: activation.status, url: activation.url, body: activation.body, headers: {} };
    const run = await runEid(this.browser, activation.body, card, `${this.web}/admin/callback`, choice);
    if (!run.callback)
      return { status: run.final.status, url: run.final.url, body: run.final.body, headers: {} };
    const landed = await this.get(run.callback);
    const next = /http-equiv="refresh" content="0;url=([^"]+)"/.exec(landed.body)?.[1];
    return next ? this.get(next) : landed;
  }
}

/** The console's 表8 form fields for a new eService, from the workflow tests' FORM. */
export function applicationFields(
  id: string,
  o: { fields?: string[]; eligibility?: string } = {},
): Record<string, string | string[]> {
  return {
    eServiceId: id,
    'eService.displayName.zh': '示範市立醫院',
    'eService.displayName.en': 'Demo City Hospital',
    'eService.purpose.zh': '病患身分核驗',
    'eService.purpose.en': 'Patient identification',
    'eService.url': 'https://city-hospital.example',
    'form.competentAuthority.zh': '衛生福利部',
    'form.competentAuthority.en': 'Ministry of Health and Welfare',
    'form.agencyCode': 'A21000000I',
    'form.agencyName.zh': '示範市立醫院',
    'form.agencyName.en': 'Demo City Hospital',
    'form.taxId': '12345675',
    'form.industryCode': '8610',
    'form.address': '臺北市中正區示範路1號',
    'form.purpose': '病患身分核驗',
    'form.plannedTestDate': '2031-01-15',
    'form.hostAddresses': '203.0.113.10\n203.0.113.11',
    'form.subnetMask': '255.255.255.0',
    'form.eligibility': o.eligibility ?? 'critical-infrastructure',
    'form.contact.name': '王小明',
    'form.contact.phone': '02-1234-5678',
    'form.contact.email': 'it@hospital.example',
    requestedFields: o.fields ?? ['chineseName', 'dateOfBirth', 'photo'],
  };
}

/** The text of an HTML page without tags (entities of the console's escaping decoded). */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ');
}
