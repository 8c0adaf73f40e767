/**
 * Choosing PACE / CA / RI from SecurityInfos (A.1.1) and the consistency of
 * EF.CardAccess and EF.CardSecurity (A.1.2.2).
 */
import { describe, expect, it } from 'vitest';
import { OID } from '../../src/asn1/oids.js';
import { curveByName } from '../../src/crypto/curves.js';
import { generateEcKeyPair } from '../../src/crypto/keys.js';
import {
  analyseSecurityInfos,
  chooseChipAuthentication,
  choosePace,
  decodeCardAccess,
  ID_PRIVILEGED_TERMINAL_INFO,
} from '../../src/eac/card-access.js';
import { encodeSecurityInfos, type SecurityInfo } from '../../src/pki/security-infos.js';
import { codeOf, hex } from './helpers.js';

const bp256 = curveByName('brainpoolP256r1');
const caKey = generateEcKeyPair(bp256);

const paceInfo: SecurityInfo = {
  kind: 'pace',
  protocol: OID.idPaceEcdhGmAesCbcCmac128,
  version: 2,
  parameterId: 13,
};
const caInfo: SecurityInfo = { kind: 'ca', protocol: OID.idCaEcdhAesCbcCmac128, version: 2, keyId: 41 };
const caDomain: SecurityInfo = {
  kind: 'caDomainParameters',
  protocol: OID.idCaEcdh,
  parameterId: 13,
  keyId: 41,
};
const taInfo: SecurityInfo = { kind: 'ta', version: 2 };
const caPublic: SecurityInfo = {
  kind: 'caPublicKey',
  protocol: OID.idPkEcdh,
  curve: bp256,
  point: caKey.publicPoint,
  keyId: 41,
};
const riInfo = (keyId: number): SecurityInfo => ({
  kind: 'ri',
  protocol: OID.idRiEcdhSha256,
  version: 1,
  keyId,
  authorizedOnly: keyId === 2,
});
const cardAccess = [paceInfo, caInfo, caDomain, taInfo];
const cardSecurity = [...cardAccess, caPublic, riInfo(2), riInfo(1)];

describe('SecurityInfos', () => {
  it('chooses PACE, CA with its key, and the RI keys', () => {
    const p = analyseSecurityInfos({
      cardAccess: encodeSecurityInfos(cardAccess),
      cardSecurity: encodeSecurityInfos(cardSecurity),
    });
    expect(p.pace).toMatchObject({
      protocol: OID.idPaceEcdhGmAesCbcCmac128,
      parameterId: 13,
      keyBits: 128,
      ambiguous: false,
    });
    expect(p.pace.curve.name).toBe('brainpoolP256r1');
    expect(p.ca).toMatchObject({ protocol: OID.idCaEcdhAesCbcCmac128, keyId: 41, keyBits: 128 });
    expect(p.ca.publicPoint).toEqual(caKey.publicPoint);
    expect(p.ri.map((r) => r.keyId)).toEqual([1, 2]);
  });

  it('reads the ICAO G.1 EF.CardAccess', () => {
    const pace = choosePace(decodeCardAccess(hex('31143012060A04007F0007020204020202010202010D')));
    expect(pace.protocol).toBe(OID.idPaceEcdhGmAesCbcCmac128);
    expect(pace.curve.name).toBe('brainpoolP256r1');
  });

  it('prefers the strongest PACE option and marks the choice ambiguous', () => {
    const two: SecurityInfo[] = [
      paceInfo,
      { kind: 'pace', protocol: OID.idPaceEcdhGmAesCbcCmac256, version: 2, parameterId: 17 },
    ];
    expect(choosePace(two)).toMatchObject({ parameterId: 17, keyBits: 256, ambiguous: true });
  });

  it('refuses what it cannot use (unsupported-protocol)', async () => {
    expect(
      await codeOf(() =>
        choosePace([{ kind: 'pace', protocol: OID.idPaceEcdhGmAesCbcCmac128, version: 2, parameterId: 18 }]),
      ),
    ).toBe('unsupported-protocol');
    expect(
      await codeOf(() =>
        choosePace([{ kind: 'pace', protocol: `${OID.idPace}.4.2`, version: 2, parameterId: 13 }]),
      ),
    ).toBe('unsupported-protocol');
    expect(
      await codeOf(() => chooseChipAuthentication([{ ...caInfo, version: 1 } as SecurityInfo, caDomain])),
    ).toBe('unsupported-protocol');
  });

  it.each([
    [
      'a different CA key id',
      [
        paceInfo,
        { ...caInfo, keyId: 42 } as SecurityInfo,
        { ...caDomain, keyId: 42 } as SecurityInfo,
        taInfo,
        caPublic,
      ],
    ],
    [
      'a different PACE parameter id',
      [{ ...paceInfo, parameterId: 16 } as SecurityInfo, caInfo, caDomain, taInfo, caPublic],
    ],
    [
      'CA domain parameters on another curve',
      [paceInfo, caInfo, { ...caDomain, parameterId: 16 } as SecurityInfo, taInfo, caPublic],
    ],
    ['no TerminalAuthenticationInfo', [paceInfo, caInfo, caDomain, caPublic]],
  ])('EF.CardSecurity with %s is inconsistent', async (_name, security) => {
    const code = await codeOf(() =>
      analyseSecurityInfos({
        cardAccess: encodeSecurityInfos(cardAccess),
        cardSecurity: encodeSecurityInfos(security),
      }),
    );
    expect(code).toBe('inconsistent-security-infos');
  });

  it('a CA public key on another curve than its domain parameters is inconsistent', async () => {
    const other = generateEcKeyPair(curveByName('brainpoolP384r1'));
    const security = [
      ...cardAccess,
      { ...caPublic, curve: other.curve, point: other.publicPoint } as SecurityInfo,
    ];
    const code = await codeOf(() =>
      analyseSecurityInfos({
        cardAccess: encodeSecurityInfos(cardAccess),
        cardSecurity: encodeSecurityInfos(security),
      }),
    );
    expect(code).toBe('inconsistent-security-infos');
  });

  it('PrivilegedTerminalInfo need not be repeated in EF.CardSecurity', () => {
    const pt: SecurityInfo = {
      kind: 'unknown',
      protocol: ID_PRIVILEGED_TERMINAL_INFO,
      raw: hex('300C060804007F00070202083100'), // SEQUENCE { id-PT, SET {} }
    };
    expect(() =>
      analyseSecurityInfos({
        cardAccess: encodeSecurityInfos([...cardAccess, pt]),
        cardSecurity: encodeSecurityInfos(cardSecurity),
      }),
    ).not.toThrow();
  });

  it('malformed files are malformed responses', async () => {
    expect(await codeOf(() => decodeCardAccess(hex('3103020100')))).toBe('malformed-response');
    expect(
      await codeOf(() =>
        analyseSecurityInfos({ cardAccess: encodeSecurityInfos(cardAccess), cardSecurity: hex('3000') }),
      ),
    ).toBe('malformed-response');
  });
});
