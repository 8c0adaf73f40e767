/**
 * The demo eService (`npm start`, issue 6): a SAML SP page on the server's
 * own web listener, registered like any SP (config/relying-parties.yaml →
 * metadata/demo-portal.xml). It is an ordinary SP written against the IdP —
 * a signed HTTP-Redirect AuthnRequest, and on the ACS every SP-side check
 * (src/interfaces/saml/sp-client.ts) before it shows the decrypted
 * attributes. It keeps nothing: the request ID rides in a cookie bound to the
 * browser, seen assertion IDs are claimed once in the session store, and the
 * attributes only go into the page.
 *
 *   GET  <base>/            landing page with the login buttons
 *   GET  <base>/login       → the IdP (SAML metadata attributes); ?age=18 adds the TR-03130 extension
 *   POST <base>/saml/acs    the Response (HTTP-POST binding)
 */

import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { SIG } from '../interfaces/saml/algorithms.js';
import { attributeByName } from '../interfaces/saml/attributes/catalogue.js';
import { readPostMessage } from '../interfaces/saml/bindings/post.js';
import { keySigner } from '../interfaces/saml/crypto/keys.js';
import { SamlRejection } from '../interfaces/saml/errors.js';
import type { SamlIdp } from '../interfaces/saml/idp.js';
import type { ServiceProvider } from '../interfaces/saml/service-providers.js';
import {
  type ExtensionAttribute,
  type LoginResult,
  loginRequestUrl,
  type ReleasedAttribute,
  readLoginResponse,
  SamlResponseError,
  type SpClientConfig,
} from '../interfaces/saml/sp-client.js';
import { DEMO_CAN, DEMO_PIN, DEMO_USER_CODE } from './card.js';
import { failurePage, landingPage, resultPage, type ShownAttribute } from './pages.js';
import { sentenceOf } from './status-sentences.js';

export interface DemoPortalOptions {
  readonly router: Router;
  readonly idp: SamlIdp;
  /** The IdP's signing and encryption certificates (what the SP knows from the IdP metadata). */
  readonly idpCertificates: {
    readonly signing: readonly X509Certificate[];
    readonly encryption: X509Certificate;
  };
  readonly sp: ServiceProvider;
  /** The metadata file the SP's keys lie beside (metadata/demo-portal.xml); default: the SP's `metadata`. */
  readonly spMetadataFile?: string;
  readonly claimOnce: (key: string, expiresAt: number) => Promise<boolean>;
  readonly clientRunning: () => boolean;
  readonly log: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

const COOKIE = 'demo_portal_request';
const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'";

/** The SP keys beside its metadata: metadata/demo-portal.xml → metadata/demo-portal/*.key.pem. */
function spConfig(o: DemoPortalOptions, acsUrl: string): SpClientConfig {
  const file = o.spMetadataFile ?? o.sp.settings.metadata;
  const dir = join(dirname(file), basename(file, '.xml'));
  const signingKey = createPrivateKey(readFileSync(join(dir, 'signing.key.pem')));
  const signingCert = new X509Certificate(readFileSync(join(dir, 'signing.pem')));
  return {
    entityId: o.sp.entityId,
    acsUrl,
    signer: keySigner(signingKey, signingCert, SIG.ecdsaSha256),
    decryptionKey: createPrivateKey(readFileSync(join(dir, 'encryption.key.pem'))),
    algorithms: o.sp.settings.algorithms,
    idp: {
      entityId: o.idp.entityId,
      ssoUrl: o.idp.ssoUrl,
      signingKeys: o.idpCertificates.signing.map((c) => c.publicKey),
      encryptionCertificate: o.idpCertificates.encryption,
    },
  };
}

/**
 * What the TR-03130 extension button asks for: the name and age ≥ 18 instead of the birth date;
 * the romanised name and the photo optional (RequiredAttribute defaults to true), so an eID-Client
 * that cannot release the photo — AusweisApp2 drops DG14, not a TR-03127 right — still logs in.
 */
const AGE_REQUEST: readonly ExtensionAttribute[] = [
  { name: 'ChineseName', required: true },
  { name: 'RomanizedName', required: false },
  { name: 'Photo', required: false },
  { name: 'AgeVerification', required: true, value: 18 },
];

const SEX: Record<string, string> = { M: '男 Male', F: '女 Female', X: '其他 Other' };

/** Display text of a released attribute (complex TR-03130 types reduced to their useful parts). */
function display(a: ReleasedAttribute): string {
  if (a.notOnChip) return '（晶片上無此資料 not on the chip）';
  const v = a.elements[0];
  if (!v) return '';
  const leaves: [string, string][] = [];
  const walk = (e: typeof v) => {
    const kids = Array.from(e.childNodes).filter((n) => n.nodeType === 1) as (typeof v)[];
    if (kids.length === 0) leaves.push([e.localName ?? '', (e.textContent ?? '').trim()]);
    else for (const k of kids) walk(k);
  };
  walk(v);
  const name = a.friendlyName ?? a.name;
  if (name === 'Sex') return SEX[a.values[0] ?? ''] ?? a.values[0] ?? '';
  const byName = new Map(leaves);
  if (byName.has('FulfilsRequest'))
    return byName.get('FulfilsRequest') === 'true' ? '符合 fulfilled' : '不符合 not fulfilled';
  if (byName.has('DateValue')) return byName.get('DateValue')!;
  if (byName.has('Status')) return `${byName.get('Status')} (${byName.get('ReferenceDate') ?? ''})`;
  return leaves
    .filter(([n]) => n !== 'Country')
    .map(([, t]) => t)
    .filter(Boolean)
    .join(', ');
}

function shown(attributes: ReadonlyMap<string, ReleasedAttribute>): ShownAttribute[] {
  const out: ShownAttribute[] = [];
  for (const a of attributes.values()) {
    const def = attributeByName(a.name);
    const label = def ? `${def.label.zh} ${def.label.en}` : (a.friendlyName ?? a.name);
    if (def?.friendlyName === 'Photo' && !a.notOnChip && /^[A-Za-z0-9+/=\s]+$/.test(a.values[0] ?? ''))
      out.push({ label, value: '', jpeg: (a.values[0] ?? '').replace(/\s/g, '') });
    else out.push({ label, value: display(a) });
  }
  return out;
}

export function mountDemoPortal(o: DemoPortalOptions): { readonly url: string } {
  const acs = o.sp.metadata.acs.find((a) => a.binding === 'post');
  if (!acs) throw new Error(`the demo SP ${o.sp.entityId} has no HTTP-POST ACS`);
  const acsPath = new URL(acs.location).pathname;
  const base = acsPath.replace(/\/saml\/acs$/, '');
  if (base === acsPath) throw new Error(`the demo SP's ACS ${acs.location} does not end in /saml/acs`);
  const cfg = spConfig(o, acs.location);
  const home = `${base}/`;

  const html = (ctx: Context, status: number, body: string) => {
    ctx.status = status;
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Security-Policy', CSP);
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = body;
  };

  const r = o.router;
  r.get(home, (ctx) =>
    html(
      ctx,
      200,
      landingPage({
        loginUrl: `${base}/login`,
        ageLoginUrl: `${base}/login?age=18`,
        clientRunning: o.clientRunning(),
        card: { pin: DEMO_PIN, can: DEMO_CAN, userCode: DEMO_USER_CODE },
      }),
    ),
  );
  // Registered after `home`: the router matches `base` with and without the trailing slash.
  r.get(base, (ctx) => ctx.redirect(home));
  r.get(`${base}/login`, (ctx) => {
    const { id, url } = loginRequestUrl(cfg, ctx.query.age === '18' ? { requested: AGE_REQUEST } : {});
    ctx.cookies.set(COOKIE, id, {
      secure: true,
      httpOnly: true,
      sameSite: 'lax',
      path: base,
      maxAge: 15 * 60_000,
    });
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(url);
  });
  r.post(`${base}/saml/acs`, async (ctx) => {
    const requestId = ctx.cookies.get(COOKIE);
    if (!requestId)
      return html(
        ctx,
        400,
        failurePage({
          title: '無登入請求 No login in progress',
          sentence: {
            zh: '此瀏覽器沒有在本網站開始登入，或登入已逾時。請重新登入。',
            en: 'This browser did not start a login here, or it expired. Please log in again.',
          },
          detail: 'no request cookie',
          homeUrl: home,
        }),
      );
    let result: LoginResult;
    try {
      const form = await readPostMessage(ctx, 'SAMLResponse');
      result = readLoginResponse(
        cfg,
        {
          SAMLResponse: Buffer.from(form.xml).toString('base64'),
          ...(form.relayState !== undefined ? { RelayState: form.relayState } : {}),
        },
        requestId,
      );
    } catch (e) {
      if (!(e instanceof SamlResponseError || e instanceof SamlRejection)) throw e;
      o.log.warn({ sp: o.sp.eService.id, reason: e.message }, 'demo portal: SAML Response refused');
      return html(
        ctx,
        400,
        failurePage({
          title: '回應無效 Invalid response',
          sentence: {
            zh: '收到的登入結果無法驗證，因此未登入。請重新登入。',
            en: 'The login result could not be verified, so you are not logged in. Please log in again.',
          },
          detail: e.message,
          homeUrl: home,
        }),
      );
    }
    ctx.cookies.set(COOKIE, '', { secure: true, httpOnly: true, path: base, expires: new Date(0) });
    if (!result.ok) {
      o.log.info({ sp: o.sp.eService.id, status: result.statusCodes.at(-1) }, 'demo portal: login failed');
      return html(
        ctx,
        200,
        failurePage({
          title: '登入失敗 Login failed',
          sentence: sentenceOf(result.statusCodes),
          detail: `${result.statusCodes.join(' / ')}${result.message ? ` — ${result.message}` : ''}`,
          homeUrl: home,
        }),
      );
    }
    // OneTimeUse (saml-core §2.5.1.6): an assertion is accepted once.
    if (!(await o.claimOnce(`demo-portal-assertion\n${result.assertionId}`, Date.now() + 10 * 60_000)))
      return html(
        ctx,
        400,
        failurePage({
          title: '回應重複 Replayed response',
          sentence: {
            zh: '這個登入結果已經使用過了。請重新登入。',
            en: 'This login result was already used. Please log in again.',
          },
          detail: 'This assertion was already used.',
          homeUrl: home,
        }),
      );
    o.log.info({ sp: o.sp.eService.id, attributes: result.attributes.size }, 'demo portal: logged in');
    return html(
      ctx,
      200,
      resultPage({
        attributes: shown(result.attributes),
        nameId: result.nameId,
        nameIdFormat: result.nameIdFormat,
        homeUrl: home,
      }),
    );
  });
  return { url: home };
}
