/** Pieces several console pages share: the notice after a step, status badges, reading a reply. */
import type { Context } from 'koa';
import type { Reply } from '../../admin/route.js';
import { bi, type Html, html, notice, type Text } from '../html.js';
import { statusText } from '../i18n.js';

const DONE: Readonly<Record<string, Text>> = {
  saved: ['已儲存。', 'Saved.'],
  created: [
    '申請案已建立（草稿）。請檢查後送出。',
    'The application was created as a draft. Check it, then submit it.',
  ],
  submitted: ['已送出，等待審查。', 'Submitted: it waits for a reviewer.'],
  'paper-received': ['已記錄紙本正本之收件。', 'The arrival of the signed paper copy was recorded.'],
  reviewed: ['已完成審查，等待核定。', 'Reviewed: it waits for an approver.'],
  'changes-requested': ['已退回申請者修改。', 'Sent back to the applicant for changes.'],
  approved: ['已核准。', 'Approved.'],
  rejected: ['已拒絕。', 'Rejected.'],
  certificate: ['終端憑證已處理。', 'The terminal certificate was handled.'],
  suspended: ['已暫停。', 'Suspended.'],
  resumed: ['已恢復。', 'Resumed.'],
  revoked: ['已撤銷。', 'Revoked.'],
  removed: ['已移除。', 'Removed.'],
  renewed: ['已申請換發終端憑證。', 'A renewal of the terminal certificate was ordered.'],
  promoted: [
    '已轉為正式環境：正式 DV 之終端憑證已核發或已送出申請。',
    'Promoted: the production DV’s terminal certificate is issued or requested.',
  ],
  imported: ['已匯入終端憑證。', 'The terminal certificate was imported.'],
  withdrawn: ['已撤回申請。', 'The request was withdrawn.'],
  acknowledged: ['已確認警示。', 'The alert was acknowledged.'],
  unlocked: ['已解除鎖定。', 'The lock was lifted.'],
  passkey: ['已新增通行金鑰。', 'The passkey was added.'],
  reauthenticated: ['已重新驗證身分。', 'You confirmed it is you.'],
};

/** The notice of `?done=<code>` after a step (PRG). */
export function doneNotice(ctx: Context): Html | undefined {
  const t = typeof ctx.query.done === 'string' ? DONE[ctx.query.done] : undefined;
  return t ? notice('ok', html`<p>${bi(t)}</p>`) : undefined;
}

export const badge = (status: string): Html =>
  html`<span class="badge ${status}">${bi(statusText(status))}</span>`;

/** A reply's JSON body, typed by the page that reads it. */
// biome-ignore lint/suspicious/noExplicitAny: pages read the admin API's JSON by shape
export const bodyOf = (r: Reply): any => r.body;

export const q = (ctx: Context, k: string): string | undefined => {
  const v = ctx.query[k];
  return typeof v === 'string' && v ? v : undefined;
};

/** A table, or a sentence saying there is nothing. */
export function table(head: readonly Text[], rows: readonly Html[], empty: Text, id?: string): Html {
  if (!rows.length) return html`<p class="empty">${bi(empty)}</p>`;
  return html`<table${id ? html` id="${id}"` : ''}><thead><tr>${head.map((h) => html`<th scope="col">${bi(h)}</th>`)}</tr></thead><tbody>${rows}</tbody></table>`;
}
