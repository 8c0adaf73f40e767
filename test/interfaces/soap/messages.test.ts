/** Parsing and building of the eID-Interface messages (src/interfaces/soap/messages/). */
import { describe, expect, it } from 'vitest';
import { portraitJpeg } from '../../../src/card/photo.js';
import {
  buildGetResultRequest,
  buildGetResultResponse,
  parseGetResultRequest,
  parseGetResultResponse,
} from '../../../src/interfaces/soap/messages/get-result.js';
import {
  buildGetServerInfoResponse,
  parseGetServerInfoRequest,
  parseGetServerInfoResponse,
} from '../../../src/interfaces/soap/messages/get-server-info.js';
import {
  buildUseIdRequest,
  buildUseIdResponse,
  parseUseIdRequest,
  parseUseIdResponse,
} from '../../../src/interfaces/soap/messages/use-id.js';
import { NS } from '../../../src/interfaces/soap/namespaces.js';
import { OPERATION_IDS } from '../../../src/interfaces/soap/operations.js';
import { errorResult, OK, RESULT_MINOR, SoapError } from '../../../src/interfaces/soap/result-codes.js';
import type { FieldValues } from '../../../src/profile/values.js';
import { parseXml } from '../../../src/xml/parse.js';

const root = (xml: string) => parseXml(xml).documentElement!;
const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return e instanceof SoapError ? e.minor : String(e);
  }
  return undefined;
};

describe('useIDRequest', () => {
  it('round-trips operations, verifications, TransactionInfo and PSK', () => {
    const xml = buildUseIdRequest({
      operations: {
        chineseName: 'REQUIRED',
        photo: 'ALLOWED',
        sex: 'PROHIBITED',
        restrictedId: 'ALLOWED',
        ageVerification: 'REQUIRED',
        placeVerification: 'ALLOWED',
      },
      age: 18,
      place: '63000010',
      transactionInfo: '申請 <1> & "2"',
      psk: { id: '0123456789abcdef0123456789abcdef', key: Buffer.alloc(32, 7) },
    });
    const r = parseUseIdRequest(root(xml));
    expect(Object.fromEntries(r.operations)).toEqual({
      chineseName: 'REQUIRED',
      photo: 'ALLOWED',
      restrictedId: 'ALLOWED',
      ageVerification: 'REQUIRED',
      placeVerification: 'ALLOWED',
    });
    expect(r).toMatchObject({
      age: 18,
      place: '63000010',
      transactionInfo: '申請 <1> & "2"',
      psk: { id: '0123456789abcdef0123456789abcdef' },
    });
    expect(r.psk!.key.equals(Buffer.alloc(32, 7))).toBe(true);
  });

  it('takes an empty operation element as its schema default PROHIBITED', () => {
    const xml = `<eid:useIDRequest xmlns:eid="${NS.eid}" xmlns:tw="${NS.tw}"><eid:UseOperations><tw:ChineseName>REQUIRED</tw:ChineseName><tw:Sex></tw:Sex><tw:Photo/></eid:UseOperations></eid:useIDRequest>`;
    expect([...parseUseIdRequest(root(xml)).operations.keys()]).toEqual(['chineseName']);
  });

  it('refuses what the schema does not allow', () => {
    const base = buildUseIdRequest({ operations: { chineseName: 'REQUIRED' } });
    for (const bad of [
      base.replace('REQUIRED', ' REQUIRED'),
      base.replace('<eid:UseOperations>', '<eid:UseOperations foo="1">'),
      base.replace('</eid:UseOperations>', '</eid:UseOperations><eid:UseOperations/>'),
      base.replace('</eid:UseOperations>', '<tw:ChineseName>ALLOWED</tw:ChineseName></eid:UseOperations>'),
      base.replace('</eid:UseOperations>', '</eid:UseOperations>text'),
      base
        .replace('<tw:ChineseName>', '<eid:ChineseName>')
        .replace('</tw:ChineseName>', '</eid:ChineseName>'),
      base.replace(
        '</eid:UseOperations>',
        '</eid:UseOperations><eid:LevelOfAssuranceRequest>http://bsi.bund.de/eID/LoA/hoch</eid:LevelOfAssuranceRequest>',
      ),
      buildUseIdRequest({ operations: { ageVerification: 'REQUIRED' }, age: 151 }),
      buildUseIdRequest({ operations: { ageVerification: 'REQUIRED' }, age: -1 }),
      buildUseIdRequest({ operations: { placeVerification: 'REQUIRED' }, place: '6300a' }),
      `<eid:useIDRequest xmlns:eid="${NS.eid}"/>`,
    ]) {
      expect(
        code(() => parseUseIdRequest(root(bad))),
        bad,
      ).toBe(RESULT_MINOR.schemaViolation);
    }
  });

  it('reports a malformed PSK as useID#invalidPSK', () => {
    const base = buildUseIdRequest({
      operations: { chineseName: 'REQUIRED' },
      psk: { id: '0123456789abcdef0123456789abcdef', key: Buffer.alloc(16, 1) },
    });
    for (const key of ['0101', '010101010101010101010101010101010', '0101010101010101010101010101010G']) {
      expect(code(() => parseUseIdRequest(root(base.replace(/<eid:Key>\w+</, `<eid:Key>${key}<`))))).toBe(
        RESULT_MINOR.invalidPSK,
      );
    }
    // The schema's PSK ID: a string of at least 16 characters (TR-03130-1 §3.3.18).
    for (const id of ['short', '0123456789abcde']) {
      expect(
        code(() => parseUseIdRequest(root(base.replace('0123456789abcdef0123456789abcdef', id)))),
        id,
      ).toBe(RESULT_MINOR.invalidPSK);
    }
    for (const id of ['0123456789abcdef', 'psk-identifier-0001-psk-identifier']) {
      expect(parseUseIdRequest(root(base.replace('0123456789abcdef0123456789abcdef', id))).psk?.id).toBe(id);
    }
  });
});

describe('useIDResponse', () => {
  it('carries Session, eCardServerAddress, PSK and Result; an error only Result', () => {
    const granted = {
      sessionId: 'ab'.repeat(32),
      eCardServerAddress: 'https://127.0.0.1:8444/eid/paos',
      psk: { id: 'ab'.repeat(32), key: Buffer.alloc(32, 9) },
    };
    const back = parseUseIdResponse(root(buildUseIdResponse(granted, OK)));
    expect(back.result).toEqual(OK);
    expect(back.granted).toMatchObject({
      sessionId: granted.sessionId,
      eCardServerAddress: granted.eCardServerAddress,
    });
    const err = parseUseIdResponse(
      root(buildUseIdResponse(undefined, errorResult(RESULT_MINOR.tooManyOpenSessions, 'cap'))),
    );
    expect(err).toEqual({
      result: {
        major: 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#error',
        minor: RESULT_MINOR.tooManyOpenSessions,
        message: 'cap',
      },
    });
  });
});

describe('getResult', () => {
  it('reads Session and RequestCounter strictly', () => {
    expect(parseGetResultRequest(root(buildGetResultRequest('0A'.repeat(16), 5)))).toEqual({
      sessionId: '0a'.repeat(16),
      requestCounter: 5,
    });
    for (const bad of [
      buildGetResultRequest('0A'.repeat(15), 5),
      buildGetResultRequest('xyz'.repeat(16), 5),
      buildGetResultRequest('0A'.repeat(16), 5).replace('>5<', '>2147483648<'),
      buildGetResultRequest('0A'.repeat(16), 5).replace('>5<', '>five<'),
      buildGetResultRequest('0A'.repeat(16), 5).replace(/<eid:RequestCounter>.*<\/eid:RequestCounter>/, ''),
    ]) {
      expect(
        code(() => parseGetResultRequest(root(bad))),
        bad,
      ).toBe(RESULT_MINOR.schemaViolation);
    }
  });

  it('round-trips every field of the profile in PersonalData, with OperationsAllowedByUser for every operation', () => {
    const fields: FieldValues = {
      householdArea: '63000010001007',
      chineseName: '陳\u{2A6A5}華',
      romanizedName: 'CHEN, ZHE-HUA',
      nationalIdNumber: 'A123456789',
      dateOfBirth: '19900315',
      householdAddress: {
        state: '臺北市',
        city: '松山區',
        street: '莊敬里7鄰八德路四段123號',
        country: 'TWN',
        zipcode: '105',
      },
      maritalStatus: '2',
      militaryService: '1',
      cardNumber: 'AB1234567',
      renewalDueDate: '20350101',
      issueDate: '20250101',
      spouseName: '林美&麗',
      fatherName: '陳<父>',
      motherName: '王母',
      placeOfBirth: '臺灣省臺北市',
      sex: 'X',
      photo: portraitJpeg(),
      can: '123456',
    };
    const operations = new Map(OPERATION_IDS.map((op) => [op, 'ALLOWED' as const]));
    const xml = buildGetResultResponse(
      { fields, restrictedId: 'ab'.repeat(32), ageVerification: false, placeVerification: true, operations },
      OK,
    );
    expect(xml).toContain(
      '<tw:DateOfBirth><eid:DateString>19900315</eid:DateString><eid:DateValue>1990-03-15</eid:DateValue></tw:DateOfBirth>',
    );
    expect(xml).toContain('<tw:RenewalDueDate>2035-01-01</tw:RenewalDueDate>');
    const back = parseGetResultResponse(root(xml));
    expect(back.outcome!.fields).toEqual(fields);
    expect(back.outcome!.restrictedId).toBe('ab'.repeat(32));
    expect(back.outcome!.ageVerification).toBe(false);
    expect(back.outcome!.placeVerification).toBe(true);
    expect([...back.outcome!.operations.values()].every((v) => v === 'ALLOWED')).toBe(true);
  });

  it('an error carries no data', () => {
    const xml = buildGetResultResponse(undefined, errorResult(RESULT_MINOR.noResultYet));
    expect(xml).not.toContain('PersonalData');
    expect(parseGetResultResponse(root(xml))).toEqual({ result: errorResult(RESULT_MINOR.noResultYet) });
  });
});

describe('getServerInfo', () => {
  it('request is empty; response lists every operation', () => {
    expect(
      code(() => parseGetServerInfoRequest(root(`<eid:getServerInfoRequest xmlns:eid="${NS.eid}"/>`))),
    ).toBeUndefined();
    expect(
      code(() =>
        parseGetServerInfoRequest(
          root(`<eid:getServerInfoRequest xmlns:eid="${NS.eid}"><eid:x/></eid:getServerInfoRequest>`),
        ),
      ),
    ).toBe(RESULT_MINOR.schemaViolation);
    const back = parseGetServerInfoResponse(
      root(buildGetServerInfoResponse(new Set(['chineseName', 'restrictedId']))),
    );
    expect(back.version).toMatchObject({ major: 2, minor: 4 });
    expect(back.rights.size).toBe(OPERATION_IDS.length);
    expect([...back.rights].filter(([, v]) => v === 'ALLOWED').map(([k]) => k)).toEqual([
      'chineseName',
      'restrictedId',
    ]);
  });
});
