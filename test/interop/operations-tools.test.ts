/**
 * Issue 13 against the tools operators run: Prometheus' `promtool` lints the exposition the
 * running server serves after a real login and checks deploy/prometheus.yml with its alert rules;
 * HAProxy checks deploy/haproxy.cfg.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../interfaces/saml/support/browser.js';
import { completeLogin } from '../interfaces/saml/support/flow.js';
import { ROOT } from '../support/cli.js';
import { type DemoServer, startDemoServer } from '../support/demo.js';
import { scrape } from '../support/metrics.js';
import { absent, have, requires } from '../support/requires.js';

const run = (cmd: string, args: string[], input?: string) =>
  spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', ...(input !== undefined ? { input } : {}) });

if (requires('operations tools', absent({ promtool: have('promtool'), haproxy: have('haproxy') })))
  describe('operations tools', () => {
    let demo: DemoServer;
    beforeAll(async () => {
      demo = await startDemoServer();
    });
    afterAll(async () => demo?.close());

    it('promtool: the metrics after a login follow the exposition format and naming rules', async () => {
      const b = new Browser();
      const toIdp = await b.get(`${demo.web}/demo/portal/login`);
      const { form } = await completeLogin(b, await b.get(String(toIdp.headers.location)), demo.card);
      expect((await b.request('POST', form.action, form.fields)).body).toContain('id="attributes"');
      const text = await scrape(demo.server.metricsUrl!);
      expect(text).toContain('neid_logins_total{');
      const lint = run('promtool', ['check', 'metrics'], text);
      // prom-client's own default Node.js gauges end in _total; every metric of ours passes.
      const problems = `${lint.stdout}${lint.stderr}`
        .split('\n')
        .filter(
          (l) => l.trim() && !/^nodejs_\w+ non-counter metrics should not have "_total" suffix$/.test(l),
        );
      expect(problems).toEqual([]);
    });

    it('promtool: deploy/prometheus.yml and its alert rules are valid', () => {
      const r = run('promtool', ['check', 'config', 'deploy/prometheus.yml']);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/SUCCESS: 4 rules found/);
    });

    it('haproxy: deploy/haproxy.cfg is valid', () => {
      const r = run('haproxy', ['-c', '-f', join('deploy', 'haproxy.cfg')]);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout + r.stderr).toMatch(/Configuration file is valid/);
    });
  });
