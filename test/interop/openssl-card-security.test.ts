/**
 * Issue 2 acceptance: `openssl cms -verify` with the CSCA as trust anchor
 * accepts the EF.CardSecurity (and EF.ChipSecurity) that `neid pki init` +
 * `neid card create` produce; our verifier rejects a tampered one.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PKI_FILES } from '../../src/pki/layout.js';
import { encodeSecurityInfos } from '../../src/pki/security-infos.js';
import { PassiveAuthError } from '../../src/pki/x509/errors.js';
import { verifyCardSecurity } from '../../src/pki/x509/passive-authentication.js';
import { derFromPem } from '../../src/pki/x509/pem.js';
import { runNeid } from '../support/cli.js';

describe('EF.CardSecurity as the tooling writes it, checked by OpenSSL', () => {
  let dir: string;
  let card: { files: { cardSecurity: string; chipSecurity: string } };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'neid-openssl-cs-'));
    expect((await runNeid(['pki', 'init', '--out', join(dir, 'pki')])).code).toBe(0);
    const r = await runNeid(['card', 'create', '--pki', join(dir, 'pki'), '--out', join(dir, 'card.json')]);
    expect(r.code, r.stderr).toBe(0);
    card = JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8'));
  }, 120_000);

  const opensslVerify = (der: Buffer) => {
    const input = join(dir, 'cs.der');
    const out = join(dir, 'content.der');
    writeFileSync(input, der);
    execFileSync(
      'openssl',
      [
        'cms',
        '-verify',
        '-inform',
        'DER',
        '-in',
        input,
        '-CAfile',
        join(dir, 'pki', PKI_FILES.cscaCert),
        '-purpose',
        'any',
        '-binary',
        '-out',
        out,
      ],
      { stdio: 'pipe' },
    );
    return readFileSync(out);
  };
  const trust = () => ({
    cscaCerts: [derFromPem(readFileSync(join(dir, 'pki', PKI_FILES.cscaCert), 'utf8'))],
    crls: [readFileSync(join(dir, 'pki', PKI_FILES.cscaCrl))],
  });

  it('openssl cms -verify accepts EF.CardSecurity and EF.ChipSecurity, and their content is our SecurityInfos', () => {
    for (const hex of [card.files.cardSecurity, card.files.chipSecurity]) {
      const der = Buffer.from(hex, 'hex');
      const content = opensslVerify(der);
      const ours = verifyCardSecurity(der, trust());
      expect(content).toEqual(ours.content);
      expect(encodeSecurityInfos(ours.securityInfos)).toEqual(content);
    }
  });

  it('a tampered EF.CardSecurity is refused by openssl and by our verifier', () => {
    const der = Buffer.from(card.files.cardSecurity, 'hex');
    const i = der.indexOf(Buffer.from('04007f00070202040202', 'hex'));
    const tampered = Buffer.from(der);
    tampered[i + 9]! ^= 0x01; // the PACE protocol OID inside the signed SecurityInfos
    expect(() => opensslVerify(tampered)).toThrow();
    expect(() => verifyCardSecurity(tampered, trust())).toThrow(PassiveAuthError);
    try {
      verifyCardSecurity(tampered, trust());
    } catch (e) {
      expect((e as PassiveAuthError).code).toBe('digest-mismatch');
    }
  });
});
