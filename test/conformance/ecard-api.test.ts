/**
 * TR-03130-4 module C1_1, the cases about the PKI and the channel rather than
 * the data: the complete link-certificate chain after CVCA rollovers
 * (C1_1_11, profile ALL_LINK) — cards personalised under each CVCA generation
 * authenticate and move their trust point forward, a card of another CVCA is
 * refused at EAC1; the attached eID-Server without PSK (C1_1_12, C1_1_13);
 * a card that also offers Chip Authentication version 3 (C1_1_16).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integer, oid, seq } from '../../src/asn1/der.js';
import { OID } from '../../src/asn1/oids.js';
import { pkiRollover } from '../../src/cli/commands/pki-rollover.js';
import { curveByName } from '../../src/crypto/curves.js';
import type { Eac1Input } from '../../src/paos/messages/eac1.js';
import { RESULT_MAJOR, RESULT_MINOR } from '../../src/paos/result.js';
import { CvCertificate } from '../../src/pki/cvc/certificate.js';
import { dateString } from '../../src/pki/cvc/dates.js';
import { issueCvca } from '../../src/pki/cvc/issue.js';
import type { AuthRequest } from '../../src/workflows/session/types.js';
import { writeTestCard } from '../support/card.js';
import { ROOT } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { documentSigner } from './support/cards.js';
import { demoRequest, runEid, startPaosElsewhere } from './support/eid-client.js';

const REGISTRY = join(ROOT, 'config/relying-parties.yaml');

const request = (ts: TestServer, o: Partial<AuthRequest> = {}): AuthRequest => demoRequest(ts.web, o);

async function authenticate(
  ts: TestServer,
  cardFile: string,
  o: Partial<AuthRequest> = {},
  seen?: (i: Eac1Input) => void,
) {
  const created = await ts.server.sessions.create(request(ts, o));
  const outcome = await runEid(created.tcTokenUrl, cardFile, seen ? { onEac1Input: seen } : {});
  return { outcome, result: await ts.server.sessions.consume(created.sessionId) };
}

describe('C1_1_11: link certificates (CVCA rollover, ALL_LINK)', () => {
  let ts: TestServer;
  const cards: { file: string; cvca: string }[] = [];
  beforeAll(async () => {
    ts = await startTestServer({
      beforeStart: (dir) => {
        // Three CVCA generations: a card personalised under each, then the key rolled over.
        for (let i = 0; i < 2; i++) {
          const c = writeTestCard(dir);
          cards.push({
            file: c.file,
            cvca: CvCertificate.decode(Buffer.from(c.json.trustPoints[0]!, 'hex')).chr,
          });
          void pkiRollover(['--dir', dir, '--relying-parties', REGISTRY]);
        }
      },
    });
    const c = writeTestCard(ts.pkiDir);
    cards.push({ file: c.file, cvca: CvCertificate.decode(Buffer.from(c.json.trustPoints[0]!, 'hex')).chr });
  }, 180_000);
  afterAll(async () => ts?.close());

  it('EIDSERVER_C1_1_11: EAC1InputType carries every link certificate the server knows', async () => {
    let certs: CvCertificate[] = [];
    const { outcome } = await authenticate(ts, cards[2]!.file, {}, (i) => {
      certs = i.certificates.map((c) => CvCertificate.decode(c));
    });
    expect(outcome.serverResult?.major).toBe(RESULT_MAJOR.ok);
    const links = certs.filter((c) => c.role === 'cvca').map((c) => `${c.car}→${c.chr}`);
    expect(links.sort()).toEqual(
      [`${cards[0]!.cvca}→${cards[1]!.cvca}`, `${cards[1]!.cvca}→${cards[2]!.cvca}`].sort(),
    );
    expect(ts.server.pki.cvca.chr).toBe(cards[2]!.cvca);
  });

  for (const [i, what] of [
    [0, 'two CVCA generations old (two link certificates)'],
    [1, 'one CVCA generation old (one link certificate)'],
    [2, 'of the current CVCA'],
  ] as const) {
    it(`EIDSERVER_C1_1_11 (EIDCARD_10${i + 1}): a card ${what} authenticates and then trusts the current CVCA`, async () => {
      const { outcome, result } = await authenticate(ts, cards[i]!.file);
      expect(outcome.serverResult?.major, outcome.error?.message).toBe(RESULT_MAJOR.ok);
      expect(result?.kind).toBe('result');
      const { readFileSync } = await import('node:fs');
      const json = JSON.parse(readFileSync(cards[i]!.file, 'utf8')) as { trustPoints: string[] };
      const chrs = json.trustPoints.map((t) => CvCertificate.decode(Buffer.from(t, 'hex')).chr);
      expect(chrs).toContain(cards[2]!.cvca);
    });
  }

  it('a card that trusts another CVCA is refused at EAC1 (il/signature#invalidCertificatePath)', async () => {
    const foreign = issueCvca({
      curve: curveByName('brainpoolP256r1'),
      chr: 'XXFOREIGN00001',
      effectiveDate: dateString(),
      validityDays: 30,
    });
    const ds = documentSigner(ts.pkiDir);
    const c = writeTestCard(ts.pkiDir, {
      pki: { trustPoints: [foreign.cert.raw], dsCert: ds.cert, dsKey: ds.key },
    });
    const { outcome, result } = await authenticate(ts, c.file);
    expect(outcome.serverResult?.minor).toBe(RESULT_MINOR.invalidCertificatePath);
    expect(result?.kind === 'failure' && result.failure.code).toBe('certificate-path');
  });
});

describe('C1_1_12, C1_1_13, C1_1_16: attached eID-Server, Chip Authentication version 3', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer();
  }, 180_000);
  afterAll(async () => ts?.close());

  it('EIDSERVER_C1_1_12: the TC Token of an attached eID-Server (no PSK) and the authentication over its TLS session', async () => {
    const created = await ts.server.sessions.create(request(ts, { channel: 'attached' }));
    const card = writeTestCard(ts.pkiDir);
    const outcome = await runEid(created.tcTokenUrl, card.file);
    expect(outcome.serverResult?.major, outcome.error?.message).toBe(RESULT_MAJOR.ok);
    expect((await ts.server.sessions.consume(created.sessionId))?.kind).toBe('result');
  });

  it('EIDSERVER_C1_1_13: PAOS over a new TLS connection for the same session → al/common#noPermission, session untouched', async () => {
    const created = await ts.server.sessions.create(request(ts, { channel: 'attached' }));
    const { token, answer } = await startPaosElsewhere(created.tcTokenUrl);
    expect(token.psk).toBeUndefined();
    expect(answer).toContain(RESULT_MINOR.noPermission);
    expect((await ts.server.sessions.get(created.sessionId))?.state).toBe('tctoken-issued');
  });

  it('EIDSERVER_C1_1_16 (EIDCARD_15): a card that also announces Chip Authentication version 3', async () => {
    const { brokenCard } = await import('./support/cards.js');
    const cav3 = {
      kind: 'unknown' as const,
      protocol: `${OID.idCaEcdh}.2`,
      raw: seq(oid(`${OID.idCaEcdh}.2`), integer(3), integer(2)),
    };
    const c = brokenCard(ts.pkiDir, { access: (i) => [...i, cav3], security: (i) => [...i, cav3] });
    const { outcome, result } = await authenticate(ts, c.file);
    expect(outcome.serverResult?.major, outcome.error?.message).toBe(RESULT_MAJOR.ok);
    expect(result?.kind).toBe('result');
  });
});
