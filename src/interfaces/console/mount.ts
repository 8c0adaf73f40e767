/**
 * The web console at /admin (docs/admin.md §8): server-rendered pages on the
 * admin API's own pipeline, so that what a page offers and what the server
 * allows cannot drift. Bilingual (zh-TW first), usable with the keyboard and
 * without JavaScript (except the passkey ceremony, which needs the browser's
 * WebAuthn API: one static script). Every page is sent with a strict
 * Content-Security-Policy — the console's own stylesheet and script only, no
 * inline code, no frames, forms posting only to the console — and is not
 * cached. Sessions, logins under way, locks and alerts live in the registry
 * database: any instance or worker serves any request.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Context, Next } from 'koa';
import { countPeople } from '../../registry/store/people.js';
import { consoleClientKey, ensureConsoleEService } from '../../registry/workflow/console-eservice.js';
import type { AdminApiMount } from '../admin/mount.js';
import type { MountContext } from '../mount-context.js';
import { ConsoleKit } from './kit.js';
import type { Assets } from './layout.js';
import { ConsoleOidc } from './oidc-client.js';
import { accountPages } from './pages/accounts.js';
import { alertPages } from './pages/alerts.js';
import { applicationPages } from './pages/applications.js';
import { auditPages } from './pages/audit.js';
import { dashboardPage } from './pages/dashboard.js';
import { eServicePages } from './pages/eservices.js';
import { loginRoutes } from './pages/login.js';
import { mePages } from './pages/me.js';
import { Passkeys } from './passkeys.js';
import { ConsoleSessions } from './session.js';

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const ASSET_DIR = new URL('../../../assets/console/', import.meta.url);

function staticAssets(): {
  assets: Assets;
  files: Map<string, { type: string; body: Buffer; etag: string }>;
} {
  const files = new Map<string, { type: string; body: Buffer; etag: string }>();
  const load = (name: string, type: string) => {
    const body = readFileSync(new URL(name, ASSET_DIR));
    const etag = createHash('sha256').update(body).digest('base64url').slice(0, 16);
    files.set(name, { type, body, etag });
    return `/admin/static/${name}?v=${etag}`;
  };
  return {
    assets: {
      css: load('console.css', 'text/css; charset=utf-8'),
      js: load('console.js', 'text/javascript; charset=utf-8'),
    },
    files,
  };
}

const isConsolePath = (p: string) =>
  (p === '/admin' || p.startsWith('/admin/')) && !p.startsWith('/admin/api/');

export async function mountConsole(s: MountContext, admin: AdminApiMount): Promise<void> {
  const cfg = s.config.admin;
  if (!cfg.console) return;
  const rt = s.registryRuntime;
  const log = s.log.child({ frontEnd: 'console' });
  const origin = new URL(s.urls.web).origin;
  const redirectUri = `${s.urls.web}/admin/callback`;
  const { assets, files } = staticAssets();

  s.webApp.use(async (ctx: Context, next: Next) => {
    if (!isConsolePath(ctx.path)) return next();
    await next();
    ctx.set('Content-Security-Policy', CONSOLE_CSP);
    // Same-origin requests carry their origin (the CSRF check reads it); nothing leaks to other sites.
    ctx.set('Referrer-Policy', 'same-origin');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
    if (!ctx.path.startsWith('/admin/static/')) ctx.set('Cache-Control', 'no-store');
  });
  s.webRouter.get('/admin/static/:name', (ctx) => {
    const f = files.get(ctx.params.name!);
    if (!f) {
      ctx.status = 404;
      return;
    }
    ctx.set('Cache-Control', 'public, max-age=86400, immutable');
    ctx.set('ETag', `"${f.etag}"`);
    ctx.type = f.type;
    ctx.body = f.body;
  });

  // The console's eService exists once someone was invited; keep its redirect URI current.
  if ((await countPeople(rt.ctx.db)) > 0)
    await ensureConsoleEService(rt.ctx, { id: cfg.eServiceId, redirectUri }).catch((e: Error) =>
      log.error({ eService: cfg.eServiceId, err: e.message }, 'the console’s card login is not set up'),
    );

  const sessions = new ConsoleSessions({
    ctx: rt.ctx,
    idleMs: cfg.sessionIdleMinutes * 60_000,
    maxMs: cfg.sessionMaxHours * 3_600_000,
    address: admin.address,
  });
  const kit = new ConsoleKit({
    router: s.webRouter,
    api: admin.api,
    sessions,
    assets,
    config: cfg,
    publicOrigin: origin,
    log,
  });
  const oidc = new ConsoleOidc({
    issuer: `${s.urls.web}/oidc`,
    clientId: cfg.eServiceId,
    redirectUri,
    key: () => consoleClientKey(rt.ctx),
    listener: {
      host: s.config.web.host,
      port: s.config.web.port,
      certificates: [s.pki.tls.cert, ...(s.pki.tls.ec ? [s.pki.tls.ec.cert] : [])],
    },
  });
  const passkeys = new Passkeys({ ctx: rt.ctx, publicUrl: s.urls.web });
  loginRoutes({ kit, ctx: rt.ctx, oidc, passkeys, alerts: admin.alerts, address: admin.address });
  dashboardPage(kit);
  applicationPages(kit);
  eServicePages(kit);
  auditPages(kit);
  accountPages(kit);
  alertPages(kit);
  mePages(kit, passkeys);
  log.info({ url: `${s.urls.web}/admin/`, eService: cfg.eServiceId }, 'admin console mounted');
}
