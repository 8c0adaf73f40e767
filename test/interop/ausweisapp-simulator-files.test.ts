/**
 * The Simulator files of src/card/simulator-files.ts, checked without the app:
 * the fixed Chip Authentication key is the one AusweisApp2's own default
 * EF.CardSecurity vouches for (known answer from docs/sdk/simulator.rst of
 * 1.26.2, test/fixtures/ausweisapp/), and the files pass the server's own
 * checks — passive authentication of EF.CardSecurity and EF.ChipSecurity,
 * their agreement with EF.CardAccess, the data-group hashes — and decode back
 * to the personalised fields.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCardPki } from '../../src/card/personalize.js';
import { SAMPLE_CHINESE_NAME } from '../../src/card/sample-citizen.js';
import {
  buildSimulatorCard,
  replaceDataGroup,
  SIMULATOR_CA_KEY_ID,
  SIMULATOR_CA_PRIVATE_KEY,
  SIMULATOR_CVCA_CHR,
} from '../../src/card/simulator-files.js';
import { curveByName } from '../../src/crypto/curves.js';
import { privateKeyFromScalar, publicPointOf } from '../../src/crypto/keys.js';
import { analyseSecurityInfos } from '../../src/eac/card-access.js';
import { decodeSecurityInfos } from '../../src/pki/security-infos.js';
import { parseCms } from '../../src/pki/x509/cms-parser.js';
import { verifyCardSecurity } from '../../src/pki/x509/passive-authentication.js';
import { decodeDataGroup, encodeField } from '../../src/profile/codecs.js';
import { fieldByDg } from '../../src/profile/fields.js';
import { childrenOf, parseTlv, tlv } from '../../src/tlv/tlv.js';
import { ROOT } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';

const fixture = JSON.parse(
  readFileSync(join(ROOT, 'test/fixtures/ausweisapp/simulator-default-files.json'), 'utf8'),
) as {
  files: { fileId: string; content: string }[];
};
const fileOf = (files: readonly { fileId: string; content: string }[], fid: string) =>
  Buffer.from(files.find((f) => f.fileId === fid)!.content, 'hex');

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer({ cvcaChr: SIMULATOR_CVCA_CHR });
}, 120_000);
afterAll(async () => ts?.close());

describe('AusweisApp2 Simulator files', () => {
  it('uses the Chip Authentication key that the Simulator’s default EF.CardSecurity vouches for', () => {
    // Decoded one SecurityInfo at a time: its EIDSecurityInfo uses SHA-224, which this profile does not accept.
    const content = parseCms(fileOf(fixture.files, '011d')).content;
    const infos = childrenOf(parseTlv(content)).flatMap((t) => {
      try {
        return decodeSecurityInfos(tlv(0x31, t.raw));
      } catch {
        return [];
      }
    });
    const published = infos.find((i) => i.kind === 'caPublicKey' && i.keyId === SIMULATOR_CA_KEY_ID);
    expect(published?.kind).toBe('caPublicKey');
    const ours = publicPointOf(
      privateKeyFromScalar(curveByName('brainpoolP256r1'), Buffer.from(SIMULATOR_CA_PRIVATE_KEY, 'hex')),
    );
    expect(published?.kind === 'caPublicKey' && published.point.equals(ours)).toBe(true);
  });

  it('builds files that pass passive authentication and carry the hash of every data group', () => {
    const card = buildSimulatorCard({ pki: loadCardPki(ts.pkiDir) });
    const cardAccess = fileOf(card.files, '011c');
    const trust = { cscaCerts: ts.server.pki.cscaCerts, crls: ts.server.pki.crls };
    const hashesOf = (fid: string) => {
      const eid = verifyCardSecurity(fileOf(card.files, fid), trust).securityInfos.find(
        (i) => i.kind === 'eidSecurity',
      );
      if (eid?.kind !== 'eidSecurity') throw new Error(`no EIDSecurityInfo in ${fid}`);
      return eid.dataGroupHashes;
    };
    const profile = analyseSecurityInfos({ cardAccess, cardSecurity: fileOf(card.files, '011d') });
    expect(profile.ca.keyId).toBe(SIMULATOR_CA_KEY_ID);
    expect(profile.ri.map((k) => k.keyId)).toEqual([1]);
    analyseSecurityInfos({ cardAccess, cardSecurity: fileOf(card.files, '011b') });
    const publicHashes = hashesOf('011d');
    const allHashes = hashesOf('011b');
    for (const [dg, content] of card.dataGroups) {
      const file = card.files.find((f) => f.shortFileId === dg.toString(16).padStart(2, '0'));
      expect(file?.fileId).toBe((0x100 + dg).toString(16).padStart(4, '0'));
      expect(Buffer.from(file!.content, 'hex').equals(content)).toBe(true);
      const hash = createHash('sha256').update(content).digest();
      expect(allHashes.get(dg)?.equals(hash)).toBe(true);
      // The encrypted area's hashes are only in EF.ChipSecurity (docs/chip-profile.md §7).
      if (fieldByDg(dg)!.area === 'encrypted') expect(publicHashes.has(dg)).toBe(false);
      else expect(publicHashes.get(dg)?.equals(hash)).toBe(true);
    }
    expect(decodeDataGroup(4, card.dataGroups.get(4)!).value).toBe(SAMPLE_CHINESE_NAME);
  });

  it('replaces a data group only when the files carry it', () => {
    const card = buildSimulatorCard({ pki: loadCardPki(ts.pkiDir), omitFields: ['spouseName'] });
    const other = encodeField('chineseName', '王小明');
    const tampered = replaceDataGroup(card.files, 4, other);
    expect(fileOf(tampered, '0104').equals(other)).toBe(true);
    expect(fileOf(card.files, '0104').equals(card.dataGroups.get(4)!)).toBe(true);
    expect(() => replaceDataGroup(card.files, 13, other)).toThrow(/no DG13/);
  });
});
