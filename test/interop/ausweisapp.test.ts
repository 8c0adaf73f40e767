/**
 * Issue 4 acceptance: AusweisApp2 1.26.2 (Debian), the reference TR-03124
 * eID-Client, runs online authentications against the server in attached TLS
 * and in TLS-PSK mode with its Simulator card carrying our data groups
 * (docs/ausweisapp2-interop.md).
 *
 * The Simulator does no real PACE, checks no Terminal Authentication and
 * enforces no access right, but it computes the Chip Authentication token with
 * its real key and protects every answer with real secure messaging, and it
 * answers VERIFY and Restricted Identification from its files and keys. So
 * these runs cross-check the server's CA key derivation, token check, secure
 * messaging (every response MAC), passive authentication, auxiliary data,
 * RI command encoding and data-group decoding against an independent
 * implementation; PACE, TA and field-level authorization are tested with the
 * product's own virtual card (test/e2e).
 */
import { createHash, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCardPki } from '../../src/card/personalize.js';
import {
  buildSimulatorCard,
  replaceDataGroup,
  SIMULATOR_CURVE,
  SIMULATOR_CVCA_CHR,
  SIMULATOR_RI_KEY_ID,
  SIMULATOR_RI_PRIVATE_KEYS,
  type SimulatorCard,
  type SimulatorFile,
} from '../../src/card/simulator-files.js';
import { curveByName } from '../../src/crypto/curves.js';
import { privateKeyFromScalar } from '../../src/crypto/keys.js';
import { encodeField } from '../../src/profile/codecs.js';
import type { Address } from '../../src/profile/values.js';
import type { AuthRequest } from '../../src/workflows/session/types.js';
import { hasAusweisApp } from '../support/ausweisapp/app.js';
import { authenticateWithSimulator, type SimulatorAuthOutcome } from '../support/ausweisapp/sdk.js';
import { absent, requires } from '../support/requires.js';
import { startTestServer, type TestServer } from '../support/server.js';

const OK = 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#ok';
const ERROR = 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#error';

/** A household address with a character outside the BMP (𡍼, U+2137C) next to the sample name's 𪚥 (U+2A6A5). */
const ADDRESS: Address = {
  state: '臺北市',
  city: '松山區',
  street: '中崙里5鄰𡍼仔巷2號',
  country: 'TWN',
  zipcode: '105',
};

let ts: TestServer;
let card: SimulatorCard;

/** The Simulator's identifier for a sector: SHA-256 of x(SK_ID · PK_Sector) (TR-03110-2 §3.6, TR-03110-3 B.4.2). */
function expectedRestrictedId(eServiceId: string): string {
  const curve = curveByName(SIMULATOR_CURVE);
  const id = privateKeyFromScalar(curve, Buffer.from(SIMULATOR_RI_PRIVATE_KEYS[SIMULATOR_RI_KEY_ID]!, 'hex'));
  const sector = ts.server.pki.terminals.get(eServiceId)!.sectorKey;
  return createHash('sha256')
    .update(diffieHellman({ privateKey: sector, publicKey: id }))
    .digest('hex');
}

const request = (o: Partial<AuthRequest>): AuthRequest => ({
  eServiceId: 'demo-portal',
  frontEnd: 'saml',
  required: [],
  optional: [],
  channel: 'psk',
  refreshAddress: `${ts.web}/done`,
  ...o,
});

async function authenticate(
  files: readonly SimulatorFile[],
  req: AuthRequest,
  opts: { deselect?: string[]; consentDelayMs?: number; cancelAt?: 'access-rights' | 'pin' } = {},
): Promise<{
  out: SimulatorAuthOutcome<{ sessionId: string; tcTokenUrl: string }>;
  outcome: Awaited<ReturnType<TestServer['server']['sessions']['consume']>>;
  why: string;
}> {
  const out = await authenticateWithSimulator({
    files,
    start: () => ts.server.sessions.create(req),
    attempts: 3,
    ...opts,
  });
  for (const r of out.retried) await ts.server.sessions.consume(r.session.sessionId);
  const outcome = await ts.server.sessions.consume(out.session.sessionId);
  // Shown only when an assertion fails: the SDK messages and the tail of AusweisApp's log.
  const why = `\nSDK: ${JSON.stringify(out.transcript)}\nAusweisApp2 log (tail):\n${out.log.split('\n').slice(-80).join('\n')}`;
  return { out, outcome, why };
}

describe.runIf(requires('AusweisApp2', absent({ ausweisapp2: hasAusweisApp() })))(
  'AusweisApp2 1.26.2 with its Simulator card',
  () => {
    beforeAll(async () => {
      ts = await startTestServer({ cvcaChr: SIMULATOR_CVCA_CHR });
      card = buildSimulatorCard({ pki: loadCardPki(ts.pkiDir), fields: { householdAddress: ADDRESS } });
    }, 120_000);
    afterAll(async () => ts?.close());

    it.each([
      { channel: 'attached' as const, age: 18, area: '63000', ageOk: true, placeOk: true },
      { channel: 'psk' as const, age: 100, area: '64000', ageOk: false, placeOk: false },
    ])(
      '$channel mode: authenticates and the server yields the released fields',
      async ({ channel, age, area, ageOk, placeOk }) => {
        const { out, outcome, why } = await authenticate(
          card.files,
          request({
            channel,
            required: ['chineseName', 'romanizedName', 'dateOfBirth'],
            optional: ['householdAddress', 'householdArea', 'sex'],
            ageVerification: { age, required: false },
            placeVerification: { areaCode: area, required: false },
          }),
        );
        expect(out.auth.result?.major, why).toBe(OK);
        expect(out.auth.url).toMatch(new RegExp(`^${ts.web}/done`));
        // What AusweisApp showed: sex (DG11) is not a right of TR-03127, so the app drops it (TR-03124-1 §3.8).
        const chat = out.accessRights?.['chat'] as { required: string[]; optional: string[] };
        expect([...chat.required].sort()).toEqual(['DateOfBirth', 'FamilyName', 'GivenNames', 'Pseudonym']);
        expect([...chat.optional].sort()).toEqual([
          'Address',
          'AddressVerification',
          'AgeVerification',
          'CommunityID',
        ]);
        expect((out.accessRights?.['aux'] as { communityId?: string } | undefined)?.communityId).toBe(
          `0158${area.padStart(6, '0')}`,
        );

        expect(outcome?.kind, why).toBe('result');
        if (outcome?.kind !== 'result') return;
        const r = outcome.result;
        expect(r.fields).toEqual({
          chineseName: card.fields.chineseName,
          romanizedName: card.fields.romanizedName,
          dateOfBirth: card.fields.dateOfBirth,
          householdAddress: ADDRESS,
          householdArea: card.fields.householdArea,
        });
        expect(r.fields.chineseName).toBe('陳\u{2A6A5}華');
        expect(r.fields.householdAddress?.street).toBe('中崙里5鄰\u{2137C}仔巷2號');
        expect(r.operations).toEqual({
          chineseName: 'ALLOWED',
          romanizedName: 'ALLOWED',
          dateOfBirth: 'ALLOWED',
          householdAddress: 'ALLOWED',
          householdArea: 'ALLOWED',
          sex: 'PROHIBITED',
          ageVerification: 'ALLOWED',
          placeVerification: 'ALLOWED',
        });
        expect(r.ageVerification).toBe(ageOk);
        expect(r.placeVerification).toBe(placeOk);
        expect(r.documentValidity).toBe('valid');
        expect(r.restrictedId).toBe(expectedRestrictedId('demo-portal'));
      },
    );

    it('reads encrypted-area fields through EF.ChipSecurity', async () => {
      const { out, outcome, why } = await authenticate(
        card.files,
        request({
          eServiceId: 'passport-office',
          channel: 'attached',
          required: ['chineseName', 'placeOfBirth'],
          optional: ['spouseName', 'fatherName', 'motherName', 'photo'],
        }),
      );
      expect(out.auth.result?.major, why).toBe(OK);
      expect(outcome?.kind, why).toBe('result');
      if (outcome?.kind !== 'result') return;
      const { fields, operations, restrictedId } = outcome.result;
      expect(fields).toEqual({
        chineseName: card.fields.chineseName,
        placeOfBirth: card.fields.placeOfBirth,
        spouseName: card.fields.spouseName,
        fatherName: card.fields.fatherName,
        motherName: card.fields.motherName,
      });
      // The photo's data group (DG14) is not a TR-03127 right either.
      expect(operations.photo).toBe('PROHIBITED');
      expect(restrictedId).toBe(expectedRestrictedId('passport-office'));
      expect(restrictedId).not.toBe(expectedRestrictedId('demo-portal'));
    });

    it('withholds a field whose right the citizen switched off in AusweisApp', async () => {
      const { out, outcome, why } = await authenticate(
        card.files,
        request({ required: ['chineseName'], optional: ['householdAddress', 'dateOfBirth'] }),
        { deselect: ['Address'] },
      );
      expect(out.auth.result?.major, why).toBe(OK);
      expect(outcome?.kind, why).toBe('result');
      if (outcome?.kind !== 'result') return;
      expect(outcome.result.fields).toEqual({
        chineseName: card.fields.chineseName,
        dateOfBirth: card.fields.dateOfBirth,
      });
      expect(outcome.result.operations).toMatchObject({
        householdAddress: 'PROHIBITED',
        dateOfBirth: 'ALLOWED',
      });
    });

    it('a tampered data group ends the authentication at the server with no data released', async () => {
      const files = replaceDataGroup(card.files, 4, encodeField('chineseName', '王小明'));
      const { out, outcome, why } = await authenticate(
        files,
        request({ required: ['chineseName', 'dateOfBirth'] }),
      );
      // StartPAOSResponse with an error: AusweisApp reports it with the server's message.
      expect(out.auth.result?.major, why).toBe(ERROR);
      expect(out.auth.result?.message).toMatch(/hash of DG4/);
      expect(outcome?.kind, why).toBe('failure');
      if (outcome?.kind !== 'failure') return;
      expect(outcome.failure).toMatchObject({ code: 'document-not-authentic' });
      expect(outcome.failure.reason).toMatch(/DG4/);
      expect(JSON.stringify(outcome)).not.toMatch(/王小明|19900315/);
    });

    it('a card past its renewal-due date fails VERIFY id-DateOfExpiry (the Simulator compares DG3)', async () => {
      const expired = buildSimulatorCard({
        pki: loadCardPki(ts.pkiDir),
        fields: { renewalDueDate: '20200101' },
      });
      const { out, outcome, why } = await authenticate(expired.files, request({ required: ['chineseName'] }));
      expect(outcome?.kind, why).toBe('failure');
      if (outcome?.kind !== 'failure') return;
      expect(outcome.failure, why).toMatchObject({ code: 'document-expired' });
      // The exchange itself ended normally (the server reports the expiry to the eService, not as a protocol error).
      expect(out.auth.result?.major, why).toBe(OK);
    });

    it('an EF.CardSecurity that vouches for another Chip Authentication key fails the CA token check', async () => {
      const other = buildSimulatorCard({
        pki: loadCardPki(ts.pkiDir),
        caPrivateKey: generateKeyPairSync('ec', { namedCurve: SIMULATOR_CURVE }).privateKey,
      });
      const { out, outcome, why } = await authenticate(
        other.files,
        request({ channel: 'attached', required: ['chineseName'] }),
      );
      expect(out.auth.result?.major, why).toBe(ERROR);
      expect(outcome?.kind, why).toBe('failure');
      if (outcome?.kind !== 'failure') return;
      // TR-03130-4 C1_2_06: a wrong token is its own outcome (StartPAOSResponse al/common#internalError).
      expect(outcome.failure).toMatchObject({ code: 'chip-authentication-failed' });
      expect(outcome.failure.reason).toMatch(/authentication token/);
    });

    it('a 30 s consent completes in PSK and in attached mode', async () => {
      // AusweisApp reads nothing from the server while the citizen reads the access rights.
      const run = async (channel: 'psk' | 'attached') => {
        const { out, outcome, why } = await authenticate(
          card.files,
          request({ channel, required: ['chineseName'], optional: ['dateOfBirth'] }),
          { consentDelayMs: 30_000 },
        );
        expect(out.auth.result?.major, why).toBe(OK);
        expect(outcome?.kind, why).toBe('result');
      };
      await Promise.all([run('psk'), run('attached')]);
    }, 240_000);

    it.each(['access-rights', 'pin'] as const)(
      'cancelling in AusweisApp (at %s) reaches the eService as "cancelled"',
      async (cancelAt) => {
        const { out, outcome, why } = await authenticate(card.files, request({ required: ['chineseName'] }), {
          cancelAt,
        });
        expect(out.auth.result?.major, why).toBe(ERROR);
        expect(out.auth.result?.minor, why).toMatch(/\/sal#cancellationByUser$/);
        expect(outcome?.kind, why).toBe('failure');
        if (outcome?.kind !== 'failure') return;
        expect(outcome.failure, why).toMatchObject({ code: 'cancelled' });
      },
    );
  },
);
