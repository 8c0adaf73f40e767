/**
 * Issue 5: the security of the SOAP eID-Interface (TR-03130-1 §3.5) —
 * mutual TLS with registered client certificates only; WS-Security
 * signatures verified with the registered certificate, over Body and
 * Timestamp, fresh, and immune to signature wrapping; unsigned requests not
 * answered; XXE and entity expansion refused before parsing.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPkcs8Pem } from '../../src/crypto/keys.js';
import { buildGetResultRequest } from '../../src/interfaces/soap/messages/get-result.js';
import { buildGetServerInfoRequest } from '../../src/interfaces/soap/messages/get-server-info.js';
import { buildUseIdRequest } from '../../src/interfaces/soap/messages/use-id.js';
import { ALG, NS } from '../../src/interfaces/soap/namespaces.js';
import { RESULT_MINOR } from '../../src/interfaces/soap/result-codes.js';
import { signEnvelope } from '../../src/interfaces/soap/wss/sign.js';
import { verifySignedEnvelope } from '../../src/interfaces/soap/wss/verify.js';
import { pemFromDer } from '../../src/pki/x509/pem.js';
import { issueClientCertificate } from '../../src/pki/x509/tls.js';
import { parseXml } from '../../src/xml/parse.js';
import { craftSigned, tamper } from '../interfaces/soap/support/craft.js';
import { ops, startTestbed, type Testbed } from '../interfaces/soap/support/testbed.js';
import { LogCapture } from '../support/server.js';

let tb: Testbed;
const logs = new LogCapture();
beforeAll(async () => {
  tb = await startTestbed({ logs });
}, 120_000);
afterAll(async () => tb?.close());

const key = () => tb.material().key;
const signed = (body: string) => signEnvelope(body, { key: key(), certPem: tb.material().certPem });

/** The response must be a correctly signed internalError and nothing else. */
function expectInternalErrorOnly(r: { status: number; body: string }) {
  expect(r.body).not.toBe('');
  const v = verifySignedEnvelope(r.body, parseXml(r.body), tb.serverSigningCert);
  const text = v.body.toString();
  expect(text).toContain(RESULT_MINOR.internalError);
  expect(text).not.toContain('PersonalData');
  expect(text).not.toContain('<eid:Session>');
}

describe('mutual TLS', () => {
  it('refuses a client certificate that is not registered (TLS handshake fails)', async () => {
    const k = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const der = issueClientCertificate({
      subject: 'soap-test (TEST eService)',
      publicKey: k,
      issuerKey: k,
      days: 1,
    });
    const cert = pemFromDer(der);
    const u = new URL(tb.soap.url);
    const outcome = await new Promise<string>((resolve) => {
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          key: exportPkcs8Pem(k),
          cert,
          ca: tb.serverTlsCert,
          agent: false,
          headers: { 'content-type': 'text/xml' },
        },
        (res) => resolve(`answered ${res.statusCode}`),
      );
      req.on('error', (e) => resolve(`refused: ${e.message}`));
      req.end(signed(buildGetServerInfoRequest()));
    });
    expect(outcome).toMatch(/^refused/);
    // Issue 15: logged with which certificate and why.
    const line = logs.find('SOAP client certificate refused; connection dropped').at(-1);
    expect(line).toMatchObject({
      reason: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      certificate: { sha256: createHash('sha256').update(der).digest('hex') },
    });
    expect(String((line?.certificate as { subject?: string } | undefined)?.subject)).toContain(
      'soap-test (TEST',
    );
  });

  it('refuses a client without certificate', async () => {
    const u = new URL(tb.soap.url);
    const outcome = await new Promise<string>((resolve) => {
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          ca: tb.serverTlsCert,
          agent: false,
        },
        (res) => resolve(`answered ${res.statusCode}`),
      );
      req.on('error', (e) => resolve(`refused: ${e.message}`));
      req.end('<x/>');
    });
    expect(outcome).toMatch(/^refused/);
  });

  it('serves the WSDL (with its endpoint address) and the schemas it imports', async () => {
    const get = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const m = tb.material();
        const u = new URL(tb.soap.url);
        const req = request(
          {
            host: u.hostname,
            port: u.port,
            path,
            key: m.keyPem,
            cert: m.certPem,
            ca: tb.serverTlsCert,
            agent: false,
          },
          (res) => {
            let b = '';
            res.on('data', (d) => {
              b += d;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
          },
        );
        req.on('error', reject);
        req.end();
      });
    const wsdl = await get('/eid-interface?wsdl');
    expect(wsdl.status).toBe(200);
    expect(wsdl.body).toContain(`<soap:address location="${tb.soap.url}"/>`);
    const imports = [...wsdl.body.matchAll(/schemaLocation="([^"]+)"/g)].map((m) => new URL(m[1]!).pathname);
    expect(imports).toEqual(['/eid-interface/schemas/TR-03130-eID-Server.xsd']);
    const xsd = await get(imports[0]!);
    expect(xsd.body).toContain('targetNamespace="http://bsi.bund.de/eID/"');
    expect((await get('/eid-interface/schemas/neid-eid-tw.xsd')).body).toContain('name="PersonalDataType"');
    expect((await get('/eid-interface/schemas/../../etc/passwd')).status).toBe(404);
  });
});

describe('WS-Security', () => {
  it('answers an unsigned request with nothing (HTTP 400, empty body)', async () => {
    const bare = `<soap:Envelope xmlns:soap="${NS.soap}"><soap:Body>${buildGetServerInfoRequest()}</soap:Body></soap:Envelope>`;
    const r = await tb.client().post(bare);
    expect(r).toEqual({ status: 400, body: '' });
    const noSig = tamper(signed(buildGetServerInfoRequest()), (_d, { security }) => {
      security.removeChild(security.getElementsByTagNameNS(NS.ds, 'Signature')[0]!);
    });
    expect(await tb.client().post(noSig)).toEqual({ status: 400, body: '' });
  });

  it('a tampered Body: internalError only, nothing done', async () => {
    const r0 = await tb.client().useId({ operations: ops('REQUIRED', 'chineseName') });
    const msg = signed(buildGetResultRequest(r0.granted!.sessionId, 1)).replace(
      '<eid:RequestCounter>1<',
      '<eid:RequestCounter>2<',
    );
    expectInternalErrorOnly(await tb.client().post(msg));
    // The session was not touched: counter 1 is still the first one.
    expect((await tb.client().getResult(r0.granted!.sessionId, 1)).result.minor).toBe(
      RESULT_MINOR.noResultYet,
    );
  });

  it('signature wrapping: the signed Body moved into the header and a forged Body in its place', async () => {
    const forged = buildUseIdRequest({ operations: ops('REQUIRED', 'chineseName') });
    const msg = tamper(signed(buildGetServerInfoRequest()), (doc, { header, body }) => {
      const wrapper = doc.createElementNS('urn:attacker', 'a:Wrapper');
      const env = body.parentNode!;
      env.removeChild(body);
      wrapper.appendChild(body);
      header.appendChild(wrapper);
      const fake = parseXml(`<soap:Body xmlns:soap="${NS.soap}">${forged}</soap:Body>`).documentElement!;
      env.appendChild(doc.importNode(fake, true));
    });
    expectInternalErrorOnly(await tb.client().post(msg));
  });

  it('signature wrapping: a forged Body carrying the signed Body’s wsu:Id (duplicate Id)', async () => {
    const forged = buildUseIdRequest({ operations: ops('REQUIRED', 'chineseName') });
    const msg = tamper(signed(buildGetServerInfoRequest()), (doc, { header, body }) => {
      const id = body.getAttributeNS(NS.wsu, 'Id')!;
      const copy = body.cloneNode(true);
      header.appendChild(copy);
      const fake = parseXml(
        `<soap:Body xmlns:soap="${NS.soap}" xmlns:wsu="${NS.wsu}" wsu:Id="${id}">${forged}</soap:Body>`,
      ).documentElement!;
      body.parentNode!.replaceChild(doc.importNode(fake, true), body);
    });
    expectInternalErrorOnly(await tb.client().post(msg));
  });

  it('signature wrapping: a second Signature, or the Signature outside wsse:Security', async () => {
    const two = tamper(signed(buildGetServerInfoRequest()), (_doc, { security }) => {
      const sig = security.getElementsByTagNameNS(NS.ds, 'Signature')[0]!;
      security.appendChild(sig.cloneNode(true));
    });
    expectInternalErrorOnly(await tb.client().post(two));
    const moved = tamper(signed(buildGetServerInfoRequest()), (_doc, { header, security }) => {
      const sig = security.getElementsByTagNameNS(NS.ds, 'Signature')[0]!;
      security.removeChild(sig);
      header.appendChild(sig);
    });
    expectInternalErrorOnly(await tb.client().post(moved));
  });

  it('a stale or future Timestamp', async () => {
    expectInternalErrorOnly(
      await tb
        .client()
        .post(craftSigned(buildGetServerInfoRequest(), key(), { now: Date.now() - 10 * 60_000 })),
    );
    expectInternalErrorOnly(
      await tb
        .client()
        .post(craftSigned(buildGetServerInfoRequest(), key(), { now: Date.now() + 10 * 60_000 })),
    );
  });

  it('a signature that does not cover the Timestamp (or the Body)', async () => {
    expectInternalErrorOnly(
      await tb.client().post(craftSigned(buildGetServerInfoRequest(), key(), { cover: ['body'] })),
    );
    expectInternalErrorOnly(
      await tb.client().post(craftSigned(buildGetServerInfoRequest(), key(), { cover: ['timestamp'] })),
    );
    // Control: the same construction covering both is accepted.
    const ok = await tb.client().post(craftSigned(buildGetServerInfoRequest(), key()));
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('getServerInfoResponse');
  });

  it('a valid signature by another key is refused, whatever KeyInfo says', async () => {
    const k = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const cert = pemFromDer(
      issueClientCertificate({ subject: 'attacker', publicKey: k, issuerKey: k, days: 1 }),
    );
    expectInternalErrorOnly(
      await tb.client().post(craftSigned(buildGetServerInfoRequest(), k, { keyInfoCert: cert })),
    );
  });

  it('refuses RSA-SHA1 and SHA-1 digests; accepts ECDSA and RSA-PSS from a registered EC/RSA key', async () => {
    expectInternalErrorOnly(
      await tb.client().post(
        craftSigned(buildGetServerInfoRequest(), key(), {
          signatureMethod: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
        }),
      ),
    );
    expectInternalErrorOnly(
      await tb.client().post(
        craftSigned(buildGetServerInfoRequest(), key(), {
          digestMethod: 'http://www.w3.org/2000/09/xmldsig#sha1',
        }),
      ),
    );
    const pss = await tb
      .client()
      .post(craftSigned(buildGetServerInfoRequest(), key(), { signatureMethod: ALG.rsaPssSha256 }));
    expect(pss.body).toContain('getServerInfoResponse');
  });

  it('every response is signed over Body and Timestamp with the server SOAP key', async () => {
    const r = await tb.client().post(signed(buildGetServerInfoRequest()));
    const v = verifySignedEnvelope(r.body, parseXml(r.body), tb.serverSigningCert);
    expect(v.signatureMethod).toBe(ALG.rsaSha256);
    expect(r.body).toContain('wsse:BinarySecurityToken');
    // Not with another certificate.
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const otherCert = pemFromDer(
      issueClientCertificate({ subject: 'other', publicKey: other, issuerKey: other, days: 1 }),
    );
    expect(() => verifySignedEnvelope(r.body, parseXml(r.body), otherCert)).toThrow(/signature/);
  });
});

describe('hostile XML', () => {
  it('XXE: a DOCTYPE with an external entity is refused unread', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><soap:Envelope xmlns:soap="${NS.soap}"><soap:Body><eid:getServerInfoRequest xmlns:eid="http://bsi.bund.de/eID/">&xxe;</eid:getServerInfoRequest></soap:Body></soap:Envelope>`;
    const r = await tb.client().post(xxe);
    expect(r).toEqual({ status: 400, body: '' });
  });

  it('entity expansion ("billion laughs") is refused unread, quickly', async () => {
    const lol = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]><soap:Envelope xmlns:soap="${NS.soap}"><soap:Body>&lol9;</soap:Body></soap:Envelope>`;
    const r = await tb.client().post(lol);
    expect(r).toEqual({ status: 400, body: '' });
  });

  it('a signed message with a DOCTYPE is not answered either', async () => {
    const msg = signed(buildGetServerInfoRequest()).replace(
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE x SYSTEM "file:///etc/passwd">',
    );
    expect(await tb.client().post(msg)).toEqual({ status: 400, body: '' });
  });

  it('the server still works afterwards', async () => {
    const r = await tb.client().getServerInfo();
    expect(r.version.major).toBe(2);
  });
});
