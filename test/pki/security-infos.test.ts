import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { set } from '../../src/asn1/der.js';
import { OID } from '../../src/asn1/oids.js';
import { curveByName } from '../../src/crypto/curves.js';
import { generateEcKeyPair } from '../../src/crypto/keys.js';
import {
  decodeSecurityInfos,
  encodeSecurityInfo,
  encodeSecurityInfos,
  type SecurityInfo,
  SecurityInfoError,
} from '../../src/pki/security-infos.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// EF.CardSecurity entries of a German eID card (AusweisApp simulator).
const GERMAN = {
  pace: '3012060a04007f0007020204020202010202010d',
  ta: '300d060804007f0007020202020102',
  ca: '3012060a04007f00070202030202020102020129',
  caDomainParameters: '301c060904007f000702020302300c060704007f0007010202010d020129',
  caPublicKey:
    '3062060904007f0007020201023052300c060704007f0007010202010d034200041ac6cae884a6c2b8461404150f54cd1150b21e862a4e5f21' +
    'ce34290c741104bd1bf31ed91e085d7c630e8b4d10a8ae22bbb2898b44b52ea0f4cdadcf57cfba2502012d',
  ri: '3017060a04007f000702020502033009020101020101010100',
  riDomainParameters: '3021060904007f000702020502301406072a8648ce3d020106092b2403030208010107',
} as const;

describe('SecurityInfos: German eID bytes round-trip exactly', () => {
  for (const [kind, h] of Object.entries(GERMAN)) {
    it(`${kind}`, () => {
      const der = set(hex(h));
      const infos = decodeSecurityInfos(der);
      expect(infos).toHaveLength(1);
      expect(infos[0]!.kind).toBe(kind);
      expect(encodeSecurityInfos(infos).equals(der)).toBe(true);
      expect(encodeSecurityInfo(infos[0]!).toString('hex')).toBe(h);
    });
  }

  it('decodes to the documented values', () => {
    const infos = decodeSecurityInfos(set(...Object.values(GERMAN).map(hex)));
    const byKind = new Map(infos.map((i) => [i.kind, i]));
    expect(byKind.get('pace')).toEqual({
      kind: 'pace',
      protocol: OID.idPaceEcdhGmAesCbcCmac128,
      version: 2,
      parameterId: 13,
    });
    expect(byKind.get('ta')).toEqual({ kind: 'ta', version: 2 });
    expect(byKind.get('ca')).toEqual({
      kind: 'ca',
      protocol: OID.idCaEcdhAesCbcCmac128,
      version: 2,
      keyId: 41,
    });
    expect(byKind.get('caDomainParameters')).toEqual({
      kind: 'caDomainParameters',
      protocol: OID.idCaEcdh,
      parameterId: 13,
      keyId: 41,
    });
    const pk = byKind.get('caPublicKey');
    expect(pk?.kind === 'caPublicKey' && pk.curve.name).toBe('brainpoolP256r1');
    expect(pk?.kind === 'caPublicKey' && pk.keyId).toBe(45);
    expect(pk?.kind === 'caPublicKey' && pk.point.subarray(0, 3).toString('hex')).toBe('041ac6');
    expect(byKind.get('ri')).toEqual({
      kind: 'ri',
      protocol: OID.idRiEcdhSha256,
      version: 1,
      keyId: 1,
      authorizedOnly: false,
    });
    expect(byKind.get('riDomainParameters')).toEqual({ kind: 'riDomainParameters', parameterId: 13 });
  });

  it('re-encodes the whole set in DER order whatever the input order', () => {
    const sortedDer = set(...Object.values(GERMAN).map(hex).sort(Buffer.compare));
    const shuffled = set(...Object.values(GERMAN).map(hex).reverse());
    expect(encodeSecurityInfos(decodeSecurityInfos(shuffled)).equals(sortedDer)).toBe(true);
    expect(encodeSecurityInfos(decodeSecurityInfos(sortedDer)).equals(sortedDer)).toBe(true);
  });
});

describe('SecurityInfos: other forms', () => {
  const curve = curveByName('brainpoolP384r1');
  const key = generateEcKeyPair(curve);
  const dgHashes = new Map([1, 2, 17].map((n) => [n, createHash('sha384').update(String(n)).digest()]));

  const cases: SecurityInfo[] = [
    { kind: 'pace', protocol: OID.idPaceEcdhGmAesCbcCmac256, version: 2 },
    { kind: 'ca', protocol: OID.idCaEcdhAesCbcCmac256, version: 1 },
    { kind: 'caDomainParameters', protocol: OID.idCaEcdh, parameterId: 16, encoding: 'namedCurve' },
    { kind: 'caDomainParameters', protocol: OID.idCaEcdh, parameterId: 17, encoding: 'explicit', keyId: 3 },
    { kind: 'caDomainParameters', protocol: OID.idCaDh, parameterId: 2 },
    { kind: 'caPublicKey', protocol: OID.idPkEcdh, curve, point: key.publicPoint },
    {
      kind: 'caPublicKey',
      protocol: OID.idPkEcdh,
      curve,
      point: key.publicPoint,
      keyId: 2,
      encoding: 'namedCurve',
    },
    {
      kind: 'caPublicKey',
      protocol: OID.idPkEcdh,
      curve,
      point: key.publicPoint,
      keyId: 2,
      encoding: 'explicit',
    },
    { kind: 'ta', version: 1, efCvca: hex('3004 0402 011c') },
    { kind: 'ri', protocol: OID.idRiEcdhSha384, version: 1, keyId: 2, authorizedOnly: true, maxKeyLen: 512 },
    { kind: 'riDomainParameters', parameterId: 16, encoding: 'standardized' },
    { kind: 'riDomainParameters', parameterId: 12 },
    { kind: 'eidSecurity', hash: 'sha384', dataGroupHashes: dgHashes },
    {
      kind: 'eidSecurity',
      hash: 'sha384',
      dataGroupHashes: dgHashes,
      versionInfo: { eidVersion: '1.0', unicodeVersion: '12.0.0' },
    },
    {
      kind: 'unknown',
      protocol: '0.4.0.127.0.7.2.2.6',
      raw: hex('3010 0608 04007f0007020206 1604 6874 7470'),
    },
    // PACEDomainParameterInfo is not modelled and stays verbatim.
    {
      kind: 'unknown',
      protocol: OID.idPaceEcdhGm,
      raw: hex('3016 0609 04007f00070202 0402 3009 0607 04007f00070102'),
    },
  ];

  for (const info of cases) {
    const label = `${info.kind} ${'encoding' in info ? (info.encoding ?? 'default') : ''}`;
    it(`round-trips ${label}`, () => {
      const der = encodeSecurityInfos([info]);
      const back = decodeSecurityInfos(der);
      expect(back).toEqual([info]);
      expect(encodeSecurityInfos(back).equals(der)).toBe(true);
    });
  }

  it('the brainpoolP256r1 RI domain parameters in the standardized form decode to the same id', () => {
    const std = set(hex('3019 0609 04007f000702020502 300c 0607 04007f00070102 02010d'));
    expect(decodeSecurityInfos(std)).toEqual([
      { kind: 'riDomainParameters', parameterId: 13, encoding: 'standardized' },
    ]);
  });

  it('keeps EIDSecurityInfo data group order', () => {
    const map = new Map([4, 1, 3].map((n) => [n, createHash('sha256').update(String(n)).digest()]));
    const [back] = decodeSecurityInfos(
      encodeSecurityInfos([{ kind: 'eidSecurity', hash: 'sha256', dataGroupHashes: map }]),
    );
    expect(back?.kind === 'eidSecurity' && [...back.dataGroupHashes.keys()]).toEqual([4, 1, 3]);
  });
});

describe('SecurityInfos: bad input gives SecurityInfoError only', () => {
  const expectCode = (der: Buffer, code: 'malformed' | 'unsupported') => {
    let err: unknown;
    try {
      decodeSecurityInfos(der);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SecurityInfoError);
    expect((err as SecurityInfoError).code).toBe(code);
  };

  it('rejects structural defects', () => {
    expectCode(Buffer.alloc(0), 'malformed');
    expectCode(hex('3000'), 'malformed'); // SEQUENCE, not SET
    expectCode(hex('3103 020101'), 'malformed'); // element not a SEQUENCE
    expectCode(hex('3103 3001 00'), 'malformed');
    expectCode(set(hex('3005 0603 2a0304')), 'malformed'); // protocol only
    expectCode(set(hex('300f 060a 04007f00070202040202 0101ff')), 'malformed'); // version not INTEGER
    expectCode(set(hex('3015 060a 04007f00070202040202 020102 020101 020101')), 'malformed'); // too many
    expectCode(set(hex('3010 060a 04007f00070202040202 0202ff01')), 'malformed'); // negative version
    expectCode(Buffer.concat([set(hex(GERMAN.pace)), hex('00')]), 'malformed'); // trailing data
    expectCode(hex('3180'), 'malformed'); // indefinite length
  });

  it('rejects an off-curve CA public key', () => {
    const bad = hex(GERMAN.caPublicKey);
    bad[bad.length - 5] ^= 0x01;
    expectCode(set(bad), 'malformed');
  });

  it('reports unsupported algorithms and curves', () => {
    // CA public key on standardized id 8 (secp192r1), not supported
    const pk = hex(GERMAN.caPublicKey);
    pk[28] = 0x08;
    expectCode(set(pk), 'unsupported');
    // EIDSecurityObject with SHA-1
    expectCode(
      set(hex('3021 0608 04007f0007020207 3015 3007 06052b0e03021a 300a 3008 020101 0403 000000')),
      'unsupported',
    );
  });

  it('never throws anything else on truncations and bit flips', () => {
    const der = set(...Object.values(GERMAN).map(hex));
    for (let n = 0; n < der.length; n++) {
      try {
        decodeSecurityInfos(der.subarray(0, n));
      } catch (e) {
        expect(e).toBeInstanceOf(SecurityInfoError);
      }
    }
    for (let i = 0; i < der.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const b = Buffer.from(der);
        b[i] ^= mask;
        try {
          const infos = decodeSecurityInfos(b);
          encodeSecurityInfos(infos);
        } catch (e) {
          expect(e).toBeInstanceOf(SecurityInfoError);
        }
      }
    }
  });

  it('refuses to encode invalid values with a SecurityInfoError', () => {
    expect(() =>
      encodeSecurityInfos([{ kind: 'pace', protocol: OID.idPaceEcdhGmAesCbcCmac128, version: -1 }]),
    ).toThrow(SecurityInfoError);
    expect(() => encodeSecurityInfos([{ kind: 'pace', protocol: 'not.an.oid', version: 2 }])).toThrow(
      SecurityInfoError,
    );
    const curve = curveByName('brainpoolP256r1');
    expect(() =>
      encodeSecurityInfos([
        { kind: 'caPublicKey', protocol: OID.idPkEcdh, curve, point: Buffer.alloc(65, 4) },
      ]),
    ).toThrow(SecurityInfoError);
    expect(() =>
      encodeSecurityInfos([
        { kind: 'eidSecurity', hash: 'sha256', dataGroupHashes: new Map([[1, Buffer.alloc(3)]]) },
      ]),
    ).toThrow(SecurityInfoError);
    expect(() => encodeSecurityInfos([{ kind: 'riDomainParameters', parameterId: 99 }])).toThrow(
      SecurityInfoError,
    );
  });
});
