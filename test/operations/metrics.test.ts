/** The metrics registry: bounded labels, the series and what the gauges read at scrape time. */
import { describe, expect, it } from 'vitest';
import { BoundedLabel, Metrics } from '../../src/operations/metrics.js';
import { sample } from '../support/metrics.js';

describe('metrics', () => {
  it('wire codes become short, plain label values, at most a bounded number of them', () => {
    const l = new BoundedLabel(3);
    expect(l.of('http://www.bsi.bund.de/ecard/api/1.1/resultminor/al/common#internalError')).toBe(
      'al/common#internalError',
    );
    expect(l.of('http://www.bsi.bund.de/eid/server/2.0/resultminor/getResult#invalidDocument')).toBe(
      'getResult#invalidDocument',
    );
    expect(l.of('server_error')).toBe('server_error');
    expect(l.of('a "quoted"\nvalue')).toBe('other');
    expect(l.of('x'.repeat(81))).toBe('other');
    expect(l.of('one-more')).toBe('other'); // the fourth distinct value
    expect(l.of('server_error')).toBe('server_error'); // known ones stay
    expect(l.of(undefined)).toBe('none');
  });

  it('counts logins, steps and failures; gauges read their sources at scrape time', async () => {
    let up = true;
    const m = new Metrics({
      openSessions: async () => new Map([['es-a', 3]]),
      certificates: () => [{ kind: 'tls', name: 'rsa', notAfter: new Date(Date.now() + 10 * 86_400_000) }],
      revocationList: () => ({ thisUpdate: new Date(Date.now() - 60_000), current: true }),
      crls: () => [{ issuer: 'CSCA', thisUpdate: new Date(Date.now() - 120_000) }],
      dependencies: () => new Map([['session-store', up]]),
    });
    m.login('es-a', 'saml', 'ok', 12);
    m.login('es-a', 'saml', 'client-error', 3);
    m.eacStep('eac2', 0.004);
    m.failure('soap', 'http://www.bsi.bund.de/eid/server/2.0/resultminor/getResult#invalidDocument', 'es-a');
    let text = await m.text();
    expect(sample(text, 'neid_logins_total', { eservice: 'es-a', protocol: 'saml', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'neid_login_duration_seconds_count', { protocol: 'saml', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'neid_eac_step_duration_seconds_count', { step: 'eac2' })).toBe(1);
    expect(
      sample(text, 'neid_failures_total', {
        protocol: 'soap',
        eservice: 'es-a',
        code: 'getResult#invalidDocument',
      }),
    ).toBe(1);
    expect(sample(text, 'neid_open_sessions', { eservice: 'es-a' })).toBe(3);
    expect(
      sample(text, 'neid_certificate_expiry_seconds', { kind: 'tls', name: 'rsa' })! / 86_400,
    ).toBeCloseTo(10, 2);
    expect(sample(text, 'neid_revocation_list_age_seconds')).toBeGreaterThanOrEqual(60);
    expect(sample(text, 'neid_revocation_list_current')).toBe(1);
    expect(sample(text, 'neid_crl_age_seconds', { issuer: 'CSCA' })).toBeGreaterThanOrEqual(120);
    expect(sample(text, 'neid_dependency_up', { dependency: 'session-store' })).toBe(1);
    expect(sample(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    up = false;
    text = await m.text();
    expect(sample(text, 'neid_dependency_up', { dependency: 'session-store' })).toBe(0);
  });

  it('a failing source leaves its gauge empty instead of failing the scrape', async () => {
    const m = new Metrics({
      openSessions: () => Promise.reject(new Error('Redis down')),
      revocationList: () => undefined,
    });
    const text = await m.text();
    expect(text).toContain('# TYPE neid_open_sessions gauge');
    expect(sample(text, 'neid_open_sessions')).toBeUndefined();
    expect(sample(text, 'neid_revocation_list_age_seconds')).toBe(Number.POSITIVE_INFINITY);
    expect(sample(text, 'neid_revocation_list_current')).toBe(0);
  });

  it('several servers in one process keep separate registries', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.failure('oidc', 'server_error');
    expect(sample(await a.text(), 'neid_failures_total', { code: 'server_error' })).toBe(1);
    expect(sample(await b.text(), 'neid_failures_total', { code: 'server_error' })).toBeUndefined();
  });
});
