/**
 * Alerts (the security officer's): more than the allowed failed sign-ins of an
 * account or from an address within the window locked it; each alert says
 * when, what, until when, and whether the webhook took it. The officer
 * acknowledges it, and may lift the lock before it runs out (seed 004 第陸章
 * 伍.三.(六).4: the security staff decide what follows an alert).
 */
import { bi, button, fmtTime, form, html, type Text } from '../html.js';
import type { ConsoleKit } from '../kit.js';
import { bodyOf, doneNotice, table } from './common.js';

const DELIVERY: Readonly<Record<string, Text>> = {
  none: ['未設定', 'no webhook'],
  pending: ['傳送中', 'sending'],
  delivered: ['已送達', 'Delivered'],
  failed: ['送達失敗', 'Failed'],
};

interface AlertView {
  id: number;
  at: string;
  kind: string;
  subject: string;
  details: { failures?: number; lockedUntil?: string; lastReason?: string; method?: string };
  delivery: string;
  attempts: number;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
}

export function alertPages(kit: ConsoleKit): void {
  kit.get('/admin/alerts', async (ctx, v) => {
    const list = bodyOf(await kit.call(v, 'listAlerts', { query: { limit: '100' } })).items as AlertView[];
    const now = Date.now();
    const rows = list.map((a) => {
      const locked = a.details.lockedUntil && Date.parse(a.details.lockedUntil) > now;
      return html`<tr data-alert="${a.id}"><td class="num">${a.id}</td><td>${fmtTime(a.at)}</td><td class="mono">${a.subject}</td><td class="num">${a.details.failures ?? ''}</td><td>${a.details.method ?? ''}<br><small>${a.details.lastReason ?? ''}</small></td><td>${fmtTime(a.details.lockedUntil)}</td><td><span class="badge ${a.delivery}">${bi(DELIVERY[a.delivery] ?? [a.delivery, a.delivery])}</span> ${a.attempts ? `×${a.attempts}` : ''}</td><td>${
        a.acknowledgedAt
          ? html`${a.acknowledgedBy} ${fmtTime(a.acknowledgedAt)}`
          : form(
              `/admin/alerts/${a.id}/acknowledge`,
              v.session.csrf,
              button(['確認', 'Acknowledge'], { kind: 'secondary', id: `ack-${a.id}` }),
            )
      }${locked ? form('/admin/alerts/unlock', v.session.csrf, html`<input type="hidden" name="subject" value="${a.subject}">${button(['解除鎖定', 'Lift the lock'], { kind: 'secondary', id: `unlock-${a.id}` })}`) : ''}</td></tr>`;
    });
    const n = doneNotice(ctx);
    kit.page(
      ctx,
      { title: ['警示', 'Alerts'], viewer: v, active: '/admin/alerts', ...(n ? { notice: n } : {}) },
      table(
        [
          ['編號', 'Id'],
          ['時間', 'At'],
          ['對象', 'Subject'],
          ['失敗次數', 'Failures'],
          ['方式與原因', 'Method, reason'],
          ['鎖定至', 'Locked until'],
          ['Webhook', 'Webhook'],
          ['處理', 'Handling'],
        ],
        rows,
        ['沒有警示。', 'No alerts.'],
        'alerts',
      ),
    );
  });
  kit.post('/admin/alerts/:id/acknowledge', async (ctx, v) => {
    try {
      await kit.call(v, 'acknowledgeAlert', { params: { id: ctx.params.id! } });
      kit.done(ctx, '/admin/alerts', 'acknowledged');
    } catch (e) {
      await kit.refuse(ctx, v, e, { back: '/admin/alerts' });
    }
  });
  kit.post('/admin/alerts/unlock', async (ctx, v, f) => {
    try {
      await kit.call(v, 'releaseLock', { body: { subject: f.get('subject') } });
      kit.done(ctx, '/admin/alerts', 'unlocked');
    } catch (e) {
      await kit.refuse(ctx, v, e, { back: '/admin/alerts' });
    }
  });
}
