import { describe, expect, it } from 'vitest';
import { OID } from '../../../src/asn1/oids.js';
import { curveByName } from '../../../src/crypto/curves.js';
import {
  Chat,
  CvCertificate,
  CvcError,
  issueCvca,
  issueCvcaLink,
  issueSubordinate,
  validateChain,
} from '../../../src/pki/cvc/index.js';
import { chatFor, grantsOf } from '../../../src/profile/authorization.js';
import { parseTlv } from '../../../src/tlv/tlv.js';

const curve = curveByName('brainpoolP256r1');
const today = '20261122';

function pki(
  opts: { terminalChat?: Chat; dvValidity?: number; termValidity?: number; termEffective?: string } = {},
) {
  const cvca = issueCvca({ curve, chr: 'TWTESTCVCA00001', effectiveDate: '20260101', validityDays: 1095 });
  const dv = issueSubordinate(
    { cert: cvca.cert, key: cvca.key.privateKey },
    {
      role: 'dv-domestic',
      chr: 'TWTESTDV00001',
      chat: chatFor(['chineseName', 'dateOfBirth', 'photo'], ['ageVerification']),
      effectiveDate: '20260601',
      validityDays: opts.dvValidity ?? 365,
      curve,
    },
  );
  const term = issueSubordinate(
    { cert: dv.cert, key: dv.key.privateKey },
    {
      role: 'terminal',
      chr: 'TWDEMO00001',
      chat:
        opts.terminalChat ??
        chatFor(['chineseName', 'photo', 'sex'], ['ageVerification', 'placeVerification']),
      effectiveDate: opts.termEffective ?? '20261120',
      validityDays: opts.termValidity ?? 90,
      curve,
      descriptionHash: Buffer.alloc(32, 1),
    },
  );
  return { cvca, dv, term };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CvcError);
    return (e as CvcError).code;
  }
  return 'no error';
}

describe('CV certificates', () => {
  it('encodes the profile of TR-03110-3 C.1 and decodes to the same fields', () => {
    const { cvca, term } = pki();
    expect(cvca.cert.raw.subarray(0, 2).toString('hex')).toBe('7f21');
    expect(cvca.cert.publicKey.curve?.name).toBe('brainpoolP256r1');
    expect(cvca.cert.role).toBe('cvca');
    expect(term.cert.publicKey.curve).toBeUndefined();
    expect(term.cert.car).toBe('TWTESTDV00001');
    expect(term.cert.chr).toBe('TWDEMO00001');
    expect(term.cert.descriptionHash).toEqual(Buffer.alloc(32, 1));
    expect(term.cert.publicKey.algorithm).toBe(OID.idTaEcdsaSha256);
    expect(term.cert.signature.length).toBe(64);
    const again = CvCertificate.decode(term.cert.raw);
    expect(again.body).toEqual(term.cert.body);
  });

  it('validates CVCA → DV → terminal and computes the effective authorization as the AND of the CHATs', () => {
    const { cvca, dv, term } = pki();
    const v = validateChain([dv.cert, term.cert], { trustPoints: [cvca.cert], currentDate: '20260101' });
    expect(v.terminal.chr).toBe('TWDEMO00001');
    const g = grantsOf(v.effectiveChat);
    expect(g.fields.sort()).toEqual(['chineseName', 'photo']);
    expect(g.functions).toEqual(['ageVerification']);
    expect(g.restrictedIdentification).toBe(true);
    // card mode: the DV and the accurate terminal certificate advance the current date
    expect(v.currentDate).toBe('20261120');
  });

  it('confines the authorization with the CHAT of PACE', () => {
    const { cvca, dv, term } = pki();
    const v = validateChain([dv.cert, term.cert], {
      trustPoints: [cvca.cert],
      currentDate: today,
      confinedChat: chatFor(['photo'], [], { ri: false }),
    });
    expect(grantsOf(v.effectiveChat).fields).toEqual(['photo']);
  });

  it('refuses a flipped signature byte, a foreign CVCA, expiry, and broken order', () => {
    const { cvca, dv, term } = pki();
    const bad = Buffer.from(term.cert.raw);
    bad[bad.length - 5]! ^= 0x01;
    expect(
      code(() =>
        validateChain([dv.cert, CvCertificate.decode(bad)], { trustPoints: [cvca.cert], currentDate: today }),
      ),
    ).toBe('bad-signature');
    const other = pki();
    expect(
      code(() => validateChain([dv.cert, term.cert], { trustPoints: [other.cvca.cert], currentDate: today })),
    ).toBe('bad-signature');
    expect(
      code(() => validateChain([other.dv.cert, term.cert], { trustPoints: [cvca.cert], currentDate: today })),
    ).toBe('bad-signature');
    expect(
      code(() => validateChain([dv.cert, term.cert], { trustPoints: [cvca.cert], currentDate: '20270301' })),
    ).toBe('expired');
    expect(
      code(() => validateChain([term.cert, dv.cert], { trustPoints: [cvca.cert], currentDate: today })),
    ).toBe('broken-chain');
    expect(code(() => validateChain([dv.cert], { trustPoints: [cvca.cert], currentDate: today }))).toBe(
      'broken-chain',
    );
  });

  it('clock mode refuses certificates that are not yet effective; card mode advances instead', () => {
    const { cvca, dv, term } = pki({ termEffective: '20261201' });
    expect(
      code(() =>
        validateChain([dv.cert, term.cert], {
          trustPoints: [cvca.cert],
          currentDate: today,
          dateMode: 'clock',
        }),
      ),
    ).toBe('not-yet-valid');
    expect(
      validateChain([dv.cert, term.cert], { trustPoints: [cvca.cert], currentDate: today }).currentDate,
    ).toBe('20261201');
  });

  it('accepts a chain through a CVCA link certificate, even an expired one', () => {
    const old = issueCvca({ curve, chr: 'TWTESTCVCA00001', effectiveDate: '20230101', validityDays: 365 });
    const next = issueCvca({ curve, chr: 'TWTESTCVCA00002', effectiveDate: '20260101', validityDays: 1095 });
    const link = issueCvcaLink(old, next);
    expect(link.car).toBe('TWTESTCVCA00001');
    const dv = issueSubordinate(
      { cert: next.cert, key: next.key.privateKey },
      {
        role: 'dv-domestic',
        chr: 'TWTESTDV00001',
        chat: chatFor(['photo'], []),
        effectiveDate: '20261101',
        validityDays: 90,
        curve,
      },
    );
    const term = issueSubordinate(
      { cert: dv.cert, key: dv.key.privateKey },
      {
        role: 'terminal',
        chr: 'TWDEMO00001',
        chat: chatFor(['photo'], []),
        effectiveDate: '20261101',
        validityDays: 30,
        curve,
      },
    );
    const v = validateChain([link, dv.cert, term.cert], { trustPoints: [old.cert], currentDate: '20240101' });
    expect(v.newTrustPoints.map((c) => c.chr)).toEqual(['TWTESTCVCA00002']);
    expect(v.cvca.chr).toBe('TWTESTCVCA00002');
    expect(
      code(() => validateChain([dv.cert, term.cert], { trustPoints: [old.cert], currentDate: '20240101' })),
    ).toBe('untrusted');
  });

  it('refuses a terminal type mismatch between PACE and the chain', () => {
    const { cvca, dv, term } = pki();
    const is = Chat.forRole('terminal', [0], OID.idIs);
    expect(
      code(() =>
        validateChain([dv.cert, term.cert], {
          trustPoints: [cvca.cert],
          currentDate: today,
          confinedChat: is,
        }),
      ),
    ).toBe('terminal-type-mismatch');
  });

  it('malformed certificates are CvcError(malformed), never another exception', () => {
    const { term } = pki();
    for (let i = 0; i < term.cert.raw.length; i += 3) {
      const cut = term.cert.raw.subarray(0, i);
      expect(code(() => CvCertificate.decode(Buffer.from(cut)))).toBe('malformed');
    }
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      const b = Buffer.from(term.cert.raw);
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      b[seed % b.length] = seed & 0xff;
      try {
        CvCertificate.decode(b);
      } catch (e) {
        expect(e).toBeInstanceOf(CvcError);
      }
    }
  });
});

describe('CHAT', () => {
  it('maps fields to one bit each and back', () => {
    const chat = chatFor(['householdArea', 'photo', 'can'], ['placeVerification']);
    // DG18 → bit 25, DG14 → bit 21, DG21 → bit 28, municipality verification → bit 1, RI → bit 2
    expect(chat.bits()).toEqual([1, 2, 21, 25, 28]);
    expect(chat.toHex()).toBe('0012200006');
    expect(grantsOf(chat).fields.sort()).toEqual(['can', 'householdArea', 'photo']);
    expect(Chat.decode(parseTlv(chat.encode())).toHex()).toBe('0012200006');
  });
});
