/**
 * `neid-client serve`: browser activation (TR-03124-1 §2.2) on
 * http://127.0.0.1:24727/eID-Client?tcTokenURL=…
 *
 * The activation starts the online authentication and sends the browser to a
 * local page that shows who asks for what (the CertificateDescription and the
 * requested fields, optional ones with a checkbox) and takes PIN1; when the
 * authentication has ended, the browser is redirected (303) to the refresh URL.
 * Only loopback is served; form posts must come from this origin.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fieldDef, isFieldId } from '../profile/fields.js';
import { esc, escAttr } from '../xml/build.js';
import type { OpenedCard } from './card-source.js';
import type { ConsentDecision, ConsentRequest } from './consent.js';
import { EacClient } from './eac-client.js';
import { type OnlineAuthenticationOutcome, runOnlineAuthentication } from './paos-client.js';

interface Job {
  readonly id: string;
  request?: ConsentRequest;
  decide?: (d: ConsentDecision) => void;
  outcome?: OnlineAuthenticationOutcome;
  failed?: string;
  readonly created: number;
}

export interface ClientServerOptions {
  readonly host: string;
  readonly port: number;
  readonly openCard: () => Promise<OpenedCard>;
}

const FUNCTION_LABEL: Record<string, string> = {
  ageVerification: '年齡驗證 Age verification',
  placeVerification: '戶籍地區驗證 Place verification',
};
const label = (n: string) =>
  isFieldId(n) ? `${fieldDef(n).label.zh} ${fieldDef(n).label.en}` : (FUNCTION_LABEL[n] ?? n);

function page(title: string, body: string, refresh?: string): string {
  return `<!doctype html><html lang="zh-Hant"><head><meta charset="utf-8">${refresh ? `<meta http-equiv="refresh" content="1;url=${escAttr(refresh)}">` : ''}
<title>${esc(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
fieldset{border:1px solid #ccd;border-radius:.5rem;margin:1rem 0}li{margin:.2rem 0}pre{white-space:pre-wrap;background:#f6f6f8;padding:.6rem}
button{background:#0b5fa5;color:#fff;border:0;border-radius:.4rem;padding:.5rem 1rem;font-size:1rem}button.secondary{background:#777}</style></head>
<body><h1>N_eID-Client</h1>${body}</body></html>`;
}

function consentPage(job: Job): string {
  const r = job.request!;
  const item = (n: string, optional: boolean) =>
    `<li><label><input type="checkbox" name="keep" value="${escAttr(n)}" ${optional ? 'checked' : 'checked disabled'}> ${esc(label(n))}${optional ? '' : ' (必要 required)'}</label></li>`;
  return page(
    '確認 Confirm',
    `<p><strong>${esc(r.description.subjectName)}</strong><br><span>${esc(r.description.subjectUrl ?? '')}</span></p>
<p>核發者 Issued by: ${esc(r.description.issuerName)} · 有效 valid ${esc(r.validFrom)}–${esc(r.validTo)}</p>
<pre>${esc(r.description.termsOfUsage)}</pre>
${r.transactionInfo ? `<p>${esc(r.transactionInfo)}</p>` : ''}
<form method="post" action="/job/${escAttr(job.id)}">
<fieldset><legend>請求讀取之欄位 Requested data</legend><ul>
${[...r.required.fields, ...r.required.functions].map((n) => item(n, false)).join('')}
${[...r.optional.fields, ...r.optional.functions].map((n) => item(n, true)).join('')}
</ul></fieldset>
<p><label>PIN1 <input type="password" name="pin" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="off" required autofocus></label></p>
<button type="submit" name="action" value="accept">同意並登入 Accept</button>
<button type="submit" name="action" value="cancel" class="secondary" formnovalidate>取消 Cancel</button>
</form>`,
  );
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(c as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startClientServer(
  o: ClientServerOptions,
): Promise<{ port: number; close(): Promise<void> }> {
  const jobs = new Map<string, Job>();
  let busy = false;

  const start = (tcTokenUrl: string): Job => {
    const job: Job = { id: randomBytes(16).toString('hex'), created: Date.now() };
    jobs.set(job.id, job);
    busy = true;
    void (async () => {
      let opened: OpenedCard | undefined;
      try {
        opened = await o.openCard();
        const eac = new EacClient({
          card: opened.card,
          consent: (req) =>
            new Promise<ConsentDecision>((resolve) => {
              job.request = req;
              job.decide = resolve;
            }),
        });
        job.outcome = await runOnlineAuthentication(tcTokenUrl, eac);
      } catch (e) {
        job.failed = (e as Error).message;
      } finally {
        busy = false;
        await opened?.close().catch(() => undefined);
      }
    })();
    return job;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', `http://${o.host}:${o.port}`);
    const send = (status: number, html: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'x-frame-options': 'DENY',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
        ...headers,
      });
      res.end(html);
    };
    if (url.pathname === '/eID-Client') {
      const tc = url.searchParams.get('tcTokenURL');
      if (!tc || !/^https:\/\//.test(tc))
        return send(400, page('Bad Request', '<p>tcTokenURL is missing or not https.</p>'));
      if (busy)
        return send(409, page('Busy', '<p>另一個身分驗證進行中。Another authentication is running.</p>'));
      const job = start(tc);
      return send(303, '', { location: `/job/${job.id}` });
    }
    const m = /^\/job\/([0-9a-f]{32})$/.exec(url.pathname);
    const job = m ? jobs.get(m[1]!) : undefined;
    if (!job) return send(404, page('Not found', '<p>Unknown request.</p>'));
    if (req.method === 'POST') {
      const origin = req.headers.origin;
      if (origin && origin !== `http://${req.headers.host}`)
        return send(403, page('Forbidden', '<p>Cross-origin form.</p>'));
      const form = await readForm(req);
      if (!job.decide || !job.request) return send(409, page('Not ready', '<p>Nothing to confirm.</p>'));
      const keep = new Set(form.getAll('keep'));
      const optional = [...job.request.optional.fields, ...job.request.optional.functions];
      job.decide({
        accept: form.get('action') === 'accept',
        deselect: optional.filter((n) => !keep.has(n)),
        pin: form.get('pin') ?? '',
      });
      job.decide = undefined;
      return send(303, '', { location: `/job/${job.id}` });
    }
    if (job.outcome) {
      jobs.delete(job.id);
      if (job.outcome.redirectUrl) return send(303, '', { location: job.outcome.redirectUrl });
      return send(
        400,
        page('Bad Request', `<p>${esc(job.outcome.error?.message ?? 'authentication failed')}</p>`),
      );
    }
    if (job.failed) {
      jobs.delete(job.id);
      return send(500, page('Error', `<p>${esc(job.failed)}</p>`));
    }
    if (job.decide && job.request) return send(200, consentPage(job));
    return send(200, page('請稍候 Please wait', '<p>處理中… Working…</p>', `/job/${job.id}`));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`error: ${e.message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
