/**
 * `neid-client serve`: browser activation (TR-03124-1 §2.2) on
 * http://127.0.0.1:24727/eID-Client?tcTokenURL=…
 *
 * The activation starts the online authentication (serve-job.ts) and sends
 * the browser to /job/<id>, which shows what the login needs from the citizen
 * (serve-pages.ts): who asks for what and PIN1, the PIN dialogue, the card.
 * When the login has ended the browser goes to the refresh URL with the
 * result (§2.7.4.2).
 *
 * Every way out returns the citizen to the eService with a definite outcome:
 * - a form posts to /job/<id> and is redirected to /job/<id>/next on this
 *   origin, which shows the next prompt or a page that sends the browser on.
 *   A redirect chain that starts with a form must not leave the origin (the
 *   CSP's form-action 'self' blocks that hop in Chromium), however fast the
 *   login ended;
 * - GET /job/<id> (activation, reloads, the wait page's refresh) redirects
 *   (303) to the eService once the login has ended;
 * - ended logins stay answerable for RETAIN_MS, so a reload or a second tab
 *   still gets the way back.
 * Only loopback is served; form posts must come from this origin.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { OpenedCard } from './card-source.js';
import { CardLock, Job } from './serve-job.js';
import { consentPage, messagePage, promptPage, returnPage, waitPage } from './serve-pages.js';

export interface ClientServerOptions {
  readonly host: string;
  readonly port: number;
  readonly openCard: () => Promise<OpenedCard>;
}

/** How long an ended login still answers (reload, second tab). */
const RETAIN_MS = 10 * 60_000;
const MAX_JOBS = 64;
/** Idle browser connections: longer than a citizen reads a page, so a form post never meets a closing socket. */
const KEEP_ALIVE_MS = 120_000;

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

const NOT_FOUND = messagePage(
  { zh: '找不到此登入', en: 'Unknown login' },
  {
    zh: '此登入已結束或不存在。請回到服務網站重新登入。',
    en: 'This login has ended or is unknown. Go back to the service and log in again.',
  },
);

const SIX_DIGITS = /^\d{6}$/;

/**
 * What is wrong with a form before it reaches the card (TR-03124-1 §3.8: PIN and CAN are decimal
 * digits): a malformed entry is asked again and never costs a retry.
 */
function formProblem(kind: string, field: (n: string) => string): { zh: string; en: string } | undefined {
  const pin = { zh: 'PIN1 須為 6 位數字。', en: 'PIN1 must be 6 digits.' };
  if ((kind === 'consent' || kind === 'pin' || kind === 'can') && !SIX_DIGITS.test(field('pin'))) return pin;
  if (kind === 'can' && !SIX_DIGITS.test(field('can')))
    return { zh: 'CAN 須為卡面上的 6 位數字。', en: 'The CAN is the 6 digits printed on the card.' };
  if (kind === 'unblock') {
    if (!/^[A-Za-z0-9]{6,10}$/.test(field('userCode')))
      return { zh: '用戶代碼為 6–10 位英數字。', en: 'The user code has 6–10 letters or digits.' };
    if (!SIX_DIGITS.test(field('newPin')))
      return { zh: '新的 PIN1 須為 6 位數字。', en: 'The new PIN1 must be 6 digits.' };
    if (field('newPin') !== field('newPin2'))
      return { zh: '兩次輸入的新 PIN1 不相同。', en: 'The two new PIN1 entries differ.' };
  }
  return undefined;
}

/** The citizen's answer to the current prompt, from its form. */
function answerOf(job: Job, form: URLSearchParams): boolean {
  const p = job.pending;
  const seq = Number(form.get('seq'));
  if (!p || p.seq !== seq) return false;
  const cancel = form.get('action') !== 'accept';
  const field = (n: string) => form.get(n)?.trim() ?? '';
  const problem = cancel ? undefined : formProblem(p.prompt.kind, field);
  if (problem) {
    job.formError = problem;
    return false;
  }
  switch (p.prompt.kind) {
    case 'consent': {
      const keep = new Set(form.getAll('keep'));
      const r = p.prompt.request;
      const optional = [...r.optional.fields, ...r.optional.functions];
      return job.answer(seq, {
        accept: !cancel,
        deselect: optional.filter((n) => !keep.has(n)),
        pin: field('pin'),
      });
    }
    case 'unblock':
      return job.answer(seq, cancel ? { cancel } : { userCode: field('userCode'), newPin: field('newPin') });
    default:
      return job.answer(seq, cancel ? { cancel } : { pin: field('pin'), can: field('can') });
  }
}

export async function startClientServer(
  o: ClientServerOptions,
): Promise<{ port: number; close(): Promise<void> }> {
  const jobs = new Map<string, Job>();
  const lock = new CardLock();

  const evict = () => {
    const now = Date.now();
    for (const [id, j] of jobs) if (j.finished && now - j.created > RETAIN_MS) jobs.delete(id);
    for (const [id, j] of jobs) {
      if (jobs.size <= MAX_JOBS) break;
      if (j.finished) jobs.delete(id);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', `http://${o.host}:${o.port}`);
    const send = (status: number, html: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'x-frame-options': 'DENY',
        // Not no-referrer: Chromium then sends "Origin: null" with the form, which the origin check refuses.
        'referrer-policy': 'same-origin',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
        ...headers,
      });
      res.end(html);
    };
    if (url.pathname === '/eID-Client') {
      const tc = url.searchParams.get('tcTokenURL');
      if (!tc || !/^https:\/\//.test(tc))
        return send(
          400,
          messagePage(
            { zh: '無效的請求', en: 'Bad request' },
            { zh: '缺少 tcTokenURL，或不是 https 網址。', en: 'tcTokenURL is missing or not an https URL.' },
          ),
        );
      evict();
      // The citizen started again: a login still waiting for them is over.
      for (const j of jobs.values()) j.supersede();
      const job = new Job(tc, o.openCard, lock);
      jobs.set(job.id, job);
      return send(303, '', { location: `/job/${job.id}` });
    }
    const m = /^\/job\/([0-9a-f]{32})(\/next)?$/.exec(url.pathname);
    const job = m ? jobs.get(m[1]!) : undefined;
    if (!job) return send(404, NOT_FOUND);
    const self = `/job/${job.id}`;
    if (req.method === 'POST') {
      const origin = req.headers.origin;
      if (origin && origin !== `http://${req.headers.host}`)
        return send(
          403,
          messagePage({ zh: '拒絕', en: 'Forbidden' }, { zh: '跨站表單。', en: 'Cross-origin form.' }),
        );
      answerOf(job, await readForm(req));
      return send(303, '', { location: `${self}/next` });
    }
    const afterForm = m?.[2] !== undefined;
    const out = job.outcome;
    if (out) {
      if (out.redirectUrl)
        return afterForm
          ? send(200, returnPage(out.redirectUrl))
          : send(303, '', { location: out.redirectUrl });
      // TR-03124-1 §2.7.4.3: no refresh URL and no CommunicationErrorAddress — "Bad Request", said clearly.
      return send(
        400,
        messagePage(
          { zh: '無法返回服務', en: 'Cannot return to the service' },
          {
            zh: 'eID-Client 無法確定返回服務的網址。請回到服務網站重新登入。',
            en: 'The eID-Client could not determine where to return you. Go back to the service and log in again.',
          },
          out.error?.message,
        ),
      );
    }
    const p = job.pending;
    if (!p) return send(200, waitPage(self));
    if (p.prompt.kind === 'consent')
      return send(200, consentPage(self, p.seq, p.prompt.request, job.formError));
    return send(200, promptPage(self, p.seq, p.prompt, job.formError));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`error: ${e.message}\n`);
    });
  });
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: async () => {
      for (const j of jobs.values()) j.supersede();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // Superseded logins report their end to their server; none may hold the shutdown for long.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([...jobs.values()].map((j) => j.done)),
        new Promise<void>((r) => {
          timer = setTimeout(r, 5000);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}
