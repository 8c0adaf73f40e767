/**
 * `readPublicData` against the virtual card: PACE with the CAN, EF.CardSecurity,
 * the public-area data groups and Chip Authentication with the verifier's key.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { decodeCardSecurity } from '../../src/eac/card-access.js';
import { EacError } from '../../src/eac/errors.js';
import { parseBundle, serializeBundle } from '../../src/open-api/bundle.js';
import { readPublicData } from '../../src/open-api/reader.js';
import { CAN, cardFor, makeTestPki, newSecret, readWithChallenge } from './support.js';

let pki: string;
beforeAll(() => {
  pki = makeTestPki();
}, 120_000);

describe('readPublicData (neid-client read-public)', () => {
  it('reads the public area and EF.CardSecurity with the CAN, and answers the challenge', async () => {
    const { json } = cardFor(pki);
    const r = await readWithChallenge(json, newSecret());
    expect(r.chipAuthentication).toBe('performed');
    expect([...r.bundle.dataGroups.keys()]).toEqual([3, 4, 5, 6, 7, 8, 10, 12, 15, 17]);
    // Every data group read is the one whose hash EF.CardSecurity signs.
    const eid = decodeCardSecurity(r.bundle.cardSecurity).find((i) => i.kind === 'eidSecurity');
    for (const [dg, content] of r.bundle.dataGroups) {
      expect(createHash('sha256').update(content).digest()).toEqual(
        eid?.kind === 'eidSecurity' && eid.dataGroupHashes.get(dg),
      );
    }
    expect(r.bundle.chipAuthentication?.nonce).toHaveLength(8);
    expect(r.bundle.chipAuthentication?.token).toHaveLength(8);
    // The JSON form round-trips.
    expect(parseBundle(serializeBundle(r.bundle))).toEqual(r.bundle);
  });

  it('reads only the fields asked for, plus DG3 for the validity, and reports absent ones', async () => {
    const { json } = cardFor(pki, { omitFields: ['militaryService'] });
    const card = VirtualCard.fromJson(json);
    card.reset();
    const r = await readPublicData(card, {
      can: CAN,
      fields: ['chineseName', 'militaryService', 'householdArea'],
    });
    expect([...r.bundle.dataGroups.keys()]).toEqual([3, 4, 18]);
    expect(r.absent).toEqual(['militaryService']);
    expect(r.chipAuthentication).toBe('not-requested');
    expect(r.bundle.chipAuthentication).toBeUndefined();
  });

  it('refuses encrypted-area fields and a wrong CAN', async () => {
    const { json } = cardFor(pki);
    const card = VirtualCard.fromJson(json);
    card.reset();
    await expect(readPublicData(card, { can: CAN, fields: ['sex'] })).rejects.toThrow(
      /household or public area/,
    );
    await expect(readPublicData(card, { can: '000000' })).rejects.toBeInstanceOf(EacError);
  });
});
