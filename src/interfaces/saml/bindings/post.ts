/**
 * HTTP-POST binding (saml-bindings §3.5): reading a form-encoded SAMLRequest
 * (base64, no DEFLATE) with a body limit, and the auto-submitting form that
 * delivers a SAMLResponse to the ACS (with a button for browsers without
 * script, saml-bindings §3.5.4; TR-03124-1 Annex A).
 */
import type { Context } from 'koa';
import { esc, escAttr } from '../../../xml/build.js';
import { BodyTooLargeError, readBody } from '../../http/body.js';
import { SamlRejection } from '../errors.js';
import { type MessageParam, strictBase64 } from './redirect.js';

/** A form with a SAMLRequest of at most intake.ts MAX_REQUEST_XML, base64, and a RelayState. */
export const MAX_POST_BODY = 128 * 1024;

export interface PostMessage {
  readonly xml: string;
  readonly relayState?: string;
}

export async function readPostMessage(ctx: Context, param: MessageParam): Promise<PostMessage> {
  const type = (ctx.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded')
    throw new SamlRejection('malformed', 'the POST binding needs application/x-www-form-urlencoded');
  let body: Buffer;
  try {
    body = await readBody(ctx.req, MAX_POST_BODY);
  } catch (e) {
    if (e instanceof BodyTooLargeError) throw new SamlRejection('malformed', e.message);
    throw new SamlRejection('malformed', 'the request body could not be read');
  }
  const form = new URLSearchParams(body.toString('latin1'));
  for (const k of new Set(form.keys())) {
    if (form.getAll(k).length > 1)
      throw new SamlRejection('malformed', `form field ${k.slice(0, 40)} occurs more than once`);
  }
  const value = form.get(param);
  if (!value) throw new SamlRejection('malformed', `no ${param} in the form`);
  const relayState = form.get('RelayState') ?? undefined;
  if (relayState !== undefined && Buffer.byteLength(relayState) > 1024)
    throw new SamlRejection('malformed', 'RelayState is longer than 1024 bytes');
  return {
    xml: strictBase64(value, param, true).toString('utf8'),
    ...(relayState !== undefined ? { relayState } : {}),
  };
}

/** The page that POSTs `xml` to `action`; its CSP allows the form to go only there. */
export function renderPostForm(
  ctx: Context,
  action: string,
  param: MessageParam,
  xml: string,
  relayState?: string,
): void {
  const value = Buffer.from(xml, 'utf8').toString('base64');
  ctx.set('Cache-Control', 'no-store');
  ctx.set(
    'Content-Security-Policy',
    `default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; form-action ${new URL(action).origin}`,
  );
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = `<!doctype html><html lang="zh-Hant"><head><meta charset="utf-8"><title>${esc('正在返回服務 / Returning to the service')}</title></head>
<body><form id="saml" method="post" action="${escAttr(action)}">
<input type="hidden" name="${param}" value="${escAttr(value)}">${relayState !== undefined ? `\n<input type="hidden" name="RelayState" value="${escAttr(relayState)}">` : ''}
<noscript><p>請按「繼續」返回服務。 Press “Continue” to return to the service.</p><button type="submit">繼續 / Continue</button></noscript>
</form><script>document.getElementById("saml").submit();</script></body></html>`;
}
