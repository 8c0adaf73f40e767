/**
 * An eService's front-ends on its page: SAML (metadata uploaded as a file or
 * fetched from a URL), OIDC (the client, as the registry file's `oidc.client`
 * in JSON) and SOAP (the RequestCounter rule; TLS client and signing
 * certificates, several at once for a rollover: add the new one, switch, remove
 * the old one).
 */
import { toProblem } from '../../admin/problem.js';
import { bi, button, fmtTime, form, type Html, html, input, select, type Text, textarea } from '../html.js';
import type { ConsoleKit } from '../kit.js';
import type { PageViewer } from '../layout.js';
import { bodyOf, table } from './common.js';

const ES = '/admin/eservices';

async function registration(kit: ConsoleKit, v: PageViewer, op: string, id: string) {
  if (!v.allows(op)) return undefined;
  try {
    return bodyOf(await kit.call(v, op, { params: { id } }));
  } catch (e) {
    if (toProblem(e).status === 404) return null;
    throw e;
  }
}

const removeForm = (v: PageViewer, id: string, kind: string, t: Text) =>
  form(`${ES}/${id}/${kind}/remove`, v.session.csrf, button(t, { kind: 'secondary', id: `remove-${kind}` }));

function saml(v: PageViewer, id: string, s: Record<string, unknown> | null): Html {
  const facts = s
    ? html`<dl class="props" id="saml"><dt>entityID</dt><dd class="mono">${String(s.entityId)}</dd>
<dt>${bi(['來源', 'Source'])}</dt><dd>${s.source === 'url' ? String(s.metadataUrl) : bi(['上傳', 'upload'])}</dd>
<dt>validUntil</dt><dd>${fmtTime(s.validUntil as string | null)}</dd>
${s.refreshError ? html`<dt>${bi(['更新錯誤', 'Refresh error'])}</dt><dd class="error">${String(s.refreshError)}</dd>` : ''}
<dt>NameID</dt><dd>${String(s.nameIdFormat)}</dd><dt>SHA-256</dt><dd class="mono">${String(s.metadataSha256)}</dd></dl>`
    : html`<p>${bi(['未註冊。', 'Not registered.'])}</p>`;
  const write = v.allows('putSAML')
    ? html`${form(
        `${ES}/${id}/saml`,
        v.session.csrf,
        html`<div class="field"><label for="f-metadataXml">${bi(['上傳 SP 中繼資料（XML 檔）', 'Upload the SP metadata (XML file)'])}</label><input type="file" id="f-metadataXml" name="metadataXml" accept=".xml,application/samlmetadata+xml,text/xml"></div>
${input({ name: 'metadataUrl', label: ['或：中繼資料網址（定期更新）', 'Or: the metadata URL (refreshed periodically)'], type: 'url' })}
${select({
  name: 'nameIdFormat',
  label: ['NameID 格式', 'NameID format'],
  value: String(s?.nameIdFormat ?? 'transient'),
  options: [
    { value: 'transient', label: ['transient（每次不同）', 'transient'] },
    { value: 'persistent', label: ['persistent（每個 eService 固定化名）', 'persistent (pseudonym)'] },
  ],
})}
<div class="actions">${button(['註冊中繼資料', 'Register the metadata'], { id: 'register-saml' })}</div>`,
        { multipart: true, id: 'saml-form' },
      )}${s ? removeForm(v, id, 'saml', ['移除 SAML 註冊', 'Remove the SAML registration']) : ''}`
    : '';
  return html`<section class="card" aria-labelledby="h-saml"><h2 id="h-saml">SAML</h2>${facts}${write}</section>`;
}

function oidc(v: PageViewer, id: string, o: Record<string, unknown> | null): Html {
  const c = (o?.client ?? null) as Record<string, unknown> | null;
  const facts = c
    ? html`<dl class="props" id="oidc"><dt>client_id</dt><dd class="mono">${String(c.clientId)}</dd><dt>redirect_uris</dt><dd>${(c.redirectUris as string[]).join('、')}</dd>
<dt>${bi(['設定檔', 'Profile'])}</dt><dd>${String(c.profile)}</dd><dt>${bi(['用戶端驗證', 'Client authentication'])}</dt><dd>${String(c.tokenEndpointAuthMethod)}</dd></dl>`
    : html`<p>${bi(['未註冊。', 'Not registered.'])}</p>`;
  const write = v.allows('putOIDC')
    ? html`${form(
        `${ES}/${id}/oidc`,
        v.session.csrf,
        html`${textarea({ name: 'client', label: ['用戶端設定（JSON，同 relying-parties.yaml 的 oidc.client，含 jwks）', 'Client settings (JSON, as oidc.client of relying-parties.yaml, with jwks)'], rows: 8, hint: ['例：{"clientId":"x","redirectUris":["https://x/cb"],"profile":"fapi2","jwks":{"keys":[…]}}', 'e.g. {"clientId":"x","redirectUris":["https://x/cb"],"profile":"fapi2","jwks":{"keys":[…]}}'] })}<div class="actions">${button(['註冊用戶端', 'Register the client'], { id: 'register-oidc' })}</div>`,
        { id: 'oidc-form' },
      )}${c ? removeForm(v, id, 'oidc', ['移除 OIDC 註冊', 'Remove the OIDC registration']) : ''}`
    : '';
  return html`<section class="card" aria-labelledby="h-oidc"><h2 id="h-oidc">OpenID Connect</h2>${facts}${write}</section>`;
}

function soap(v: PageViewer, id: string, s: Record<string, unknown> | null): Html {
  const certs = (s?.certificates ?? []) as {
    usage: string;
    fingerprint: string;
    subject: string;
    notBefore: string;
    notAfter: string;
    valid: boolean;
  }[];
  const rows = certs.map(
    (c) =>
      html`<tr><td>${c.usage}</td><td class="mono">${c.subject}</td><td>${fmtTime(c.notBefore)}</td><td>${fmtTime(c.notAfter)}</td><td>${c.valid ? html`<span class="badge ok">${bi(['有效', 'valid'])}</span>` : html`<span class="badge failed">${bi(['無效', 'not valid'])}</span>`}</td><td>${
        v.allows('removeSOAPCertificate')
          ? form(
              `${ES}/${id}/soap/certificates/remove`,
              v.session.csrf,
              html`<input type="hidden" name="usage" value="${c.usage}"><input type="hidden" name="fingerprint" value="${c.fingerprint}">${button(['移除', 'Remove'], { kind: 'secondary' })}`,
            )
          : ''
      }</td></tr>`,
  );
  const write = v.allows('addSOAPCertificate')
    ? html`${form(
        `${ES}/${id}/soap/settings`,
        v.session.csrf,
        html`${select({
          name: 'requestCounter',
          label: ['RequestCounter 規則', 'RequestCounter rule'],
          value: String(s?.requestCounter ?? 'strict'),
          options: [
            { value: 'strict', label: ['strict（逐一遞增）', 'strict'] },
            { value: 'increasing', label: ['increasing（遞增即可）', 'increasing'] },
          ],
        })}<div class="actions">${button([s ? '儲存設定' : '啟用 SOAP', s ? 'Save the settings' : 'Enable SOAP'], { kind: 'secondary', id: 'soap-settings' })}</div>`,
      )}${form(
        `${ES}/${id}/soap/certificates`,
        v.session.csrf,
        html`<h3>${bi(['新增憑證（換發時先加新憑證，切換後再移除舊的）', 'Add a certificate (a rollover adds the new one first, removes the old one after the switch)'])}</h3>${select(
          {
            name: 'usage',
            label: ['用途', 'Usage'],
            options: [
              { value: 'tls-client', label: ['TLS 用戶端', 'TLS client'] },
              { value: 'signing', label: ['WS-Security 簽章', 'WS-Security signing'] },
            ],
          },
        )}${textarea({ name: 'certificate', label: ['憑證（PEM）', 'Certificate (PEM)'], rows: 6 })}<div class="actions">${button(['新增憑證', 'Add the certificate'], { id: 'add-soap-certificate' })}</div>`,
      )}${s ? removeForm(v, id, 'soap', ['移除 SOAP 註冊', 'Remove the SOAP registration']) : ''}`
    : '';
  return html`<section class="card" aria-labelledby="h-soap"><h2 id="h-soap">SOAP eID-Interface</h2>${
    s
      ? html`<p>RequestCounter: ${String(s.requestCounter)}</p>${table(
          [
            ['用途', 'Usage'],
            ['主體', 'Subject'],
            ['生效', 'Not before'],
            ['到期', 'Not after'],
            ['現在', 'Now'],
            ['', ''],
          ],
          rows,
          ['沒有憑證。', 'No certificates.'],
          'soap-certificates',
        )}`
      : html`<p>${bi(['未註冊。', 'Not registered.'])}</p>`
  }${write}</section>`;
}

export async function frontEndSections(kit: ConsoleKit, v: PageViewer, e: { id: string }): Promise<Html> {
  const [s, o, p] = await Promise.all([
    registration(kit, v, 'getSAML', e.id),
    registration(kit, v, 'getOIDC', e.id),
    registration(kit, v, 'getSOAP', e.id),
  ]);
  return html`<h2>${bi(['前端介接', 'Front-ends'])}</h2>${s !== undefined ? saml(v, e.id, s) : ''}${o !== undefined ? oidc(v, e.id, o) : ''}${p !== undefined ? soap(v, e.id, p) : ''}`;
}
