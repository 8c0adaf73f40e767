/**
 * Issue 15 (security 5, protocol 7), through the running SOAP eID-Interface:
 * a captured signed useID replayed within its Timestamp window is refused
 * (remembered in the session store, shared by all instances); a PSK ID the
 * TR-03130 schema allows (any string of ≥ 16 characters) works end to end; a
 * refused TLS client certificate is logged with which and why (in
 * soap-security.test.ts, beside the refusal itself); a correctly
 * signed SOAP 1.2 envelope is logged as signed and answered with a SOAP 1.1
 * VersionMismatch fault.
 */
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsCall } from '../../src/client/network.js';
import { buildGetServerInfoRequest } from '../../src/interfaces/soap/messages/get-server-info.js';
import { buildUseIdRequest } from '../../src/interfaces/soap/messages/use-id.js';
import { NS } from '../../src/interfaces/soap/namespaces.js';
import { RESULT_MAJOR, RESULT_MINOR } from '../../src/interfaces/soap/result-codes.js';
import { signEnvelope } from '../../src/interfaces/soap/wss/sign.js';
import { verifySignedEnvelope } from '../../src/interfaces/soap/wss/verify.js';
import { parseXml } from '../../src/xml/parse.js';
import { runEid } from '../interfaces/saml/support/flow.js';
import { craftSigned } from '../interfaces/soap/support/craft.js';
import { ops, startTestbed, type Testbed } from '../interfaces/soap/support/testbed.js';
import { writeTestCard } from '../support/card.js';
import { haveRedisServer, startRedis } from '../support/redis.js';
import { LogCapture } from '../support/server.js';

const logs = new LogCapture();
let tb: Testbed;
let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
beforeAll(async () => {
  // With Redis when it is installed: the replay memory is then the one all instances share.
  redis = haveRedisServer() ? await startRedis() : undefined;
  tb = await startTestbed({
    logs,
    ...(redis ? { config: { sessions: { store: 'redis', redisUrl: redis.url } } } : {}),
  });
}, 180_000);
afterAll(async () => {
  await tb?.close();
  await redis?.stop();
});

const lastLog = (msg: string | RegExp) => logs.find(msg).at(-1);

describe('replayed signed requests (security 5)', () => {
  it('a captured useID replayed within its Timestamp window opens no second session', async () => {
    const m = tb.material();
    const envelope = signEnvelope(buildUseIdRequest({ operations: ops('REQUIRED', 'chineseName') }), {
      key: m.key,
      certPem: m.certPem,
    });
    const c = tb.client();
    const first = await c.post(envelope);
    expect(first.body).toContain('<eid:Session>');
    const replay = await c.post(envelope);
    expect(replay.status).toBe(200);
    const body = verifySignedEnvelope(
      replay.body,
      parseXml(replay.body),
      tb.serverSigningCert,
    ).body.toString();
    expect(body).toContain(RESULT_MINOR.internalError);
    expect(body).toContain('replayed request');
    expect(body).not.toContain('<eid:Session>');
    expect(lastLog(/SOAP request replayed/)).toMatchObject({ eService: 'soap-test', outcome: 'replay' });
    if (redis) {
      // Remembered where every instance sharing the store looks, for the Timestamp's lifetime only.
      const r = createClient({ url: redis.url });
      await r.connect();
      const keys = await r.keys('neid:once:*');
      const ttls = await Promise.all(keys.map((k) => r.pTTL(k)));
      await r.quit();
      expect(keys.length).toBeGreaterThan(0);
      for (const t of ttls) expect(t).toBeLessThanOrEqual(6 * 60_000 + 1000);
    }
  });
});

describe('PSK IDs the schema allows (protocol 7)', () => {
  it('a PSK ID that is not hex runs the whole login; Session/ID is a hexBinary of it', async () => {
    const pskId = 'psk-identifier-0001-psk-identifier';
    const { file } = writeTestCard(tb.ts.pkiDir);
    const { tcTokenUrl, plan } = tb.prepare({
      operations: ops('REQUIRED', 'chineseName'),
      psk: { id: pskId, key: Buffer.alloc(32, 5) },
    });
    const outcome = await runEid(tcTokenUrl, file);
    expect(plan.useIdResult?.major, JSON.stringify(plan.useIdResult)).toBe(RESULT_MAJOR.ok);
    expect(plan.granted!.psk.id).toBe(pskId);
    expect(plan.granted!.sessionId).toBe(Buffer.from(pskId).toString('hex'));
    expect(outcome.redirectUrl, outcome.error?.message).toBeDefined();
    const back = await httpsCall(new URL(outcome.redirectUrl!));
    expect(JSON.parse(back.body.toString())).toMatchObject({
      result: { major: RESULT_MAJOR.ok },
      fields: ['chineseName'],
    });
  });

  it('still refuses what the schema does not allow, and what a TLS psk_identity cannot carry', async () => {
    for (const id of ['fifteen-chars-x', 'with a space in it, sixteen+', 'x'.repeat(129)]) {
      const r = await tb.client().useId({
        operations: ops('REQUIRED', 'chineseName'),
        psk: { id, key: Buffer.alloc(32, 6) },
      });
      expect(r.result.minor, id).toBe(RESULT_MINOR.invalidPSK);
    }
  });
});

describe('what the SOAP listener logs (protocol 7)', () => {
  it('a correctly signed SOAP 1.2 envelope: logged as signed, answered with a signed VersionMismatch fault', async () => {
    const m = tb.material();
    for (const contentType of ['text/xml; charset=utf-8', 'application/soap+xml; charset=utf-8']) {
      const soap12 = craftSigned(buildGetServerInfoRequest(), m.key, { soapNamespace: NS.soap12 });
      const r = await tb.client().post(soap12, '', contentType);
      expect(r.status).toBe(500);
      const fault = verifySignedEnvelope(r.body, parseXml(r.body), tb.serverSigningCert).body.toString();
      expect(fault).toContain('<faultcode>soap:VersionMismatch</faultcode>');
    }
    expect(logs.find(/unsigned SOAP request/)).toHaveLength(0);
    expect(lastLog(/correctly signed SOAP 1.2 request refused/)).toMatchObject({
      eService: 'soap-test',
      signed: true,
      soapVersion: '1.2',
    });
  });
});
