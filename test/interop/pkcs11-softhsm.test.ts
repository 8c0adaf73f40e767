/**
 * Signing keys in a PKCS#11 token (requirements §7), with SoftHSM2 as the
 * token: `neid pki init` generates the terminal, SAML signing and SOAP
 * signing key pairs inside a private SoftHSM2 token and writes no private key
 * file for them; the server started with `keys.pkcs11` signs with them:
 * (a) the virtual card verifies the TA signature of a full EAC run;
 * (b) xmlsec1 and the SP client verify the SAML Response and Assertion
 *     signatures (ECDSA and RSA keys);
 * (c) xmlsec1 and the SOAP client verify the WS-Security response signature.
 * Start-up errors name the missing label, the module, the PIN variable.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { EacClient } from '../../src/client/eac-client.js';
import { runOnlineAuthentication } from '../../src/client/paos-client.js';
import { loadRegistry } from '../../src/config/relying-parties.js';
import { loadPrivateKey } from '../../src/crypto/keys.js';
import { SIG } from '../../src/interfaces/saml/algorithms.js';
import { keySigner } from '../../src/interfaces/saml/crypto/keys.js';
import { mountSamlIdp, type SamlIdp } from '../../src/interfaces/saml/idp.js';
import { buildSpMetadata } from '../../src/interfaces/saml/metadata/sp-metadata-builder.js';
import {
  loginRequestUrl,
  readLoginResponse,
  type SpClientConfig,
} from '../../src/interfaces/saml/sp-client.js';
import { EidInterfaceClient } from '../../src/interfaces/soap/client.js';
import { buildGetServerInfoRequest } from '../../src/interfaces/soap/messages/get-server-info.js';
import { type MountedSoap, mountSoap } from '../../src/interfaces/soap/mount.js';
import { signEnvelope } from '../../src/interfaces/soap/wss/sign.js';
import { PKI_FILES, soapClientFiles, terminalFiles } from '../../src/pki/layout.js';
import { openKeySource } from '../../src/provisioning/keys/source.js';
import { loadPki } from '../../src/provisioning/store.js';
import { Browser } from '../interfaces/saml/support/browser.js';
import { completeLogin } from '../interfaces/saml/support/flow.js';
import { ecKey, keyPair, spRsaEncryptionKey } from '../interfaces/saml/support/idp.js';
import { idpCertificates } from '../interfaces/saml/support/tr03130.js';
import { writeTestCard } from '../support/card.js';
import { runNeid } from '../support/cli.js';
import { absent, have, requires } from '../support/requires.js';
import { freePort, startTestServer, type TestServer } from '../support/server.js';
import { pkcs11InitArgs, pkcs11jsInstalled, SOFTHSM_MODULE, softhsmTokens } from '../support/softhsm.js';

const TOKEN = 'neid-interop';
const PIN_ENV = 'NEID_TEST_PKCS11_PIN';
const PIN = '246810';
const ES = { tr: 'hsm-sp', legacy: 'hsm-legacy', soap: 'hsm-soap' } as const;

describe.runIf(
  requires(
    'PKCS#11 keys in SoftHSM2',
    absent({
      softhsm2: have('softhsm2-util') && SOFTHSM_MODULE !== undefined,
      pkcs11js: pkcs11jsInstalled(),
      xmlsec1: have('xmlsec1'),
    }),
  ),
)('signing keys in a PKCS#11 token (SoftHSM2)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'neid-pkcs11-'));
  const pkiDir = join(dir, 'pki');
  const pkcs11 = { module: SOFTHSM_MODULE!, token: TOKEN, pinEnv: PIN_ENV };
  const sp = {
    signing: keyPair(ecKey(), 'hsm sp signing'),
    encryption: keyPair(spRsaEncryptionKey(), 'hsm sp enc'),
  };
  let ts: TestServer;
  let idp: SamlIdp | undefined;
  let soap: MountedSoap | undefined;
  let card: ReturnType<typeof writeTestCard>;

  const xmlsecVerify = (xml: string, certFile: string, ...idAttrs: string[]) => {
    const file = join(dir, `signed-${Date.now()}-${Math.random().toString(36).slice(2)}.xml`);
    writeFileSync(file, xml);
    const ids = idAttrs.flatMap((a) => (a.includes(':') ? ['--id-attr:ID', a] : ['--id-attr:Id', a]));
    return spawnSync('xmlsec1', ['--verify', ...ids, '--pubkey-cert-pem', certFile, file], {
      encoding: 'utf8',
    });
  };

  beforeAll(async () => {
    // A private SoftHSM2 token store, for this process and its children (neid pki init).
    softhsmTokens(dir, [TOKEN, 'neid-empty'], PIN);
    process.env[PIN_ENV] = PIN;

    const metadata = (entityId: string) => {
      const file = `${entityId.replace(/\W/g, '_')}.xml`;
      writeFileSync(
        join(dir, file),
        buildSpMetadata({
          entityId,
          signingCertificate: sp.signing.cert,
          encryptionCertificate: sp.encryption.cert,
          acs: [{ binding: 'post', location: `${entityId}/acs`, index: 0 }],
          requestedAttributes: [
            { name: 'urn:tw:neid:attribute:ChineseName', required: true },
            { name: 'DateOfBirth', required: true },
          ],
        }),
      );
      return `./${file}`;
    };
    const eService = (id: string, mnemonic: string, extra: Record<string, unknown>) => ({
      id,
      displayName: { zh: `測試 ${id}`, en: `Test ${id}` },
      purpose: { zh: '測試', en: 'Testing' },
      approvedFields: ['chineseName', 'dateOfBirth', 'photo'],
      approvedFunctions: ['ageVerification'],
      terminal: { mnemonic },
      maxOpenSessions: 20,
      ...extra,
    });
    const rp = join(dir, 'relying-parties.yaml');
    writeFileSync(
      rp,
      stringify({
        eServices: [
          eService(ES.tr, 'HSMSP', { saml: { metadata: metadata('https://hsm-sp.example') } }),
          eService(ES.legacy, 'HSMLEGACY', {
            saml: { metadata: metadata('https://hsm-legacy.example'), algorithms: 'legacy' },
          }),
          eService(ES.soap, 'HSMSOAP', { soap: {} }),
        ],
      }),
    );
    const webPort = await freePort();
    const init = await runNeid([
      'pki',
      'init',
      '--out',
      pkiDir,
      '--relying-parties',
      rp,
      '--server-url',
      `https://127.0.0.1:${webPort}`,
      ...pkcs11InitArgs(TOKEN, PIN_ENV),
    ]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain(`signing keys generated in PKCS#11 token "${TOKEN}"`);
    ts = await startTestServer({
      relyingParties: rp,
      pkiDir,
      webPort,
      extra: { soap: { port: await freePort() }, keys: { pkcs11 } },
      mount: async (s) => {
        idp = mountSamlIdp(s);
        soap = await mountSoap(s);
      },
    });
    card = writeTestCard(pkiDir);
  }, 180_000);
  let closed = false;
  afterAll(async () => {
    if (!closed) await ts?.close();
  });

  it('neid pki init wrote no private key file for the keys in the token', () => {
    const keyFiles = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory()
          ? keyFiles(join(d, e.name))
          : e.name.endsWith('.key.pem')
            ? [relative(pkiDir, join(d, e.name))]
            : [],
      );
    const files = keyFiles(pkiDir);
    for (const id of Object.values(ES)) expect(files).not.toContain(terminalFiles(id).key);
    for (const f of [PKI_FILES.samlSigningEcKey, PKI_FILES.samlSigningRsaKey, PKI_FILES.soapSigningKey])
      expect(files).not.toContain(f);
    // The keys outside the scope of the token stay files.
    expect(files).toContain(PKI_FILES.samlEncryptionKey);
    expect(files).toContain(terminalFiles(ES.tr).sectorKey);
    expect(ts.server.pki.terminals.get(ES.tr)?.key.id).toBe(`pkcs11:${TOKEN}/neid-terminal-${ES.tr}`);
  });

  it('(a) a full EAC run: the virtual card verifies the TA signature made in the token', async () => {
    const created = await ts.server.sessions.create({
      eServiceId: ES.tr,
      frontEnd: 'saml',
      required: ['chineseName', 'dateOfBirth'],
      optional: [],
      channel: 'psk',
      refreshAddress: `${ts.web}/done`,
    });
    const vc = VirtualCard.fromFile(card.file, { persist: true });
    vc.reset();
    const eac = new EacClient({
      card: vc,
      consent: async () => ({ accept: true, deselect: [], pin: '123456' }),
    });
    const outcome = await runOnlineAuthentication(created.tcTokenUrl, eac);
    expect(outcome.ok, outcome.error?.message).toBe(true);
    const result = await ts.server.sessions.consume(created.sessionId);
    expect(result?.kind).toBe('result');
    if (result?.kind === 'result')
      expect(result.result.fields.chineseName).toBe(card.json.fields.chineseName);
  });

  it('(b) SAML: Response and Assertion signed in the token (ECDSA and RSA) verify with xmlsec1 and the SP client', async () => {
    const certs = idpCertificates(idp!.metadata.xml);
    for (const [entity, algorithms, cert] of [
      ['https://hsm-sp.example', 'tr-03116-4', PKI_FILES.samlSigningEcCert],
      ['https://hsm-legacy.example', 'legacy', PKI_FILES.samlSigningRsaCert],
    ] as const) {
      const c: SpClientConfig = {
        entityId: entity,
        acsUrl: `${entity}/acs`,
        signer: keySigner(sp.signing.key, sp.signing.cert, SIG.ecdsaSha256),
        decryptionKey: sp.encryption.key,
        algorithms,
        idp: {
          entityId: idp!.entityId,
          ssoUrl: idp!.ssoUrl,
          signingKeys: certs.signing.map((x) => x.publicKey),
          encryptionCertificate: certs.encryption[0]!,
        },
      };
      const browser = new Browser();
      const req = loginRequestUrl(c);
      const { form } = await completeLogin(browser, await browser.get(req.url), card.file);
      const response = Buffer.from(form.fields.SAMLResponse!, 'base64').toString('utf8');
      const v = xmlsecVerify(response, join(pkiDir, cert), 'urn:oasis:names:tc:SAML:2.0:protocol:Response');
      expect(v.status, v.stderr).toBe(0);
      const r = readLoginResponse(c, form.fields, req.id); // also verifies the decrypted Assertion's signature
      expect(r.ok).toBe(true);
      if (r.ok)
        expect(r.attributes.get('urn:tw:neid:attribute:ChineseName')?.values).toEqual([
          card.json.fields.chineseName,
        ]);
    }
    // The metadata is signed in the token as well.
    const m = xmlsecVerify(
      idp!.metadata.xml,
      join(pkiDir, PKI_FILES.samlSigningEcCert),
      'urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor',
    );
    expect(m.status, m.stderr).toBe(0);
  });

  it('(c) SOAP: the WS-Security response signature made in the token verifies with xmlsec1 and the client', async () => {
    const read = (rel: string) => readFileSync(join(pkiDir, rel), 'utf8');
    const f = soapClientFiles(ES.soap);
    const own = { key: loadPrivateKey(read(f.key)), certPem: read(f.cert) };
    const client = new EidInterfaceClient({
      url: soap!.url,
      tls: { key: read(f.key), cert: read(f.cert) },
      serverTlsCert: read(PKI_FILES.tlsCert),
      signing: own,
      serverSigningCert: read(PKI_FILES.soapSigningCert),
    });
    // The client verifies the response signature against the server's SOAP signing certificate.
    expect((await client.getServerInfo()).version.major).toBeGreaterThan(0);
    const raw = await client.post(signEnvelope(buildGetServerInfoRequest(), own));
    const v = xmlsecVerify(raw.body, join(pkiDir, PKI_FILES.soapSigningCert), 'Body', 'Timestamp');
    expect(v.status, v.stderr).toBe(0);
  });

  it('a PEM key file left beside a key in the token is a start-up warning', async () => {
    const warnings: string[] = [];
    const stale = join(pkiDir, PKI_FILES.soapSigningKey);
    copyFileSync(join(pkiDir, PKI_FILES.samlEncryptionKey), stale);
    const keys = await openKeySource({ pkcs11 }, pkiDir, { warn: (m, f) => warnings.push(`${m} ${f.file}`) });
    try {
      keys.signingKey('soap-signing');
      expect(warnings).toEqual([expect.stringContaining(stale)]);
    } finally {
      keys.close();
      rmSync(stale, { force: true });
    }
  });

  it('start-up errors: a missing label, an unset PIN variable, a missing module or token', async () => {
    const start = async (p: Record<string, unknown>) => {
      const started = await startTestServer({
        relyingParties: join(dir, 'relying-parties.yaml'),
        pkiDir,
        extra: { keys: { pkcs11: p } },
      });
      await started.close();
      return started;
    };
    await expect(start({ ...pkcs11, token: 'neid-empty' })).rejects.toThrow(
      `the terminal key of eService ${ES.tr}: no private key labelled "neid-terminal-${ES.tr}" in PKCS#11 token "neid-empty"`,
    );
    await expect(start({ ...pkcs11, pinEnv: 'NEID_TEST_UNSET_PIN' })).rejects.toThrow(
      /NEID_TEST_UNSET_PIN is not set/,
    );
    await expect(start({ ...pkcs11, module: join(dir, 'no-such-module.so') })).rejects.toThrow(
      /cannot load the PKCS#11 module .*no-such-module\.so/,
    );
    await expect(start({ ...pkcs11, token: 'no-such-token' })).rejects.toThrow(
      /no PKCS#11 token labelled "no-such-token".*"neid-interop"/,
    );
  });

  it('a wrong PIN is refused (in a process of its own: a login holds for the whole process, PKCS#11 base §5.6)', async () => {
    const r = await runNeid(
      [
        'pki',
        'init',
        '--out',
        join(dir, 'pki-wrong-pin'),
        '--relying-parties',
        join(dir, 'relying-parties.yaml'),
      ].concat(pkcs11InitArgs(TOKEN, PIN_ENV)),
      { env: { [PIN_ENV]: '000000' } },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/login to PKCS#11 token "neid-interop" failed: CKR_PIN_INCORRECT/);
  });

  it('neid pki init refuses to overwrite keys in the token unless told to replace them', async () => {
    const again = await runNeid(
      [
        'pki',
        'init',
        '--out',
        join(dir, 'pki2'),
        '--relying-parties',
        join(dir, 'relying-parties.yaml'),
      ].concat(pkcs11InitArgs(TOKEN, PIN_ENV)),
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      `already holds a key labelled "neid-terminal-${ES.tr}", "neid-terminal-${ES.legacy}"`,
    );
    expect(existsSync(join(dir, 'pki2'))).toBe(false); // refused before anything was written
  });

  it('--pkcs11-replace generates new key pairs over the old ones (the running server is done by now)', async () => {
    await ts.close();
    closed = true;
    const out = join(dir, 'pki3');
    const r = await runNeid(
      [
        'pki',
        'init',
        '--out',
        out,
        '--relying-parties',
        join(dir, 'relying-parties.yaml'),
        '--pkcs11-replace',
      ].concat(pkcs11InitArgs(TOKEN, PIN_ENV)),
    );
    expect(r.code, r.stderr).toBe(0);
    const keys = await openKeySource({ pkcs11 }, out);
    try {
      const pki = loadPki(out, loadRegistry(join(dir, 'relying-parties.yaml')), keys);
      expect(pki.terminals.get(ES.soap)?.key.id).toBe(`pkcs11:${TOKEN}/neid-terminal-${ES.soap}`);
      // The old PKI's certificates no longer match the keys in the token.
      expect(() => loadPki(pkiDir, loadRegistry(join(dir, 'relying-parties.yaml')), keys)).toThrow(
        /does not belong to its certificate/,
      );
    } finally {
      keys.close();
    }
  });
});
