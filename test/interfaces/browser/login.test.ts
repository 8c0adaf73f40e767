/**
 * The browser part of SAML/OIDC logins: activation page, the eID-Client's
 * redirect back, the binding cookie, and the one-time hand-over of the outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualCard } from '../../../src/card/virtual-card.js';
import { EacClient } from '../../../src/client/eac-client.js';
import { httpsCall } from '../../../src/client/network.js';
import { runOnlineAuthentication } from '../../../src/client/paos-client.js';
import { writeTestCard } from '../../support/card.js';
import { startTestServer, type TestServer } from '../../support/server.js';

let ts: TestServer;
const outcomes: unknown[] = [];
beforeAll(async () => {
  ts = await startTestServer({
    mount: (s) => {
      // A minimal front-end: starts a login and reports what it gets back.
      s.logins.register('saml', async (ctx, outcome, context) => {
        outcomes.push({ outcome, context });
        ctx.body = { kind: outcome?.kind ?? 'none', context };
      });
      s.webRouter.get('/test/login', (ctx) =>
        s.logins.begin(
          ctx,
          {
            eServiceId: 'demo-portal',
            frontEnd: 'saml',
            required: ['chineseName'],
            optional: [],
            context: { relayState: 'xyz' },
          },
          { title: 'Test', eServiceName: 'Demo' },
        ),
      );
    },
  });
}, 120_000);
afterAll(async () => ts?.close());

async function start() {
  const page = await httpsCall(new URL(`${ts.web}/test/login`), {});
  expect(page.status).toBe(200);
  const html = page.body.toString();
  const cookie = (page.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
  const tcTokenUrl = decodeURIComponent(/tcTokenURL=([^"&]+)/.exec(html)![1]!.replace(/&amp;/g, '&'));
  const status = /\/eid\/status\/([\w-]+)/.exec(html)![1]!;
  return { html, cookie, tcTokenUrl, ref: status };
}

describe('browser logins', () => {
  it('renders the activation page and finishes the login in the browser that began it', async () => {
    const { html, cookie, tcTokenUrl, ref } = await start();
    expect(html).toContain('http://127.0.0.1:24727/eID-Client?tcTokenURL=');
    expect(html).not.toMatch(/[0-9a-f]{64}/); // no session id in the page
    const { file } = writeTestCard(ts.pkiDir);
    const card = VirtualCard.fromFile(file);
    card.reset();
    const outcome = await runOnlineAuthentication(
      tcTokenUrl,
      new EacClient({ card, consent: async () => ({ accept: true, deselect: [], pin: '123456' }) }),
    );
    expect(outcome.redirectUrl).toBe(`${ts.web}/eid/return/${ref}?ResultMajor=ok`);
    // Another browser (no binding cookie) cannot take the result.
    const stranger = await httpsCall(new URL(outcome.redirectUrl!), {});
    expect(stranger.status).toBe(400);
    const status = await httpsCall(new URL(`${ts.web}/eid/status/${ref}`), { headers: { cookie } });
    expect(JSON.parse(status.body.toString()).state).toBe('done');
    const mine = await httpsCall(new URL(outcome.redirectUrl!), { headers: { cookie } });
    expect(mine.status).toBe(200);
    expect(JSON.parse(mine.body.toString())).toEqual({ kind: 'result', context: { relayState: 'xyz' } });
    // Exactly once.
    expect((await httpsCall(new URL(outcome.redirectUrl!), { headers: { cookie } })).status).toBe(400);
  });

  it('ends the session when the eID-Client comes back with an error before the server finished', async () => {
    const { cookie, ref } = await start();
    const back = await httpsCall(
      new URL(`${ts.web}/eid/return/${ref}?ResultMajor=error&ResultMinor=cancellationByUser`),
      { headers: { cookie } },
    );
    expect(back.status).toBe(200);
    const last = outcomes.at(-1) as { outcome: { kind: string; failure: { code: string } } };
    expect(last.outcome.kind).toBe('failure');
    expect(last.outcome.failure.code).toBe('cancelled');
  });
});
