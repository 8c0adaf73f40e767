/**
 * Issue 3 acceptance, Terminal Authentication with a foreign PKI: a CVCA → DV
 * → AT chain made by OpenPACE's `cvc-create` (Debian openpace), the CVCA
 * installed as the card's trust point, the AT private key written by
 * cvc-create signing the TA challenge. The card verifies the chain, computes
 * the effective authorization and releases exactly the fields it grants.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OID } from '../../src/asn1/oids.js';
import { createCard } from '../../src/card/personalize.js';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { CvCertificate } from '../../src/pki/cvc/certificate.js';
import { addDays, dateString } from '../../src/pki/cvc/dates.js';
import { chatFor } from '../../src/profile/authorization.js';
import { eac } from '../card/support/eac.js';
import { makePki } from '../card/support/pki.js';
import { auxData, TestTerminal } from '../card/support/terminal.js';
import { absent, have, requires } from '../support/requires.js';

const available = requires(
  'card-openpace',
  absent({ openpace: have('cvc-create'), openssl: have('openssl') }),
);

/** cvc-create writes derived keys as SEC1 ECPrivateKey DER, despite the .pkcs8 name. */
function loadKey(path: string): KeyObject {
  const der = readFileSync(path);
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    return createPrivateKey({ key: der, format: 'der', type: 'sec1' });
  }
}

const ALL_AT_RIGHTS = [
  ...Array.from({ length: 21 }, (_, i) => `--read-dg${i + 1}`),
  ...[17, 18, 19, 20, 21].map((n) => `--write-dg${n}`),
  '--install-qual-cert',
  '--install-cert',
  '--pin-management',
  '--can-allowed',
  '--privileged',
  '--rid',
  '--verify-community',
  '--verify-age',
];

describe.runIf(available)(
  'Terminal Authentication with a CVCA → DV → AT chain made by OpenPACE cvc-create',
  () => {
    let dir: string;
    let cvca: Buffer;
    let dv: Buffer;
    let at: Buffer;
    let atKey: KeyObject;
    let dvKey: KeyObject;
    const expires = addDays(dateString(), 365).slice(2);

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'neid-card-openpace-'));
      const create = (args: string[]) =>
        execFileSync('cvc-create', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      execFileSync(
        'sh',
        [
          '-c',
          'openssl ecparam -name brainpoolP256r1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -outform DER -out cvca.pkcs8',
        ],
        { cwd: dir },
      );
      create([
        '--role=cvca',
        '--type=at',
        '--chr=TWOPCVCA00001',
        `--expires=${expires}`,
        '--sign-with=cvca.pkcs8',
        '--scheme=ECDSA_SHA_256',
        ...ALL_AT_RIGHTS,
      ]);
      create([
        '--role=dv_domestic',
        '--chr=TWOPDV00001',
        `--expires=${expires}`,
        '--sign-with=cvca.pkcs8',
        '--sign-as=TWOPCVCA00001.cvcert',
        '--scheme=ECDSA_SHA_256',
        ...['--read-dg4', '--read-dg8', '--read-dg11', '--read-dg14', '--read-dg18', '--verify-age', '--rid'],
      ]);
      create([
        '--role=terminal',
        '--chr=TWOPAT00001',
        `--expires=${expires}`,
        '--sign-with=TWOPDV00001.pkcs8',
        '--sign-as=TWOPDV00001.cvcert',
        '--scheme=ECDSA_SHA_256',
        ...['--read-dg4', '--read-dg14', '--read-dg9', '--verify-age'],
      ]);
      cvca = readFileSync(join(dir, 'TWOPCVCA00001.cvcert'));
      dv = readFileSync(join(dir, 'TWOPDV00001.cvcert'));
      at = readFileSync(join(dir, 'TWOPAT00001.cvcert'));
      atKey = loadKey(join(dir, 'TWOPAT00001.pkcs8'));
      dvKey = loadKey(join(dir, 'TWOPDV00001.pkcs8'));
    });

    const card = () => {
      const pki = makePki();
      const json = createCard({
        pki: { trustPoints: [cvca], dsCert: pki.dsCert, dsKey: pki.dsKey.privateKey },
        serialNumber: 'TW0000111222',
        pin: '123456',
      });
      return new TestTerminal(VirtualCard.fromJson(json));
    };

    it('cvc-create wrote what the card expects: a CVCA with domain parameters, a domestic DV, an AT', () => {
      expect(CvCertificate.decode(cvca).publicKey.curve?.name).toBe('brainpoolP256r1');
      expect(CvCertificate.decode(dv).role).toBe('dv-domestic');
      expect(CvCertificate.decode(at).role).toBe('terminal');
    });

    it('PACE(PIN) + TA + CA succeed and the effective authorization is the AND of all CHATs', async () => {
      const t = card();
      const chat = chatFor(['chineseName', 'photo', 'sex', 'placeOfBirth'], ['ageVerification']);
      const r = await eac(t, {
        chat,
        chain: [dv, at],
        terminalKey: atKey,
        aux: auxData([[OID.idDateOfBirth, Buffer.from('20080101')]]),
      });
      expect(r.pace.cars).toEqual(['TWOPCVCA00001']);
      expect(r.ta?.sws.every((sw) => sw === 0x9000)).toBe(true);
      expect(r.ca?.ok).toBe(true);
      await t.selectEid();
      expect((await t.readEf(4)).toString('utf8')).toContain('\u{2A6A5}');
      expect((await t.readEf(14)).subarray(0, 1)).toEqual(Buffer.from([0x6e]));
      // DG11 (sex): PACE and the DV allow it, the AT does not. DG9 (place of birth): the DV does not.
      expect((await t.readSfi(11)).sw).toBe(0x6982);
      expect((await t.readSfi(9)).sw).toBe(0x6982);
      expect((await t.verify(OID.idDateOfBirth)).sw).toBe(0x9000);
    });

    it('refuses the challenge signed with another key than the AT key', async () => {
      const t = card();
      const chat = chatFor(['chineseName'], []);
      const r = await eac(t, { chat, chain: [dv, at], terminalKey: dvKey });
      expect(r.ta?.sw).toBe(0x6300);
      await t.selectEid();
      expect((await t.readSfi(14)).sw).toBe(0x6982);
    });

    it('refuses the OpenPACE chain on a card that trusts another CVCA', async () => {
      const pki = makePki();
      const json = createCard({
        pki: { trustPoints: [pki.cvca.cert.raw], dsCert: pki.dsCert, dsKey: pki.dsKey.privateKey },
        serialNumber: 'TW0000111222',
      });
      const t = new TestTerminal(VirtualCard.fromJson(json));
      const r = await eac(t, { chat: chatFor(['chineseName'], []), chain: [dv, at], terminalKey: atKey });
      expect(r.ta?.sw).toBe(0x6a88);
    });
  },
);
