/**
 * Issue 7 interop: Apache httpd with mod_auth_openidc (Debian
 * libapache2-mod-auth-openidc) as the relying party. Apache runs on a
 * loopback port with its own ServerRoot, configuration and PID file in a
 * temp dir; it discovers the provider, sends the browser to it, redeems the
 * code (client_secret_basic, PKCE S256), validates the id_token against the
 * JWKS, calls userinfo, and hands the claims to a CGI script that echoes
 * them. The test drives the browser (cookie jar, redirects) and the
 * in-process eID-Client with a virtual card.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountOidc } from '../../src/interfaces/oidc/mount.js';
import { runEid } from '../interfaces/oidc/support/eid.js';
import { Browser, httpRequest } from '../interfaces/oidc/support/http.js';
import { expectedClaims } from '../interfaces/oidc/support/rp.js';
import { writeTestCard } from '../support/card.js';
import { absent, requires } from '../support/requires.js';
import { freePort, startTestServer, type TestServer, webCertificates } from '../support/server.js';

const MODULES = '/usr/lib/apache2/modules';
const available = requires(
  'mod_auth_openidc',
  absent({
    'libapache2-mod-auth-openidc': existsSync(join(MODULES, 'mod_auth_openidc.so')),
    apache2: existsSync('/usr/sbin/apache2'),
    curl: existsSync('/usr/bin/curl'),
  }),
);
const SECRET = randomBytes(24).toString('hex');

describe.runIf(available)('mod_auth_openidc as the relying party', () => {
  let ts: TestServer;
  let apache: ChildProcess | undefined;
  let dir: string;
  let port: number;
  let apacheLog = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'neid-apache-'));
    chmodSync(dir, 0o755);
    port = await freePort();
    const redirectUri = `http://127.0.0.1:${port}/protected/redirect_uri`;
    const registry = join(dir, 'relying-parties.yaml');
    writeFileSync(
      registry,
      `eServices:
  - id: apache-portal
    displayName: { zh: Apache 入口網, en: Apache portal }
    purpose: { zh: 測試, en: Testing }
    approvedFields: [chineseName, romanizedName, dateOfBirth, householdAddress, sex]
    approvedFunctions: []
    terminal: { mnemonic: APACHE }
    oidc:
      clientId: apache-rp
      redirectUris: [${redirectUri}]
      profile: oidc
      tokenEndpointAuthMethod: client_secret_basic
      clientSecret: ${SECRET}
      idTokenSignedResponseAlg: PS256
`,
    );
    ts = await startTestServer({
      relyingParties: registry,
      mount: (s) => mountOidc(s, { mtls: false }).then(() => undefined),
    });

    const caFile = join(dir, 'op-ca.pem');
    writeFileSync(caFile, webCertificates(ts.server), { mode: 0o644 });
    mkdirSync(join(dir, 'cgi'), { mode: 0o755 });
    writeFileSync(
      join(dir, 'cgi', 'claims'),
      '#!/bin/sh\nprintf "Content-Type: text/plain; charset=utf-8\\r\\n\\r\\n"\nenv | grep "^OIDC_CLAIM_" | sort\necho "REMOTE_USER=$REMOTE_USER"\n',
      { mode: 0o755 },
    );
    const mod = (name: string, file: string) => `LoadModule ${name} ${MODULES}/${file}`;
    writeFileSync(
      join(dir, 'httpd.conf'),
      [
        `ServerRoot "${dir}"`,
        `Listen 127.0.0.1:${port}`,
        `PidFile "${dir}/httpd.pid"`,
        `ErrorLog "${dir}/error.log"`,
        'LogLevel warn auth_openidc:info',
        'ServerName 127.0.0.1',
        'User nobody',
        'Group nogroup',
        mod('mpm_prefork_module', 'mod_mpm_prefork.so'),
        mod('authz_core_module', 'mod_authz_core.so'),
        mod('authn_core_module', 'mod_authn_core.so'),
        mod('authz_user_module', 'mod_authz_user.so'),
        mod('alias_module', 'mod_alias.so'),
        mod('cgi_module', 'mod_cgi.so'),
        mod('auth_openidc_module', 'mod_auth_openidc.so'),
        `DocumentRoot "${dir}"`,
        `ScriptAlias /protected/claims "${dir}/cgi/claims"`,
        `OIDCProviderMetadataURL ${ts.web}/oidc/.well-known/openid-configuration`,
        'OIDCClientID apache-rp',
        `OIDCClientSecret ${SECRET}`,
        `OIDCRedirectURI ${redirectUri}`,
        `OIDCCryptoPassphrase ${randomBytes(16).toString('hex')}`,
        'OIDCScope "openid profile address"',
        'OIDCPKCEMethod S256',
        'OIDCProviderTokenEndpointAuth client_secret_basic',
        'OIDCIDTokenSignedResponseAlg PS256',
        `OIDCCABundlePath "${caFile}"`,
        'OIDCPassClaimsAs environment',
        'OIDCRemoteUserClaim sub',
        '<Location /protected/>',
        '  AuthType openid-connect',
        '  Require valid-user',
        '</Location>',
        '',
      ].join('\n'),
    );
    execFileSync('/usr/sbin/apache2', ['-t', '-f', join(dir, 'httpd.conf')], { stdio: 'pipe' });
    apache = spawn('/usr/sbin/apache2', ['-X', '-f', join(dir, 'httpd.conf')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    apache.stderr?.on('data', (d: Buffer) => {
      apacheLog += d.toString();
    });
    for (let i = 0; i < 100; i++) {
      const up = await httpRequest(`http://127.0.0.1:${port}/`, { ca: '' }).then(
        () => true,
        () => false,
      );
      if (up) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 120_000);

  afterAll(async () => {
    if (apache && apache.exitCode === null) {
      await new Promise<void>((resolve) => {
        apache!.once('exit', () => resolve());
        apache!.kill('SIGTERM');
      });
    }
    await ts?.close();
  });

  it('needs both web certificates in OIDCCABundlePath: libcurl is offered the ECDSA one (docs/integrations/mod-auth-openidc.md)', async () => {
    // mod_auth_openidc fetches discovery, JWKS, token and userinfo with libcurl; curl uses the same
    // library and OpenSSL defaults. The web listener serves an ECDSA and an RSA certificate and picks
    // by the negotiated suite, which for OpenSSL clients is ECDHE-ECDSA.
    const ec = ts.server.pki.tls.ec?.cert;
    expect(ec).toBeDefined();
    // Asynchronously: the server runs in this process.
    const fetch = (bundle: string) => {
      const f = join(dir, `bundle-${randomBytes(4).toString('hex')}.pem`);
      writeFileSync(f, bundle);
      const url = `${ts.web}/oidc/.well-known/openid-configuration`;
      return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const c = spawn('curl', [
          '-sS',
          '--max-time',
          '30',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code}',
          '--cacert',
          f,
          url,
        ]);
        let out = '';
        let err = '';
        c.stdout.on('data', (d: Buffer) => {
          out += d;
        });
        c.stderr.on('data', (d: Buffer) => {
          err += d;
        });
        c.on('close', (code) => resolve({ code, out, err }));
      });
    };
    const rsaOnly = await fetch(ts.server.pki.tls.cert);
    expect(rsaOnly.code, rsaOnly.err).toBe(60); // CURLE_PEER_FAILED_VERIFICATION: the ECDSA certificate is not trusted
    const both = await fetch(webCertificates(ts.server));
    expect(both.code, both.err).toBe(0);
    expect(both.out).toBe('200');
  });

  it('logs a user in and passes the released claims to the protected page', async () => {
    const card = writeTestCard(ts.pkiDir);
    const browser = new Browser({ ca: webCertificates(ts.server) });
    const protectedUrl = `http://127.0.0.1:${port}/protected/claims`;
    const page = await browser.navigate(protectedUrl);
    const errors = () =>
      `${apacheLog}\n${existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : ''}`;
    expect(page.status, `${page.body}\n${errors()}`).toBe(200);
    expect(page.url).toContain('/oidc/interaction/');
    const run = await runEid(
      browser,
      page.body,
      card.file,
      `http://127.0.0.1:${port}/protected/redirect_uri`,
    );
    expect(run.callback, run.final.body).toBeDefined();
    // Apache redeems the code, then sends the browser on to the protected page.
    const done = await browser.navigate(run.callback!);
    expect(done.status, `${done.body}\n${errors()}`).toBe(200);
    expect(done.url).toBe(protectedUrl);
    const env = Object.fromEntries(
      done.body
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const want = expectedClaims(card.json.fields, ['name', 'neid_romanized_name', 'birthdate', 'gender']);
    expect(env.OIDC_CLAIM_name).toBe(want.name);
    expect(env.OIDC_CLAIM_neid_romanized_name).toBe(want.neid_romanized_name);
    expect(env.OIDC_CLAIM_birthdate).toBe(want.birthdate);
    expect(env.OIDC_CLAIM_gender).toBe(want.gender);
    expect(env.OIDC_CLAIM_acr).toBe('urn:tw:neid:loa:high');
    expect(env.OIDC_CLAIM_iss).toBe(`${ts.web}/oidc`);
    expect(env.REMOTE_USER).toBe(env.OIDC_CLAIM_sub);
    expect(env.OIDC_CLAIM_sub).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Fields the client is approved for but did not ask for are not there.
    expect(env.OIDC_CLAIM_neid_national_id).toBeUndefined();
  });
});
