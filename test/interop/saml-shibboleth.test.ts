/**
 * Issue 15 acceptance for docs/integrations/shibboleth-sp.md
 * (`npm run test:interop`): Shibboleth SP 3 (Debian `shibboleth-sp-utils`,
 * `libapache2-mod-shib`) — shibd and Apache with mod_shib, started here from
 * a temp dir on loopback ports — logs a user in through the IdP with the
 * default TR-03116-4 algorithm set: its own AuthnRequest (HTTP-Redirect,
 * signed ECDSA-SHA256 with an EC key), the activation page, the eID part by
 * the in-process eID-Client with a virtual card, the POST to its ACS, where
 * shibd verifies the ECDSA-signed Response, decrypts the assertion
 * (RSA-OAEP with MGF1-SHA256, AES-256-GCM), accepts OneTimeUse through an
 * Ignore rule, decodes the complex attributes with XMLAttributeDecoder, and
 * hands them to the protected page. The SP metadata registered at the IdP is
 * the one Shibboleth generates, with the AttributeConsumingService added, as
 * the guide says.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, htmlDecode } from '../interfaces/saml/support/browser.js';
import { completeLogin } from '../interfaces/saml/support/flow.js';
import { type SamlTestServer, startSamlServer } from '../interfaces/saml/support/idp.js';
import { writeTestCard } from '../support/card.js';
import { absent, requires } from '../support/requires.js';
import { freePort } from '../support/server.js';

const MODULES = '/usr/lib/apache2/modules';
const available = requires(
  'Shibboleth SP',
  absent({
    'shibboleth-sp-utils': existsSync('/usr/sbin/shibd'),
    'libapache2-mod-shib': existsSync(join(MODULES, 'mod_shib.so')),
    apache2: existsSync('/usr/sbin/apache2'),
  }),
);

/** The AttributeConsumingService Shibboleth's generated metadata lacks (docs/integrations/shibboleth-sp.md §3). */
const ACS = `<md:AttributeConsumingService index="1" isDefault="true">
<md:ServiceName xml:lang="en">Shibboleth test SP</md:ServiceName>
<md:RequestedAttribute Name="urn:tw:neid:attribute:ChineseName" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri" isRequired="true"/>
<md:RequestedAttribute Name="DateOfBirth" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic" isRequired="true"/>
<md:RequestedAttribute Name="Sex" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic"/>
<md:RequestedAttribute Name="GivenNames" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic"/>
</md:AttributeConsumingService>`;

function shibbolethConfig(dir: string, sp: string, idpEntity: string): string {
  return `<SPConfig xmlns="urn:mace:shibboleth:3.0:native:sp:config"
    xmlns:conf="urn:mace:shibboleth:3.0:native:sp:config" clockSkew="180">
  <OutOfProcess logger="${dir}/shibd.logger"/>
  <InProcess logger="${dir}/native.logger"/>
  <UnixListener address="${dir}/shibd.sock"/>
  <StorageService type="Memory" id="mem" cleanupInterval="900"/>
  <SessionCache type="StorageService" StorageService="mem" cacheAllowance="3600"/>
  <ReplayCache StorageService="mem"/>
  <ApplicationDefaults entityID="${sp}/shibboleth" REMOTE_USER="persistent-id"
      signing="true" encryption="true"
      signingAlg="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
      digestAlg="http://www.w3.org/2001/04/xmlenc#sha256">
    <Sessions lifetime="28800" timeout="3600" relayState="ss:mem" checkAddress="false"
        handlerSSL="false" cookieProps="http">
      <SSO entityID="${idpEntity}">SAML2</SSO>
      <Logout>Local</Logout>
      <Handler type="MetadataGenerator" Location="/Metadata" signing="false"/>
      <Handler type="Session" Location="/Session" showAttributeValues="true"/>
    </Sessions>
    <Errors supportContact="root@localhost" showErrors="true"/>
    <MetadataProvider type="XML" validate="false" path="${dir}/idp-metadata.xml"/>
    <AttributeExtractor type="XML" validate="true" reloadChanges="false" path="${dir}/attribute-map.xml"/>
    <AttributeFilter type="XML" validate="true" path="${dir}/attribute-policy.xml"/>
    <CredentialResolver type="Chaining">
      <CredentialResolver type="File" use="signing" key="${dir}/sp-signing.key" certificate="${dir}/sp-signing.crt"/>
      <CredentialResolver type="File" use="encryption" key="${dir}/sp-encrypt.key" certificate="${dir}/sp-encrypt.crt"/>
    </CredentialResolver>
  </ApplicationDefaults>
  <SecurityPolicyProvider type="XML" validate="true" path="${dir}/security-policy.xml"/>
  <ProtocolProvider type="XML" validate="true" reloadChanges="false" path="/etc/shibboleth/protocols.xml"/>
</SPConfig>
`;
}

/** The IdP's attributes: simple ones by Name, complex ones (eid:*Type) with XMLAttributeDecoder. */
const ATTRIBUTE_MAP = `<Attributes xmlns="urn:mace:shibboleth:2.0:attribute-map"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Attribute name="urn:tw:neid:attribute:ChineseName" id="chineseName"/>
  <Attribute name="Sex" nameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic" id="sex"/>
  <Attribute name="DateOfBirth" nameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic" id="dateOfBirth">
    <AttributeDecoder xsi:type="XMLAttributeDecoder"/>
  </Attribute>
  <Attribute name="DocumentValidity" nameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic" id="documentValidity">
    <AttributeDecoder xsi:type="XMLAttributeDecoder"/>
  </Attribute>
  <Attribute name="GivenNames" nameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic" id="givenNames">
    <AttributeDecoder xsi:type="XMLAttributeDecoder"/>
  </Attribute>
  <Attribute name="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" id="persistent-id">
    <AttributeDecoder xsi:type="NameIDAttributeDecoder" formatter="$NameQualifier!$SPNameQualifier!$Name" defaultQualifiers="true"/>
  </Attribute>
</Attributes>
`;

const ATTRIBUTE_POLICY = `<AttributeFilterPolicyGroup xmlns="urn:mace:shibboleth:2.0:afp"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <AttributeFilterPolicy>
    <PolicyRequirementRule xsi:type="ANY"/>
    <AttributeRule attributeID="*" permitAny="true"/>
  </AttributeFilterPolicy>
</AttributeFilterPolicyGroup>
`;

/** The default policy plus the rule the guide adds: the IdP's OneTimeUse condition is known and ignored. */
const SECURITY_POLICY = `<SecurityPolicies xmlns="urn:mace:shibboleth:3.0:native:sp:config">
  <Policy id="default" validate="false">
    <PolicyRule type="MessageFlow" checkReplay="true" expires="60"/>
    <PolicyRule type="Conditions">
      <PolicyRule type="Audience"/>
      <PolicyRule type="Ignore" xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">saml2:OneTimeUse</PolicyRule>
    </PolicyRule>
    <PolicyRule type="ClientCertAuth" errorFatal="true"/>
    <PolicyRule type="XMLSigning" errorFatal="true"/>
    <PolicyRule type="SimpleSigning" errorFatal="true"/>
  </Policy>
  <ExcludedAlgorithms excludeDefaults="true"/>
</SecurityPolicies>
`;

const LOGGER = (file: string) => `log4j.rootCategory=INFO, log
log4j.appender.log=org.apache.log4j.FileAppender
log4j.appender.log.fileName=${file}
log4j.appender.log.layout=org.apache.log4j.PatternLayout
log4j.appender.log.layout.ConversionPattern=%d{%Y-%m-%d %H:%M:%S} %p %c %x: %m%n
`;

async function until(ok: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come up`);
}

describe.runIf(available)('Shibboleth SP logs a user in through the IdP', () => {
  let dir: string;
  let shibd: ChildProcess | undefined;
  let apache: ChildProcess | undefined;
  let sp: string;
  let server: SamlTestServer;
  let card: ReturnType<typeof writeTestCard>;
  let metadata = '';
  const logs = () =>
    ['shibd.log', 'native.log', 'error.log']
      .map((f) => join(dir, f))
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f, 'utf8').slice(-3000))
      .join('\n');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'neid-shib-'));
    mkdirSync(join(dir, 'cgi'), { mode: 0o755 });
    const spPort = await freePort();
    const idpPort = await freePort();
    sp = `http://127.0.0.1:${spPort}`;
    const idpEntity = `https://127.0.0.1:${idpPort}/saml/metadata`;
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
    // ECDSA for request signatures (the default algorithm set refuses RSA-SHA256), RSA for encryption.
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      join(dir, 'sp-signing.key'),
      '-out',
      join(dir, 'sp-signing.crt'),
      '-days',
      '30',
      '-subj',
      '/CN=Shibboleth test SP signing',
    );
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:3072',
      '-nodes',
      '-keyout',
      join(dir, 'sp-encrypt.key'),
      '-out',
      join(dir, 'sp-encrypt.crt'),
      '-days',
      '30',
      '-subj',
      '/CN=Shibboleth test SP encryption',
    );
    writeFileSync(join(dir, 'shibboleth2.xml'), shibbolethConfig(dir, sp, idpEntity));
    writeFileSync(join(dir, 'attribute-map.xml'), ATTRIBUTE_MAP);
    writeFileSync(join(dir, 'attribute-policy.xml'), ATTRIBUTE_POLICY);
    writeFileSync(join(dir, 'security-policy.xml'), SECURITY_POLICY);
    writeFileSync(join(dir, 'shibd.logger'), LOGGER(join(dir, 'shibd.log')));
    writeFileSync(join(dir, 'native.logger'), LOGGER(join(dir, 'native.log')));
    // Until the IdP runs, a placeholder: shibd needs a metadata file to start.
    writeFileSync(
      join(dir, 'idp-metadata.xml'),
      `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>`,
    );
    writeFileSync(
      join(dir, 'cgi', 'attributes'),
      '#!/bin/sh\nprintf "Content-Type: text/plain; charset=utf-8\\r\\n\\r\\n"\nfor v in chineseName sex dateOfBirth documentValidity givenNames REMOTE_USER Shib_Identity_Provider; do eval "echo $v=\\$$v"; done\n',
      { mode: 0o755 },
    );
    const mod = (name: string, file: string) => `LoadModule ${name} ${MODULES}/${file}`;
    writeFileSync(
      join(dir, 'httpd.conf'),
      [
        `ServerRoot "${dir}"`,
        `Listen 127.0.0.1:${spPort}`,
        `PidFile "${dir}/httpd.pid"`,
        `ErrorLog "${dir}/error.log"`,
        'LogLevel warn',
        `ServerName 127.0.0.1:${spPort}`,
        'UseCanonicalName On',
        'User nobody',
        'Group nogroup',
        mod('mpm_prefork_module', 'mod_mpm_prefork.so'),
        mod('authz_core_module', 'mod_authz_core.so'),
        mod('authn_core_module', 'mod_authn_core.so'),
        mod('alias_module', 'mod_alias.so'),
        mod('cgi_module', 'mod_cgi.so'),
        mod('mod_shib', 'mod_shib.so'),
        `ShibConfig "${dir}/shibboleth2.xml"`,
        `DocumentRoot "${dir}"`,
        '<Location /Shibboleth.sso>',
        '  SetHandler shib',
        '</Location>',
        `ScriptAlias /secure/attributes "${dir}/cgi/attributes"`,
        '<Location /secure/>',
        '  AuthType shibboleth',
        '  ShibRequestSetting requireSession 1',
        '  Require shib-session',
        '</Location>',
        '',
      ].join('\n'),
    );
    // shibd runs as the test user; Apache's children (nobody) reach it through the socket.
    shibd = spawn(
      '/usr/sbin/shibd',
      ['-F', '-f', '-c', join(dir, 'shibboleth2.xml'), '-p', join(dir, 'shibd.pid')],
      {
        stdio: 'ignore',
      },
    );
    await until(async () => existsSync(join(dir, 'shibd.sock')), 'shibd');
    execFileSync('chmod', ['-R', 'a+rX', dir]);
    execFileSync('chmod', ['a+rw', join(dir, 'shibd.sock')]);
    execFileSync('/usr/sbin/apache2', ['-t', '-f', join(dir, 'httpd.conf')], { stdio: 'pipe' });
    apache = spawn('/usr/sbin/apache2', ['-X', '-f', join(dir, 'httpd.conf')], { stdio: 'ignore' });
    await until(async () => {
      metadata = await new Browser()
        .get(`${sp}/Shibboleth.sso/Metadata`)
        .then((p) => p.body)
        .catch(() => '');
      return metadata.includes('SPSSODescriptor');
    }, 'Apache with mod_shib');
    expect(metadata).not.toContain('AttributeConsumingService');
    const registered = metadata.replace(/(<\/md:SPSSODescriptor>)/, `${ACS}$1`);
    server = await startSamlServer(
      [
        {
          id: 'shibboleth',
          mnemonic: 'SHIBSP',
          saml: { nameIdFormat: 'persistent' },
          metadataXml: registered,
        },
      ],
      { webPort: idpPort },
    );
    expect(server.idp.entityId).toBe(idpEntity);
    writeFileSync(join(dir, 'idp-metadata.xml'), server.idpMetadata);
    execFileSync('chmod', ['a+r', join(dir, 'idp-metadata.xml')]);
    // shibd reloads changed metadata files; wait until it knows the IdP.
    await until(async () => {
      const r = await new Browser().get(`${sp}/secure/attributes`).catch(() => undefined);
      return !!r && r.status === 302 && String(r.headers.location).startsWith(server.idp.ssoUrl);
    }, 'the IdP in shibd');
    card = writeTestCard(server.ts.pkiDir, { omitFields: ['placeOfBirth'] });
  }, 240_000);

  afterAll(async () => {
    for (const p of [apache, shibd]) {
      if (p && p.exitCode === null) {
        await new Promise<void>((resolve) => {
          p.once('exit', () => resolve());
          p.kill('SIGTERM');
        });
      }
    }
    await server?.ts.close();
  });

  it('ends on the protected page with the released attributes', async () => {
    const browser = new Browser();
    const start = await browser.get(`${sp}/secure/attributes`);
    expect(start.status, `${start.body.slice(0, 500)}\n${logs()}`).toBe(302);
    const sso = String(start.headers.location);
    expect(sso.startsWith(`${server.idp.ssoUrl}?SAMLRequest=`)).toBe(true);
    expect(decodeURIComponent(sso)).toContain('SigAlg=http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256');
    const activation = await browser.get(sso);
    expect(activation.status, activation.body.slice(0, 300)).toBe(200);
    const { form } = await completeLogin(browser, activation, card.file);
    expect(form.action).toBe(`${sp}/Shibboleth.sso/SAML2/POST`);
    const acs = await browser.post(form.action, form.fields);
    expect(acs.status, `${acs.body.slice(0, 1500)}\n${logs()}`).toBe(302);
    const page = await browser.follow(new URL(String(acs.headers.location), sp).href);
    expect(page.status, `${page.body.slice(0, 1500)}\n${logs()}`).toBe(200);
    const env = Object.fromEntries(
      htmlDecode(page.body)
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(env.chineseName).toBe(String(card.json.fields.chineseName));
    expect(env.sex).toBe(String(card.json.fields.sex));
    // Complex values arrive as the base64 of the saml:AttributeValue element (XMLAttributeDecoder).
    const xml = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
    expect(xml(env.dateOfBirth!)).toContain(`>${card.json.fields.dateOfBirth}</eid:DateString>`);
    expect(xml(env.dateOfBirth!)).toMatch(/^<saml:AttributeValue [^>]*xsi:type="eid:GeneralDateType"/);
    expect(xml(env.documentValidity!)).toContain('>valid</eid:Status>');
    expect(env.Shib_Identity_Provider).toBe(server.idp.entityId);
    // The persistent NameID (pairwise, per card and SP) is the user.
    expect(env.REMOTE_USER).toMatch(new RegExp(`!${sp}/shibboleth![A-Za-z0-9_-]{43}$`));
    // An attribute without a value (AttributeNotOnChip) never reaches the application (the guide says so).
    expect(env.givenNames).toBe('');
    expect(logs()).toMatch(/skipping SAML 2.0 Attribute with Name: GivenNames/);
  });
});
