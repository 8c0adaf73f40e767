/**
 * Issue 5, independent implementations: Debian's xmlsec1 verifies the
 * server's WS-Security response signatures and signs a request the server
 * accepts; the JDK's XML Schema validator checks the messages against the
 * product's own XSDs (schemas/).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { EacClient } from '../../src/client/eac-client.js';
import { runOnlineAuthentication } from '../../src/client/paos-client.js';
import { buildGetResultRequest } from '../../src/interfaces/soap/messages/get-result.js';
import { buildGetServerInfoRequest } from '../../src/interfaces/soap/messages/get-server-info.js';
import { buildUseIdRequest, parseUseIdResponse } from '../../src/interfaces/soap/messages/use-id.js';
import { NS } from '../../src/interfaces/soap/namespaces.js';
import { RESULT_MAJOR } from '../../src/interfaces/soap/result-codes.js';
import { SCHEMA_DIR } from '../../src/interfaces/soap/wsdl.js';
import { signEnvelope } from '../../src/interfaces/soap/wss/sign.js';
import { verifySignedEnvelope } from '../../src/interfaces/soap/wss/verify.js';
import { buildTcToken } from '../../src/paos/messages/tctoken.js';
import { parseXml } from '../../src/xml/parse.js';
import { ops, startTestbed, type Testbed } from '../interfaces/soap/support/testbed.js';
import { writeTestCard } from '../support/card.js';
import { ROOT } from '../support/cli.js';
import { absent, requires } from '../support/requires.js';

let tb: Testbed;
let dir: string;
beforeAll(async () => {
  tb = await startTestbed();
  dir = mkdtempSync(join(tmpdir(), 'neid-soap-xmlsec-'));
  writeFileSync(join(dir, 'server-soap.pem'), tb.serverSigningCert);
  writeFileSync(join(dir, 'eservice.key.pem'), tb.material().keyPem);
}, 120_000);
afterAll(async () => tb?.close());

let n = 0;
const file = (content: string) => {
  const f = join(dir, `m${++n}.xml`);
  writeFileSync(f, content);
  return f;
};

/** xmlsec1 --verify with the server's certificate only; Ids are wsu:Id on Body and Timestamp. */
function xmlsecVerify(xml: string): { ok: boolean; out: string } {
  const r = spawnSync(
    'xmlsec1',
    [
      '--verify',
      '--id-attr:Id',
      'Body',
      '--id-attr:Id',
      'Timestamp',
      '--pubkey-cert-pem',
      join(dir, 'server-soap.pem'),
      file(xml),
    ],
    { encoding: 'utf8' },
  );
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

const signed = (body: string) =>
  signEnvelope(body, { key: tb.material().key, certPem: tb.material().certPem });

describe('xmlsec1 verifies the server’s response signatures', () => {
  it('getServerInfo, useID and error responses', async () => {
    for (const body of [
      buildGetServerInfoRequest(),
      buildUseIdRequest({ operations: ops('REQUIRED', 'chineseName') }),
      buildGetResultRequest('00'.repeat(32), 1),
    ]) {
      const r = await tb.client().post(signed(body));
      const v = xmlsecVerify(r.body);
      expect(v.ok, v.out).toBe(true);
      expect(v.out).toMatch(/SignedInfo References \(ok\/all\): 2\/2/);
    }
  });

  it('a getResult response with personal data; and refuses it once altered', async () => {
    const { file: card } = writeTestCard(tb.ts.pkiDir);
    const { tcTokenUrl, plan } = tb.prepare({
      operations: {
        ...ops('REQUIRED', 'chineseName', 'householdAddress', 'dateOfBirth'),
        ...ops('ALLOWED', 'photo', 'restrictedId'),
      },
    });
    const vc = VirtualCard.fromFile(card, { persist: true });
    vc.reset();
    const outcome = await runOnlineAuthentication(
      tcTokenUrl,
      new EacClient({ card: vc, consent: async () => ({ accept: true, deselect: [], pin: '123456' }) }),
    );
    expect(outcome.ok).toBe(true);
    const r = await tb.client().post(signed(buildGetResultRequest(plan.granted!.sessionId, 1)));
    expect(r.body).toContain('PersonalData');
    const v = xmlsecVerify(r.body);
    expect(v.ok, v.out).toBe(true);
    expect(xmlsecVerify(r.body.replace('<tw:ChineseName>', '<tw:ChineseName>X')).ok).toBe(false);
    responses.getResult = r.body;
  });
});

describe('a request signed by xmlsec1 is accepted', () => {
  function template(body: string): string {
    const s = randomBytes(6).toString('hex');
    const now = Date.now();
    const ref = (id: string) =>
      `<ds:Reference URI="#${id}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>`;
    return `<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="${NS.soap}" xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}" xmlns:ds="${NS.ds}">
  <soap:Header>
    <wsse:Security soap:mustUnderstand="1">
      <wsu:Timestamp wsu:Id="TS-${s}"><wsu:Created>${new Date(now).toISOString()}</wsu:Created><wsu:Expires>${new Date(now + 300_000).toISOString()}</wsu:Expires></wsu:Timestamp>
      <ds:Signature>
        <ds:SignedInfo>
          <ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
          <ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
          ${ref(`Body-${s}`)}
          ${ref(`TS-${s}`)}
        </ds:SignedInfo>
        <ds:SignatureValue/>
        <ds:KeyInfo><wsse:SecurityTokenReference><ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>CN=x</ds:X509IssuerName><ds:X509SerialNumber>1</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data></wsse:SecurityTokenReference></ds:KeyInfo>
      </ds:Signature>
    </wsse:Security>
  </soap:Header>
  <soap:Body wsu:Id="Body-${s}">${body}</soap:Body>
</soap:Envelope>
`;
  }

  function xmlsecSign(body: string): string {
    const out = join(dir, `signed-${++n}.xml`);
    execFileSync('xmlsec1', [
      '--sign',
      '--privkey-pem',
      join(dir, 'eservice.key.pem'),
      '--id-attr:Id',
      'Body',
      '--id-attr:Id',
      'Timestamp',
      '--output',
      out,
      file(template(body)),
    ]);
    return readFileSync(out, 'utf8');
  }

  it('getServerInfo and useID signed by xmlsec1', async () => {
    const info = await tb.client().post(xmlsecSign(buildGetServerInfoRequest()));
    expect(info.status).toBe(200);
    expect(info.body).toContain('getServerInfoResponse');
    const use = await tb
      .client()
      .post(xmlsecSign(buildUseIdRequest({ operations: ops('REQUIRED', 'chineseName') })));
    const v = verifySignedEnvelope(use.body, parseXml(use.body), tb.serverSigningCert);
    expect(v.body.toString()).toContain(RESULT_MAJOR.ok);
    expect(v.body.toString()).toContain('<eid:PSK>');
  });

  it('an eService signing with xmlsec1 hosts its own TC Token: useID with its own PSK, login, getResult; a replay is refused', async () => {
    // docs/integrations/soap-eservice.md, step by step.
    const pskId = `eservice-login-${randomBytes(8).toString('hex')}`;
    const pskKey = randomBytes(32);
    const request = xmlsecSign(
      buildUseIdRequest({ operations: ops('REQUIRED', 'chineseName'), psk: { id: pskId, key: pskKey } }),
    );
    const use = await tb.client().post(request);
    const granted = parseUseIdResponse(
      verifySignedEnvelope(use.body, parseXml(use.body), tb.serverSigningCert).body.firstChild as never,
    );
    expect(granted.result.major).toBe(RESULT_MAJOR.ok);
    expect(granted.granted!.psk.id).toBe(pskId);
    expect(granted.granted!.psk.key.equals(pskKey)).toBe(true);
    // The same signed request again (a captured message): refused, no second session.
    const replay = await tb.client().post(request);
    expect(replay.body).toContain('replayed request');
    expect(replay.body).not.toContain('<eid:Session>');
    // The eService's TC Token (TR-03124-1 §2.6), served from its own origin (the testbed eService's
    // HTTPS server, whose certificate the CertificateDescription lists).
    const { tcTokenUrl, plan } = tb.prepare({ operations: ops('REQUIRED', 'chineseName') });
    plan.granted = granted.granted!;
    plan.tcToken = buildTcToken({
      serverAddress: granted.granted!.eCardServerAddress,
      sessionIdentifier: granted.granted!.psk.id,
      refreshAddress: `${tb.eServiceUrl}/done`,
      psk: granted.granted!.psk.key,
    });
    const { file: cardFile } = writeTestCard(tb.ts.pkiDir);
    const card = VirtualCard.fromFile(cardFile, { persist: true });
    card.reset();
    const eac = new EacClient({ card, consent: async () => ({ accept: true, deselect: [], pin: '123456' }) });
    const outcome = await runOnlineAuthentication(tcTokenUrl, eac);
    expect(outcome.ok, outcome.error?.message).toBe(true);
    const result = await tb.client().post(xmlsecSign(buildGetResultRequest(granted.granted!.sessionId, 1)));
    const r = verifySignedEnvelope(result.body, parseXml(result.body), tb.serverSigningCert).body.toString();
    expect(r).toContain(RESULT_MAJOR.ok);
    expect(r).toMatch(/<tw:ChineseName [^>]*>[^<]+<\/tw:ChineseName>/);
  });

  it('the same xmlsec1-signed request with a changed Body is refused', async () => {
    const msg = xmlsecSign(buildUseIdRequest({ operations: ops('REQUIRED', 'chineseName') })).replace(
      'REQUIRED',
      'ALLOWED',
    );
    const r = await tb.client().post(msg);
    expect(r.body).toContain('common#internalError');
  });
});

const responses: { getResult?: string } = {};
const java = requires(
  'JDK schema validation',
  absent({ 'default-jdk-headless': spawnSync('java', ['-version']).status === 0 }),
);

describe.runIf(java)('the JDK validates the messages against schemas/', () => {
  it('requests and responses (Body content) are valid; an invalid one is not', async () => {
    const bodyOf = (xml: string) => {
      const v = parseXml(xml).documentElement!.getElementsByTagNameNS(NS.soap, 'Body')[0]!;
      return `<?xml version="1.0" encoding="UTF-8"?>${v.firstChild!.toString()}`;
    };
    const info = await tb.client().post(signed(buildGetServerInfoRequest()));
    const use = await tb
      .client()
      .post(signed(buildUseIdRequest({ operations: ops('REQUIRED', 'chineseName') })));
    const err = await tb.client().post(signed(buildGetResultRequest('00'.repeat(32), 1)));
    const files = [
      file(
        buildUseIdRequest({
          operations: {
            ...ops('REQUIRED', 'chineseName', 'ageVerification'),
            ...ops('ALLOWED', 'photo', 'placeVerification'),
          },
          age: 18,
          place: '63000010',
          transactionInfo: 'x',
          psk: { id: 'fe'.repeat(16), key: Buffer.alloc(32) },
        }),
      ),
      file(buildGetResultRequest('ab'.repeat(32), 1)),
      file(buildGetServerInfoRequest()),
      file(bodyOf(info.body)),
      file(bodyOf(use.body)),
      file(bodyOf(err.body)),
      ...(responses.getResult ? [file(bodyOf(responses.getResult))] : []),
    ];
    const run = spawnSync(
      'java',
      [join(ROOT, 'test/fixtures/soap/XsdValidate.java'), `${SCHEMA_DIR}TR-03130-eID-Server.xsd`, ...files],
      { encoding: 'utf8' },
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const invalid = file(
      buildUseIdRequest({ operations: ops('REQUIRED', 'chineseName') }).replace('REQUIRED', 'MANDATORY'),
    );
    expect(
      spawnSync('java', [
        join(ROOT, 'test/fixtures/soap/XsdValidate.java'),
        `${SCHEMA_DIR}TR-03130-eID-Server.xsd`,
        invalid,
      ]).status,
    ).toBe(1);
  });
});
