/**
 * TR-03130-4 EIDSERVER_C1_1_07 (EIDCARD_4_T) for the standardized domain
 * parameters besides the default brainpoolP256r1 (pki.curve: brainpoolP384r1,
 * prime256v1, secp384r1): a New eID PKI and its cards
 * on each curve the product supports (PACE, Terminal Authentication, Chip
 * Authentication and Restricted Identification on that curve, the CA key
 * length the curve's default).
 */
import { describe, expect, it } from 'vitest';
import { RESULT_MAJOR } from '../../src/paos/result.js';
import { writeTestCard } from '../support/card.js';
import { startTestServer } from '../support/server.js';
import { demoRequest, runEid } from './support/eid-client.js';

describe('C1_1_07: Chip Authentication on every supported curve', () => {
  for (const curve of ['brainpoolP384r1', 'prime256v1', 'secp384r1']) {
    it(`EIDSERVER_C1_1_07 (EIDCARD_4) on ${curve}`, async () => {
      const ts = await startTestServer({ curve });
      try {
        const card = writeTestCard(ts.pkiDir);
        expect(card.json.curve).toBe(curve);
        const created = await ts.server.sessions.create(demoRequest(ts.web));
        const outcome = await runEid(created.tcTokenUrl, card.file);
        expect(outcome.serverResult?.major, outcome.error?.message).toBe(RESULT_MAJOR.ok);
        const r = await ts.server.sessions.consume(created.sessionId);
        expect(r?.kind).toBe('result');
      } finally {
        await ts.close();
      }
    }, 120_000);
  }
});
