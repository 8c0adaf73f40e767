/**
 * TR-03130-4 modules A1_3, A1_4 and A2: the eService's communication with
 * the eID-Interface — getServerInfo around a login, PSKs, session IDs and
 * RequestCounters, refused and malformed requests, XML signatures — through
 * the SOAP listener (mutual TLS, WS-Security) of a running server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGetResultRequest } from '../../src/interfaces/soap/messages/get-result.js';
import { buildGetServerInfoRequest } from '../../src/interfaces/soap/messages/get-server-info.js';
import { buildUseIdRequest } from '../../src/interfaces/soap/messages/use-id.js';
import { ALG, NS } from '../../src/interfaces/soap/namespaces.js';
import { RESULT_MAJOR, RESULT_MINOR as SOAP } from '../../src/interfaces/soap/result-codes.js';
import { verifySignedEnvelope } from '../../src/interfaces/soap/wss/verify.js';
import { parseXml } from '../../src/xml/parse.js';
import { craftSigned, tamper } from '../interfaces/soap/support/craft.js';
import { ES, ops, startTestbed, type Testbed } from '../interfaces/soap/support/testbed.js';
import { writeTestCard } from '../support/card.js';
import { runEid } from './support/eid-client.js';

let tb: Testbed;
let card: ReturnType<typeof writeTestCard>;
beforeAll(async () => {
  tb = await startTestbed();
  card = writeTestCard(tb.ts.pkiDir);
}, 180_000);
afterAll(async () => tb?.close());

const SET1 = ops('REQUIRED', 'romanizedName', 'restrictedId', 'ageVerification', 'placeVerification');
const SET1_ARGS = { age: 18, place: '63000' };

/** useID (by the test eService when the eID-Client fetches the TC Token) → eID-Client with the card. */
async function authenticated(req: object = {}, testbed = tb, cardFile = card.file) {
  const { tcTokenUrl, plan } = testbed.prepare({ operations: SET1, ...SET1_ARGS, ...req });
  const outcome = await runEid(tcTokenUrl, cardFile);
  expect(outcome.serverResult?.major, outcome.error?.message).toBe(RESULT_MAJOR.ok);
  return plan.granted!;
}

/** A signed request with a body the client would not build; the Result the server answers. */
async function raw(body: string, id?: string): Promise<string> {
  return (await tb.client(id).call(body, '')).element.toString();
}

describe('A1_3: processing of correct eService communication', () => {
  const serverInfo = async () => {
    const info = await tb.client().getServerInfo();
    expect(info.version).toMatchObject({ major: 2, minor: 4 });
    expect(info.rights.get('restrictedId')).toBe('ALLOWED');
  };

  it('EIDSERVER_A1_3_01: getServerInfo before the online authentication', serverInfo);

  it('EIDSERVER_A1_3_02: getServerInfo during the online authentication', async () => {
    const { tcTokenUrl, plan } = tb.prepare({ operations: SET1, ...SET1_ARGS });
    const outcome = await runEid(tcTokenUrl, card.file, {
      eac1: async (out) => {
        await serverInfo();
        return out;
      },
    });
    expect(outcome.serverResult?.major).toBe(RESULT_MAJOR.ok);
    expect((await tb.client().getResult(plan.granted!.sessionId, 1)).result.major).toBe(RESULT_MAJOR.ok);
  });

  it('EIDSERVER_A1_3_03: getServerInfo after the online authentication', async () => {
    const g = await authenticated();
    expect((await tb.client().getResult(g.sessionId, 1)).result.major).toBe(RESULT_MAJOR.ok);
    await serverInfo();
  });

  it('EIDSERVER_A1_3_04: a PSK predefined by the eService', async () => {
    const psk = { id: 'A'.repeat(32), key: Buffer.from('B'.repeat(74), 'hex') };
    const g = await authenticated({ psk });
    expect(g.psk.id.toUpperCase()).toBe(psk.id);
    expect(g.psk.key.equals(psk.key)).toBe(true);
    const r = await tb.client().getResult(g.sessionId, 1);
    expect(r.result.major).toBe(RESULT_MAJOR.ok);
    expect(r.outcome!.ageVerification).toBe(true);
  });

  it('EIDSERVER_A1_3_05: no static PSK or session ID', async () => {
    const a = await tb.client().useId({ operations: SET1, ...SET1_ARGS });
    const b = await tb.client().useId({ operations: SET1, ...SET1_ARGS });
    expect(a.granted!.sessionId).not.toBe(b.granted!.sessionId);
    expect(a.granted!.psk.key.equals(b.granted!.psk.key)).toBe(false);
    expect(a.granted!.psk.key.length).toBeGreaterThanOrEqual(16);
  });

  it('EIDSERVER_A1_3_06: RequestCounter incremented by more than 1 (soap.requestCounter: strict → invalidCounter, as the testbed checks; increasing → accepted)', async () => {
    const { tcTokenUrl, plan } = tb.prepare({ operations: SET1, ...SET1_ARGS });
    // The first getResult happens before the login: the test eService polls when it serves the TC Token.
    let first: string | undefined;
    await runEid(tcTokenUrl, card.file, {
      eac1: async (out) => {
        first = (await tb.client().getResult(plan.granted!.sessionId, 1)).result.minor;
        return out;
      },
    });
    expect(first).toBe(SOAP.noResultYet);
    expect((await tb.client().getResult(plan.granted!.sessionId, 43)).result.minor).toBe(SOAP.invalidCounter);
    // An eService registered with requestCounter: increasing (the limited one, chineseName only).
    const limited = tb.client(ES.limited);
    const u = await limited.useId({ operations: ops('REQUIRED', 'chineseName') });
    expect((await limited.getResult(u.granted!.sessionId, 1)).result.minor).toBe(SOAP.noResultYet);
    expect((await limited.getResult(u.granted!.sessionId, 43)).result.minor).toBe(SOAP.noResultYet);
    // A smaller counter ends the session (and frees the eService's only session for A1_4_07).
    expect((await limited.getResult(u.granted!.sessionId, 2)).result.minor).toBe(SOAP.invalidCounter);
  });
});

describe('A1_4: processing of errors in eService communication', () => {
  it('EIDSERVER_A1_4_01: AgeVerification without AgeVerificationRequest → useID#missingArgument', async () => {
    const r = await tb.client().useId({ operations: SET1, place: '63000' });
    expect(r.result.minor).toBe(SOAP.missingArgument);
  });

  it('EIDSERVER_A1_4_02: PlaceVerification without PlaceVerificationRequest → useID#missingArgument', async () => {
    const r = await tb.client().useId({ operations: SET1, age: 18 });
    expect(r.result.minor).toBe(SOAP.missingArgument);
  });

  it('EIDSERVER_A1_4_03: useOperations missing entirely → common#schemaViolation', async () => {
    expect(await raw('<eid:useIDRequest xmlns:eid="http://bsi.bund.de/eID/"/>')).toContain(
      SOAP.schemaViolation,
    );
  });

  const withPsk = (key: string) =>
    buildUseIdRequest({
      operations: SET1,
      ...SET1_ARGS,
      psk: { id: 'A'.repeat(32), key: Buffer.alloc(32, 0xbb) },
    }).replace(/<eid:Key>[^<]*<\/eid:Key>/, `<eid:Key>${key}</eid:Key>`);
  for (const [id, what, key] of [
    ['A1_4_04', 'an odd number of hex digits', 'B'.repeat(73)],
    ['A1_4_05', 'invalid characters', `XY${'B'.repeat(72)}`],
    ['A1_4_06', 'too short', 'BBBBBB'],
  ] as const) {
    it(`EIDSERVER_${id}: a PSK of ${what} → useID#invalidPSK (or the schema's schemaViolation)`, async () => {
      const answer = await raw(withPsk(key));
      // The 2.0.2 schema types Key as hexBinary: a parser may catch it first. Either way no session.
      expect(answer).toMatch(
        new RegExp(`${SOAP.invalidPSK}|${SOAP.schemaViolation}`.replace(/[/.]/g, '\\$&')),
      );
      expect(answer).not.toContain('<eid:Session>');
    });
  }

  it('EIDSERVER_A1_4_07: the maximum number of parallel sessions → useID#tooManyOpenSessions', async () => {
    const limited = tb.client(ES.limited); // maxOpenSessions: 1
    const first = await limited.useId({ operations: ops('REQUIRED', 'chineseName') });
    expect(first.result.major).toBe(RESULT_MAJOR.ok);
    expect((await limited.useId({ operations: ops('REQUIRED', 'chineseName') })).result.minor).toBe(
      SOAP.tooManyOpenSessions,
    );
    await limited.getResult(first.granted!.sessionId, 1);
  });

  it('EIDSERVER_A1_4_09: getResult for a session ID the server did not issue → getResult#invalidSession', async () => {
    await authenticated();
    expect((await tb.client().getResult('1'.repeat(72), 1)).result.minor).toBe(SOAP.invalidSession);
  });

  it('EIDSERVER_A1_4_10: getResult without the session ID → common#schemaViolation', async () => {
    const g = await authenticated();
    const body = buildGetResultRequest(g.sessionId, 1).replace(/<eid:Session>.*<\/eid:Session>/, '');
    expect(await raw(body)).toContain(SOAP.schemaViolation);
  });

  it('EIDSERVER_A1_4_11: getResult without RequestCounter → common#schemaViolation', async () => {
    const g = await authenticated();
    const body = buildGetResultRequest(g.sessionId, 1).replace(
      /<eid:RequestCounter>.*<\/eid:RequestCounter>/,
      '',
    );
    expect(await raw(body)).toContain(SOAP.schemaViolation);
  });

  it('EIDSERVER_A1_4_12 + A1_4_16: a reused RequestCounter → getResult#invalidCounter, and the session is gone', async () => {
    const { tcTokenUrl, plan } = tb.prepare({ operations: SET1, ...SET1_ARGS });
    const id = () => plan.granted!.sessionId;
    await runEid(tcTokenUrl, card.file, {
      eac1: async (out) => {
        expect((await tb.client().getResult(id(), 1)).result.minor).toBe(SOAP.noResultYet);
        return out;
      },
    });
    expect((await tb.client().getResult(id(), 1)).result.minor).toBe(SOAP.invalidCounter);
    expect((await tb.client().getResult(id(), 2)).result.minor).toBe(SOAP.invalidSession);
  });

  it('EIDSERVER_A1_4_13: a RequestCounter that is not an integer → common#schemaViolation', async () => {
    const g = await authenticated();
    const body = buildGetResultRequest(g.sessionId, 1).replace(/(<eid:RequestCounter>)1</, '$1Z<');
    expect(await raw(body)).toContain(SOAP.schemaViolation);
  });

  it('EIDSERVER_A1_4_14: a session ID used again after its result → getResult#invalidSession', async () => {
    const g = await authenticated();
    expect((await tb.client().getResult(g.sessionId, 1)).result.major).toBe(RESULT_MAJOR.ok);
    expect((await tb.client().getResult(g.sessionId, 2)).result.minor).toBe(SOAP.invalidSession);
  });

  it('EIDSERVER_A1_4_15: two RequestCounters → common#schemaViolation, and the session is invalidated', async () => {
    const g = await authenticated();
    const body = buildGetResultRequest(g.sessionId, 1).replace(
      /(<eid:RequestCounter>1<\/eid:RequestCounter>)/,
      '$1<eid:RequestCounter>2</eid:RequestCounter>',
    );
    expect(await raw(body)).toContain(SOAP.schemaViolation);
    expect((await tb.client().getResult(g.sessionId, 3)).result.minor).toBe(SOAP.invalidSession);
  });
});

describe('A1_4_08: session timeout (CONF_TM_OUT)', () => {
  let short: Testbed;
  beforeAll(async () => {
    short = await startTestbed({ config: { sessions: { resultTtlSeconds: 5 } } });
  }, 180_000);
  afterAll(async () => short?.close());

  it('EIDSERVER_A1_4_08: getResult after the session expired → getResult#invalidSession', async () => {
    const c = writeTestCard(short.ts.pkiDir);
    const g = await authenticated({}, short, c.file);
    await new Promise((r) => setTimeout(r, 6_000)); // sessions.resultTtlSeconds: 5
    expect((await short.client().getResult(g.sessionId, 1)).result.minor).toBe(SOAP.invalidSession);
  });
});

describe('A2: XML signatures of the eID-Interface', () => {
  const key = () => tb.material().key;
  const info = buildGetServerInfoRequest();
  /** A signed response whose Result is internalError only. */
  function internalErrorOnly(r: { status: number; body: string }) {
    const v = verifySignedEnvelope(r.body, parseXml(r.body), tb.serverSigningCert);
    expect(v.body.toString()).toContain(SOAP.internalError);
    expect(v.body.toString()).not.toContain('<eid:Session>');
  }

  for (const [alg, uri] of [
    ['RSA', ALG.rsaSha256],
    ['RSA-PSS', ALG.rsaPssSha256],
  ] as const) {
    it(`EIDSERVER_A2_01_${alg}: a request signed with ${uri} is served, the response signed`, async () => {
      const r = await tb.client().post(craftSigned(info, key(), { signatureMethod: uri }));
      const v = verifySignedEnvelope(r.body, parseXml(r.body), tb.serverSigningCert);
      expect(v.body.toString()).toContain('getServerInfoResponse');
    });
  }

  it('EIDSERVER_A2_01_ECDSA: a request signed with ECDSA-SHA256 by an eService with an EC signing key is served', async () => {
    const u = await tb.client(ES.ec).useId({ operations: ops('REQUIRED', 'chineseName') });
    expect(u.result.major).toBe(RESULT_MAJOR.ok);
    expect((await tb.client(ES.ec).getResult(u.granted!.sessionId, 1)).result.minor).toBe(SOAP.noResultYet);
  });

  it('EIDSERVER_A2_02_RSA: a manipulated signature → common#internalError only', async () => {
    const r0 = await tb.client().useId({ operations: SET1, ...SET1_ARGS });
    const msg = craftSigned(buildGetResultRequest(r0.granted!.sessionId, 1), key()).replace(
      '<eid:RequestCounter>1<',
      '<eid:RequestCounter>2<',
    );
    internalErrorOnly(await tb.client().post(msg));
  });

  it('EIDSERVER_A2_03: no XML signature → not answered (HTTP 400, empty; deviation: TR-03130-1 §3.5.2.1 forbids an answer)', async () => {
    const unsigned = tamper(craftSigned(info, key()), (_d, { security }) => {
      security.removeChild(security.getElementsByTagNameNS(NS.ds, 'Signature')[0]!);
    });
    expect(await tb.client().post(unsigned)).toEqual({ status: 400, body: '' });
  });

  for (const [alg, o] of [
    ['RSA_SHA1', { signatureMethod: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' }],
    ['RSA (SHA-1 digest)', { digestMethod: 'http://www.w3.org/2000/09/xmldsig#sha1' }],
  ] as const) {
    it(`EIDSERVER_A2_04_${alg}: a hash function TR-03130-1 does not allow → common#internalError only`, async () => {
      internalErrorOnly(await tb.client().post(craftSigned(info, key(), o)));
    });
  }
});
