/**
 * Issue 17 through PC/SC: `neid-client read-public --reader "Virtual PCD"`
 * reads the virtual card behind pcscd + vsmartcard's vpcd (as a physical
 * reader would be used), answers the verifier's challenge, and the bundle
 * verifies.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { issueChallenge } from '../../src/open-api/challenge.js';
import { MemoryReplayGuard } from '../../src/open-api/replay.js';
import { verifyPublicData } from '../../src/open-api/verify.js';
import { CAN, cardFor, makeTestPki, newSecret, trustOf } from '../open-api/support.js';
import { runClient } from '../support/cli.js';
import { insertIntoVpcd, type PcscHarness, pcscMissing, VPCD_READER } from '../support/pcsc.js';
import { requires } from '../support/requires.js';

const available = requires('open-api-pcsc', pcscMissing());

describe.runIf(available)('neid-client read-public through PC/SC', () => {
  let harness: PcscHarness | undefined;
  let pki: string;
  beforeAll(async () => {
    pki = makeTestPki();
    harness = await insertIntoVpcd(VirtualCard.fromJson(cardFor(pki).json));
  }, 120_000);
  afterAll(async () => harness?.close());

  it('reads with the CAN, proves the chip, and the bundle verifies', async () => {
    const secret = newSecret();
    const challenge = issueChallenge(secret);
    const out = join(mkdtempSync(join(tmpdir(), 'neid-open-api-pcsc-')), 'bundle.json');
    const r = await runClient([
      'read-public',
      '--can',
      CAN,
      '--reader',
      VPCD_READER,
      '--challenge',
      challenge.token,
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`from ${VPCD_READER}`);
    const v = verifyPublicData(readFileSync(out), trustOf(pki), {
      challengeSecret: secret,
      replay: new MemoryReplayGuard(),
    });
    expect(v.failure).toBeUndefined();
    expect(v.ok).toBe(true);
    expect(v.fields?.chineseName).toBe('陳\u{2A6A5}華');
  }, 60_000);
});
