/**
 * Issue 4: the whole EAC online authentication over real TLS sockets —
 * server, the eID-Client (in-process) and the virtual card — and every way
 * it must fail: with the right result and no field values.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CardTransport } from '../../src/apdu/transport.js';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { EacClient } from '../../src/client/eac-client.js';
import { ClientError } from '../../src/client/errors.js';
import { runOnlineAuthentication } from '../../src/client/paos-client.js';
import { loadPrivateKey, publicPointOf } from '../../src/crypto/keys.js';
import { Chat, SPECIAL_FUNCTIONS } from '../../src/pki/cvc/chat.js';
import { PKI_FILES } from '../../src/pki/layout.js';
import {
  signCardRevocationList,
  verifyCardRevocationList,
} from '../../src/pki/revocation/card-revocation-list.js';
import { derFromPem } from '../../src/pki/x509/pem.js';
import { encodeField } from '../../src/profile/codecs.js';
import { parseTlv } from '../../src/tlv/tlv.js';
import { AuthRequestError } from '../../src/workflows/session/errors.js';
import type { AuthRequest } from '../../src/workflows/session/types.js';
import { writeTestCard } from '../support/card.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { flipMac, TamperingCard } from '../support/tamper.js';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
}, 120_000);
afterAll(async () => ts?.close());

const request = (o: Partial<AuthRequest> = {}): AuthRequest => ({
  eServiceId: 'demo-portal',
  frontEnd: 'saml',
  required: ['chineseName', 'dateOfBirth'],
  optional: ['photo', 'sex'],
  channel: 'psk',
  refreshAddress: `${ts.web}/done`,
  ...o,
});

interface Ui {
  pin?: string;
  deselect?: string[];
  wrap?: (card: CardTransport) => CardTransport;
}

async function authenticate(cardFile: string, req: AuthRequest, ui: Ui = {}) {
  const created = await ts.server.sessions.create(req);
  const vc = VirtualCard.fromFile(cardFile, { persist: true });
  vc.reset();
  const card = ui.wrap ? ui.wrap(vc) : vc;
  const eac = new EacClient({
    card,
    consent: async () => ({ accept: true, deselect: ui.deselect ?? [], pin: ui.pin ?? '123456' }),
  });
  const outcome = await runOnlineAuthentication(created.tcTokenUrl, eac);
  const result = await ts.server.sessions.consume(created.sessionId);
  return { outcome, result };
}

function expectFailure(result: Awaited<ReturnType<typeof authenticate>>['result'], code: string) {
  expect(result?.kind).toBe('failure');
  if (result?.kind !== 'failure') return undefined;
  expect(result.failure.code).toBe(code);
  expect(JSON.stringify(result)).not.toContain('fields');
  return result.failure;
}

describe('EAC online authentication end to end', () => {
  it('returns exactly the authorized fields over TLS-PSK', async () => {
    const { file, json } = writeTestCard(ts.pkiDir);
    const { outcome, result } = await authenticate(
      file,
      request({
        ageVerification: { age: 18, required: true },
        placeVerification: { areaCode: '63000', required: false },
      }),
    );
    expect(outcome.error?.message).toBeUndefined();
    expect(outcome.redirectUrl).toMatch(/ResultMajor=ok/);
    expect(result?.kind).toBe('result');
    if (result?.kind !== 'result') return;
    const r = result.result;
    expect(Object.keys(r.fields).sort()).toEqual(['chineseName', 'dateOfBirth', 'photo', 'sex']);
    expect(r.fields.chineseName).toBe(json.fields.chineseName);
    expect(r.fields.dateOfBirth).toBe(json.fields.dateOfBirth);
    expect(r.fields.photo?.equals(Buffer.from(json.fields.photo as string, 'base64'))).toBe(true);
    expect(r.operations).toEqual({
      chineseName: 'ALLOWED',
      dateOfBirth: 'ALLOWED',
      photo: 'ALLOWED',
      sex: 'ALLOWED',
      ageVerification: 'ALLOWED',
      placeVerification: 'ALLOWED',
    });
    expect(r.ageVerification).toBe(true);
    expect(r.placeVerification).toBe((json.fields.householdArea as string).startsWith('63000'));
    expect(r.documentValidity).toBe('valid');
    expect(r.restrictedId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps the rare character of a name intact', async () => {
    const { file } = writeTestCard(ts.pkiDir, { fields: { chineseName: '林𪚥𠀋安' } });
    const { result } = await authenticate(file, request({ optional: [] }));
    expect(result?.kind === 'result' && result.result.fields.chineseName).toBe('林𪚥𠀋安');
  });

  it('works in attached mode (the PAOS channel continues the TLS session of the TC Token fetch)', async () => {
    const { file } = writeTestCard(ts.pkiDir);
    const { outcome, result } = await authenticate(file, request({ channel: 'attached' }));
    expect(outcome.error?.message).toBeUndefined();
    expect(result?.kind).toBe('result');
  });

  it('leaves out an optional field the citizen deselects', async () => {
    const { file } = writeTestCard(ts.pkiDir);
    const { result } = await authenticate(file, request(), { deselect: ['photo'] });
    expect(result?.kind).toBe('result');
    if (result?.kind !== 'result') return;
    expect(result.result.fields.photo).toBeUndefined();
    expect(result.result.operations.photo).toBe('PROHIBITED');
    expect(result.result.fields.sex).toBeDefined();
  });

  it('reports a field that is not on the chip as NOTONCHIP', async () => {
    const { file } = writeTestCard(ts.pkiDir, { omitFields: ['sex'] });
    const { result } = await authenticate(file, request());
    if (result?.kind !== 'result') throw new Error(JSON.stringify(result));
    expect(result.result.operations.sex).toBe('NOTONCHIP');
  });

  it('refuses a request beyond the eService approval before any card contact', async () => {
    await expect(ts.server.sessions.create(request({ optional: ['nationalIdNumber'] }))).rejects.toThrow(
      AuthRequestError,
    );
    await expect(
      ts.server.sessions.create(
        request({ eServiceId: 'demo-bank', placeVerification: { areaCode: '63000', required: true } }),
      ),
    ).rejects.toMatchObject({ code: 'not-approved' });
  });

  it('a wrong PIN ends as wrong-pin, with the retry counter counting down', async () => {
    const { file } = writeTestCard(ts.pkiDir);
    const { outcome, result } = await authenticate(file, request(), { pin: '000000' });
    expect(outcome.ok).toBe(false);
    expect(outcome.redirectUrl).toMatch(/ResultMajor=error&ResultMinor=cancellationByUser/);
    expect(expectFailure(result, 'wrong-pin')?.reason).toMatch(/wrong PIN/);
    expect(JSON.parse(readFileSync(file, 'utf8')).retryCounters.pin).toBe(2);
  });

  it('a blocked PIN ends as pin-blocked', async () => {
    const { file, json } = writeTestCard(ts.pkiDir);
    writeFileSync(file, JSON.stringify({ ...json, retryCounters: { ...json.retryCounters, pin: 0 } }));
    const { result } = await authenticate(file, request());
    expect(expectFailure(result, 'pin-blocked')?.reason).toMatch(/blocked/);
  });

  it('an expired card (renewal-due date passed) releases nothing', async () => {
    const { file } = writeTestCard(ts.pkiDir, {
      fields: { renewalDueDate: '20200101', issueDate: '20100101' },
    });
    const { result } = await authenticate(file, request());
    expectFailure(result, 'document-expired');
  });

  it('a tampered EF.CardSecurity is not authentic', async () => {
    const { file, json } = writeTestCard(ts.pkiDir);
    const cs = Buffer.from(json.files.cardSecurity, 'hex');
    cs[cs.length - 20]! ^= 0x01;
    writeFileSync(
      file,
      JSON.stringify({ ...json, files: { ...json.files, cardSecurity: cs.toString('hex') } }),
    );
    const { result } = await authenticate(file, request());
    expectFailure(result, 'document-not-authentic');
  });

  it('a tampered data group (hash mismatch with the signed security object) is not authentic', async () => {
    const { file, json } = writeTestCard(ts.pkiDir);
    const forged = encodeField('chineseName', '王大明');
    writeFileSync(file, JSON.stringify({ ...json, dataGroupOverrides: { '4': forged.toString('hex') } }));
    const { result } = await authenticate(file, request());
    const f = expectFailure(result, 'document-not-authentic');
    expect(f?.reason).toMatch(/hash of DG4/);
  });

  it('a tampered encrypted-area data group fails against EF.ChipSecurity', async () => {
    const { file, json } = writeTestCard(ts.pkiDir);
    writeFileSync(
      file,
      JSON.stringify({
        ...json,
        dataGroupOverrides: { '11': encodeField('sex', json.fields.sex === 'M' ? 'F' : 'M').toString('hex') },
      }),
    );
    const { result } = await authenticate(file, request());
    expect(expectFailure(result, 'document-not-authentic')?.reason).toMatch(/hash of DG11/);
  });

  it('a tampered response MAC ends the secure channel with nothing released', async () => {
    const { file } = writeTestCard(ts.pkiDir);
    // The card's answer to the server's VERIFY (CLA 8C, INS 20) is altered on its way back.
    const wrap = (c: CardTransport) =>
      new TamperingCard(c, (cmd, resp) => (cmd[0] === 0x8c && cmd[1] === 0x20 ? flipMac(resp) : undefined));
    const { result } = await authenticate(file, request(), { wrap });
    expect(expectFailure(result, 'channel-error')?.reason).toMatch(/MAC/i);
  });

  it('a revoked card (card revocation list, via its sector-specific identifier) releases nothing', async () => {
    const { file, json } = writeTestCard(ts.pkiDir);
    const listFile = join(ts.pkiDir, PKI_FILES.cardRevocationList);
    const csca = derFromPem(readFileSync(join(ts.pkiDir, PKI_FILES.cscaCert), 'utf8'));
    const list = verifyCardRevocationList(readFileSync(listFile), [csca]);
    const riPublicKey = publicPointOf(loadPrivateKey(json.keys.restrictedIdentification.privateKey));
    const now = new Date();
    writeFileSync(
      listFile,
      signCardRevocationList(
        {
          thisUpdate: now,
          nextUpdate: new Date(now.getTime() + 86_400_000),
          revoked: [...list.revoked, { riPublicKey, revocationDate: now, reason: 'stolen' }],
        },
        { cert: csca, key: loadPrivateKey(readFileSync(join(ts.pkiDir, PKI_FILES.cscaKey), 'utf8')) },
      ),
    );
    ts.server.revocation.reload();
    const { outcome, result } = await authenticate(file, request());
    expectFailure(result, 'document-revoked');
    // The PAOS exchange itself ended correctly; the eService learns the verdict (TR-03130-1 §2.4.3).
    expect(outcome.serverResult?.major).toMatch(/#ok$/);
    // Another card of the same citizen profile is unaffected.
    const other = writeTestCard(ts.pkiDir);
    expect((await authenticate(other.file, request())).result?.kind).toBe('result');
  });

  it('a client that drops Restricted Identification (the revocation check) from the CHAT is refused', async () => {
    const { file } = writeTestCard(ts.pkiDir);
    const created = await ts.server.sessions.create(request());
    const vc = VirtualCard.fromFile(file, { persist: true });
    vc.reset();
    /** Reports a confirmed CHAT without the RI right, as a tampered eID-Client could. */
    class DroppingClient extends EacClient {
      override async eac1(...args: Parameters<EacClient['eac1']>) {
        const out = await super.eac1(...args);
        const chat = Chat.decode(parseTlv(out.chat!));
        const bits = chat.bits().filter((b) => b !== SPECIAL_FUNCTIONS.restrictedIdentification);
        return { ...out, chat: Chat.forRole('terminal', bits, chat.terminalType).encode() };
      }
    }
    const eac = new DroppingClient({
      card: vc,
      consent: async () => ({ accept: true, deselect: [], pin: '123456' }),
    });
    const outcome = await runOnlineAuthentication(created.tcTokenUrl, eac);
    expect(outcome.ok).toBe(false);
    const result = await ts.server.sessions.consume(created.sessionId);
    expect(expectFailure(result, 'missing-rights')?.reason).toMatch(/RequiredCHAT/);
  });

  it('a session is used once: a second StartPAOS with the same TC Token is refused', async () => {
    const { file } = writeTestCard(ts.pkiDir);
    const created = await ts.server.sessions.create(request());
    const run = async () => {
      const vc = VirtualCard.fromFile(file, { persist: true });
      vc.reset();
      return runOnlineAuthentication(
        created.tcTokenUrl,
        new EacClient({ card: vc, consent: async () => ({ accept: true, deselect: [], pin: '123456' }) }),
      );
    };
    expect((await run()).ok).toBe(true);
    const again = await run();
    expect(again.ok).toBe(false);
  });

  it('the citizen declining ends the session as cancelled', async () => {
    const { file } = writeTestCard(ts.pkiDir);
    const created = await ts.server.sessions.create(request());
    const vc = VirtualCard.fromFile(file);
    vc.reset();
    const outcome = await runOnlineAuthentication(
      created.tcTokenUrl,
      new EacClient({ card: vc, consent: async () => ({ accept: false, deselect: [], pin: '' }) }),
    );
    expect(outcome.redirectUrl).toMatch(/ResultMinor=cancellationByUser/);
    expectFailure(await ts.server.sessions.consume(created.sessionId), 'cancelled');
  });

  it('an eID-Client that reports a timeout (no PIN in time) ends the session as timeout', async () => {
    const { file } = writeTestCard(ts.pkiDir);
    const created = await ts.server.sessions.create(request());
    const vc = VirtualCard.fromFile(file);
    vc.reset();
    const timeoutMinor = 'http://www.bsi.bund.de/ecard/api/1.1/resultminor/ifdl/common#timeoutError';
    await runOnlineAuthentication(
      created.tcTokenUrl,
      new EacClient({
        card: vc,
        consent: async () => {
          throw new ClientError('clientError', 'no PIN entered in time', timeoutMinor);
        },
      }),
    );
    const failure = expectFailure(await ts.server.sessions.consume(created.sessionId), 'timeout');
    expect(failure?.clientMinor).toBe(timeoutMinor);
  });
});
