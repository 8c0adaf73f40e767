/**
 * The eID-Interface functions over a real session service (no card): the
 * outcome mapping of getResult, the counter and ownership rules.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { EService } from '../../../src/config/relying-parties.js';
import { parseGetResultResponse } from '../../../src/interfaces/soap/messages/get-result.js';
import { parseUseIdResponse, type UseIdRequest } from '../../../src/interfaces/soap/messages/use-id.js';
import { RESULT_MAJOR, RESULT_MINOR, type SoapError } from '../../../src/interfaces/soap/result-codes.js';
import { EidInterface } from '../../../src/interfaces/soap/service.js';
import { chatFor } from '../../../src/profile/authorization.js';
import type { PkiMaterial } from '../../../src/provisioning/store.js';
import { MemoryPskDirectory, MemorySessionStore } from '../../../src/workflows/session/memory-store.js';
import { SessionService } from '../../../src/workflows/session/service.js';
import { parseXml } from '../../../src/xml/parse.js';

const es: EService = {
  id: 'svc',
  displayName: { zh: '服務', en: 'Service' },
  purpose: { zh: '測試', en: 'Test' },
  approvedFields: ['chineseName', 'photo', 'dateOfBirth'],
  approvedFunctions: ['ageVerification'],
  terminalMnemonic: 'SVC',
  maxOpenSessions: 10,
  soap: { clientCertificate: '/dev/null', requestCounter: 'strict' },
};
const other: EService = { ...es, id: 'other', terminalMnemonic: 'OTHER' };

let sessions: SessionService;
let svc: EidInterface;
beforeEach(() => {
  sessions = new SessionService({
    store: new MemorySessionStore(),
    psks: new MemoryPskDirectory(),
    eService: (id) => [es, other].find((e) => e.id === id),
    eidUrl: 'https://127.0.0.1:8443',
    pskUrl: 'https://127.0.0.1:8444',
    ttlMs: 60_000,
    resultTtlMs: 60_000,
  });
  const terminals = new Map([[es.id, { cert: { chat: chatFor(es.approvedFields, es.approvedFunctions) } }]]);
  svc = new EidInterface({
    sessions,
    pki: { terminals } as unknown as PkiMaterial,
    log: { info() {} },
  });
});

const el = (xml: string) => parseXml(xml).documentElement!;
async function open(req: Partial<UseIdRequest> = {}, e = es) {
  const r = parseUseIdResponse(
    el(
      await svc.useId(e, {
        operations: new Map([
          ['chineseName', 'REQUIRED'],
          ['photo', 'ALLOWED'],
        ]),
        ...req,
      }),
    ),
  );
  return r.granted!.sessionId;
}
const result = async (id: string, n: number, e = es) => {
  try {
    return parseGetResultResponse(el(await svc.getResult(e, { sessionId: id, requestCounter: n })));
  } catch (err) {
    return { result: { major: RESULT_MAJOR.error, minor: (err as SoapError).minor } };
  }
};

describe('EidInterface', () => {
  it('creates a PSK session with required and optional fields and the eService URL as RefreshAddress', async () => {
    const id = await open();
    const s = await sessions.get(id);
    expect(s?.request).toMatchObject({
      frontEnd: 'soap',
      channel: 'psk',
      required: ['chineseName'],
      optional: ['photo'],
    });
    expect(s?.psk?.length).toBe(32);
  });

  it('a REQUIRED field the citizen withheld still yields OK, with OperationsAllowedByUser PROHIBITED', async () => {
    const id = await open();
    await sessions.complete(id, {
      fields: { photo: Buffer.from('ffd8ffd9', 'hex') },
      operations: { chineseName: 'PROHIBITED', photo: 'ALLOWED' },
      documentValidity: 'valid',
      restrictedId: 'cd'.repeat(32),
      completedAt: Date.now(),
    });
    const r = await result(id, 1);
    expect(r.result).toEqual({ major: RESULT_MAJOR.ok });
    expect(r.outcome!.operations.get('chineseName')).toBe('PROHIBITED');
    expect(r.outcome!.operations.get('photo')).toBe('ALLOWED');
    expect(r.outcome!.fields.chineseName).toBeUndefined();
    // RestrictedID was not asked for: neither released nor reported as read.
    expect(r.outcome!.restrictedId).toBeUndefined();
    expect(r.outcome!.operations.get('restrictedId')).toBe('PROHIBITED');
    expect(await sessions.get(id)).toBeUndefined();
  });

  it('a session of another eService is invalidSession and stays untouched', async () => {
    const id = await open({}, other);
    expect((await result(id, 1)).result.minor).toBe(RESULT_MINOR.invalidSession);
    expect(await sessions.get(id)).toBeDefined();
  });

  it('an invalid counter ends the session', async () => {
    const id = await open();
    expect((await result(id, 5)).result.minor).toBe(RESULT_MINOR.noResultYet);
    expect((await result(id, 5)).result.minor).toBe(RESULT_MINOR.invalidCounter);
    expect(await sessions.get(id)).toBeUndefined();
  });

  it('a failure is handed out once and deletes the session', async () => {
    const id = await open();
    await sessions.fail(id, { code: 'document-revoked', reason: 'revoked' });
    expect((await result(id, 1)).result.minor).toBe(RESULT_MINOR.invalidDocument);
    expect((await result(id, 2)).result.minor).toBe(RESULT_MINOR.invalidSession);
  });

  it('useID refusals before any session exists', async () => {
    const refuse = async (req: Partial<UseIdRequest>) => {
      try {
        await svc.useId(es, { operations: new Map(), ...req });
      } catch (e) {
        return (e as SoapError).minor;
      }
      return 'accepted';
    };
    expect(await refuse({})).toBe(RESULT_MINOR.missingArgument);
    expect(await refuse({ operations: new Map([['ageVerification', 'REQUIRED']]) })).toBe(
      RESULT_MINOR.missingArgument,
    );
    expect(await refuse({ operations: new Map([['restrictedId', 'REQUIRED']]) })).toBe(
      RESULT_MINOR.missingArgument,
    );
    expect(await refuse({ operations: new Map([['fatherName', 'ALLOWED']]) })).toBe(
      RESULT_MINOR.missingTerminalRights,
    );
    expect(await refuse({ operations: new Map([['placeVerification', 'ALLOWED']]), place: '63000' })).toBe(
      RESULT_MINOR.missingTerminalRights,
    );
    expect(
      await refuse({
        operations: new Map([['chineseName', 'REQUIRED']]),
        psk: { id: 'ab'.repeat(16), key: Buffer.alloc(65) },
      }),
    ).toBe(RESULT_MINOR.invalidPSK);
  });
});
