/**
 * The key source: PEM files of the PKI directory (today's behaviour, now
 * checked against the certificate), the fixed PKCS#11 labels, start-up
 * errors that need no token (PIN variable unset, pkcs11js missing), and the
 * PKCS#11 signing mechanics against a recording Cryptoki: hash in node, then
 * CKM_ECDSA on the digest, CKM_RSA_PKCS_PSS with its parameters, CKM_RSA_PKCS
 * on the DigestInfo (PKCS#11 v2.40 mechanisms §2.3.6, §2.1.14, §2.1.6).
 */
import { constants, createHash, generateKeyPairSync, privateEncrypt, verify } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { exportPkcs8Pem, privateScalarOf } from '../../../src/crypto/keys.js';
import { digestInfo } from '../../../src/crypto/signing-key.js';
import { PKI_FILES, terminalFiles } from '../../../src/pki/layout.js';
import { keyFile, keyLabel } from '../../../src/provisioning/keys/names.js';
import {
  CK,
  type Cryptoki,
  importPkcs11js,
  type Mechanism,
} from '../../../src/provisioning/keys/pkcs11/binding.js';
import { pkcs11SigningKey } from '../../../src/provisioning/keys/pkcs11/signing-key.js';
import { fileKeySource, KeyStoreError, openKeySource } from '../../../src/provisioning/keys/source.js';
import { testRsaKey } from '../../support/server.js';

const DATA = Buffer.from('<ds:SignedInfo>…</ds:SignedInfo>');
const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

describe('key names', () => {
  it('fixed labels in the token, and the PEM files they replace', () => {
    expect(keyLabel({ terminal: 'demo-portal' })).toBe('neid-terminal-demo-portal');
    expect(keyLabel('saml-signing-ec')).toBe('neid-saml-signing-ec');
    expect(keyLabel('saml-signing-rsa')).toBe('neid-saml-signing-rsa');
    expect(keyLabel('soap-signing')).toBe('neid-soap-signing');
    expect(keyFile({ terminal: 'x' })).toBe(terminalFiles('x').key);
    expect(keyFile('soap-signing')).toBe(PKI_FILES.soapSigningKey);
  });
});

describe('fileKeySource', () => {
  const dir = mkdtempSync(join(tmpdir(), 'neid-keys-'));
  const put = (rel: string, pem: string) => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), pem);
  };
  put(PKI_FILES.samlSigningEcKey, exportPkcs8Pem(ec.privateKey));

  it('reads the PEM key and checks it against the certified public key', () => {
    const keys = fileKeySource(dir);
    const k = keys.signingKey('saml-signing-ec', ec.publicKey);
    expect(k.id).toBe(join(dir, PKI_FILES.samlSigningEcKey));
    expect(
      verify(
        'sha256',
        DATA,
        { key: ec.publicKey, dsaEncoding: 'ieee-p1363' },
        k.sign({ hash: 'sha256', scheme: 'ecdsa' }, DATA),
      ),
    ).toBe(true);
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
    expect(() => keys.signingKey('saml-signing-ec', other)).toThrow(/does not belong to its certificate/);
  });

  it('names the key and the file when it is missing', () => {
    expect(() => fileKeySource(dir).signingKey({ terminal: 'nope' })).toThrow(
      new RegExp(`the terminal key of eService nope: ${join(dir, terminalFiles('nope').key)} is missing`),
    );
  });

  it('openKeySource without keys.pkcs11 is the file source', async () => {
    const keys = await openKeySource({ pkcs11: null }, dir);
    expect(keys.description).toBe('PEM files');
    expect(keys.generator).toBeUndefined();
  });
});

describe('start-up errors before a token is touched', () => {
  const pkcs11 = { module: '/nonexistent/libpkcs11.so', token: 'neid', pinEnv: 'NEID_TEST_PIN_X' };

  it('an unset PIN variable is named (the PIN is never in the file)', async () => {
    await expect(openKeySource({ pkcs11 }, '/tmp', { env: {} })).rejects.toThrow(
      'the PIN of PKCS#11 token "neid": NEID_TEST_PIN_X is not set',
    );
  });

  it('pkcs11js not installed: a clear error, only when keys.pkcs11 is configured', async () => {
    const err = await openKeySource({ pkcs11 }, '/tmp', {
      env: { NEID_TEST_PIN_X: '1234' },
      load: () => importPkcs11js('pkcs11js-not-installed'),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyStoreError);
    expect((err as Error).message).toMatch(
      /PKCS#11 support is not installed: the optional dependency pkcs11js/,
    );
  });
});

/** A Cryptoki that records C_SignInit / C_Sign and signs like a token would. */
function recordingToken(sign: (m: Mechanism, input: Buffer) => Buffer) {
  const calls: { mechanism: Mechanism; input: Buffer }[] = [];
  let pending: Mechanism | undefined;
  const api = {
    C_SignInit(_s: Buffer, mechanism: Mechanism) {
      pending = mechanism;
    },
    C_Sign(_s: Buffer, input: Buffer) {
      const mechanism = pending!;
      pending = undefined;
      calls.push({ mechanism, input });
      return sign(mechanism, input);
    },
  } as unknown as Cryptoki;
  return { api, calls };
}

describe('pkcs11SigningKey', () => {
  const ref = { session: () => Buffer.from([1]), pssParamsType: 5, privateKey: Buffer.from([2]) };

  it('ECDSA: CKM_ECDSA on the SHA-256 digest; the token’s r ‖ s verifies as the XML-DSig / TA plain format', () => {
    const scalar = privateScalarOf(ec.privateKey);
    const t = recordingToken((_m, digest) => Buffer.from(p256.sign(digest, scalar, { prehash: false })));
    const k = pkcs11SigningKey({
      ...ref,
      api: t.api,
      id: 'pkcs11:t/neid-saml-signing-ec',
      type: 'ec',
      publicKey: ec.publicKey,
    });
    const sig = k.sign({ hash: 'sha256', scheme: 'ecdsa' }, DATA);
    expect(t.calls[0]!.mechanism).toEqual({ mechanism: CK.CKM_ECDSA });
    expect(t.calls[0]!.input).toEqual(createHash('sha256').update(DATA).digest());
    expect(verify('sha256', DATA, { key: ec.publicKey, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
  });

  it('RSA PKCS#1 v1.5: CKM_RSA_PKCS on the DigestInfo; RSA-PSS: CK_RSA_PKCS_PSS_PARAMS with sLen = hash length', () => {
    const rsa = testRsaKey();
    const t = recordingToken((m, input) =>
      m.mechanism === CK.CKM_RSA_PKCS
        ? privateEncrypt({ key: rsa, padding: constants.RSA_PKCS1_PADDING }, input)
        : Buffer.alloc(384),
    );
    const k = pkcs11SigningKey({
      ...ref,
      api: t.api,
      id: 'pkcs11:t/neid-soap-signing',
      type: 'rsa',
      publicKey: rsa,
    });
    const sig = k.sign({ hash: 'sha256', scheme: 'rsa-pkcs1' }, DATA);
    expect(t.calls[0]!.input).toEqual(digestInfo('sha256', createHash('sha256').update(DATA).digest()));
    expect(verify('sha256', DATA, rsa, sig)).toBe(true);
    k.sign({ hash: 'sha384', scheme: 'rsa-pss' }, DATA);
    expect(t.calls[1]!.mechanism).toEqual({
      mechanism: CK.CKM_RSA_PKCS_PSS,
      parameter: { type: 5, hashAlg: CK.CKM_SHA384, mgf: CK.CKG_MGF1_SHA384, saltLen: 48 },
    });
    expect(t.calls[1]!.input).toEqual(createHash('sha384').update(DATA).digest());
  });

  it('a token error names the key', () => {
    const t = recordingToken(() => {
      throw Object.assign(new Error('CKR_DEVICE_REMOVED'), { code: 0x32 });
    });
    const k = pkcs11SigningKey({
      ...ref,
      api: t.api,
      id: 'pkcs11:t/neid-terminal-x',
      type: 'ec',
      publicKey: ec.publicKey,
    });
    expect(() => k.sign({ hash: 'sha256', scheme: 'ecdsa' }, DATA)).toThrow(
      'pkcs11:t/neid-terminal-x: ecdsa signature in the token failed: CKR_DEVICE_REMOVED',
    );
    expect(() => k.sign({ hash: 'sha256', scheme: 'rsa-pss' }, DATA)).toThrow(/EC key/);
  });
});
