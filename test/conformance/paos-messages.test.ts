/**
 * TR-03130-4 module C1_3 (processing of PAOS communication) and A1_2_07: the
 * eID-Client's messages altered on the wire — elements missing, duplicated,
 * added, an error Result — and what the server answers in StartPAOSResponse
 * and, for the eService, in getResult. The product's eID-Client runs the
 * conversation; its outgoing PAOS bodies pass through `hook.tamper`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClientError } from '../../src/client/errors.js';
import { RESULT_MINOR as SOAP } from '../../src/interfaces/soap/result-codes.js';
import { RESULT_MINOR as PAOS, RESULT_MAJOR } from '../../src/paos/result.js';
import { ops, startTestbed, type Testbed } from '../interfaces/soap/support/testbed.js';
import { writeTestCard } from '../support/card.js';
import { type EidOptions, runEid } from './support/eid-client.js';
import { drop, hook, inMessage, twice } from './support/paos-tamper.js';

vi.mock('../../src/client/network.js', async (original) =>
  (await import('./support/paos-tamper.js')).tamperingNetwork(original),
);

let tb: Testbed;
let card: ReturnType<typeof writeTestCard>;
beforeAll(async () => {
  tb = await startTestbed();
  card = writeTestCard(tb.ts.pkiDir);
}, 180_000);
afterAll(async () => tb?.close());
beforeEach(() => {
  hook.tamper = undefined;
});

const SET1 = ops('REQUIRED', 'romanizedName', 'restrictedId', 'ageVerification', 'placeVerification');

async function login(eid: EidOptions = {}) {
  const { tcTokenUrl, plan } = tb.prepare({ operations: SET1, age: 18, place: '63000' });
  const outcome = await runEid(tcTokenUrl, card.file, eid);
  hook.tamper = undefined;
  const got = await tb.client().getResult(plan.granted!.sessionId, 1);
  return { paos: outcome.serverResult, result: got.result, data: got.outcome };
}

describe('C1_3: processing of PAOS communication', () => {
  it('EIDSERVER_C1_3_01: StartPAOS with additional optional elements', async () => {
    hook.tamper = inMessage('<StartPAOS', (x) =>
      x.replace(
        '</StartPAOS>',
        '<SupportedDIDProtocols>urn:oid:1.3.162.15480.3.0.14.2</SupportedDIDProtocols>' +
          '<SupportedDIDProtocols>urn:oid:1.3.162.15480.3.0.14</SupportedDIDProtocols></StartPAOS>',
      ),
    );
    const r = await login();
    expect(r.paos?.major).toBe(RESULT_MAJOR.ok);
    expect(r.result.major).toBe(RESULT_MAJOR.ok);
  });

  const broken: [string, string, string, (xml: string) => string][] = [
    ['C1_3_02', 'IDPICC is missing in EAC1OutputType', 'EAC1OutputType', drop('IDPICC')],
    ['C1_3_03', 'Challenge is missing in EAC1OutputType', 'EAC1OutputType', drop('Challenge')],
    ['C1_3_04', 'EFCardSecurity is missing in EAC2OutputType', 'EAC2OutputType', drop('EFCardSecurity')],
    ['C1_3_05', 'two EFCardSecurity in EAC2OutputType', 'EAC2OutputType', twice('EFCardSecurity')],
    [
      'C1_3_06',
      'AuthenticationToken is missing in EAC2OutputType',
      'EAC2OutputType',
      drop('AuthenticationToken'),
    ],
    ['C1_3_07', 'two AuthenticationToken in EAC2OutputType', 'EAC2OutputType', twice('AuthenticationToken')],
    ['C1_3_08 + A1_2_07', 'Nonce is missing in EAC2OutputType', 'EAC2OutputType', drop('Nonce')],
    ['C1_3_09 + A1_2_07', 'two Nonce in EAC2OutputType', 'EAC2OutputType', twice('Nonce')],
    [
      'C1_3_10',
      'EAC2OutputType repeats the Challenge after the signature',
      'EAC2OutputType',
      (x) => x.replace(/<EFCardSecurity>[\s\S]*<\/Nonce>/, `<Challenge>${'0A'.repeat(8)}</Challenge>`),
    ],
  ];
  for (const [id, what, marker, edit] of broken) {
    it(`EIDSERVER_${id}: ${what} → al/common#incorrectParameter; getResult common#internalError`, async () => {
      hook.tamper = inMessage(marker, edit);
      const r = await login();
      expect(r.paos?.minor).toBe(PAOS.incorrectParameter);
      expect(r.result.minor).toBe(SOAP.internalError);
      expect(r.data).toBeUndefined();
    });
  }

  const clientError = () => {
    throw new ClientError('clientError', 'the testbed reports an internal error', PAOS.internalError);
  };
  /** The ResultMinor of the StartPAOSResponse (the eID-Client itself ends in error after it). */
  const startPaosMinor = () => /<ResultMinor>([^<]*)<\/ResultMinor>/.exec(hook.last)?.[1];

  it('EIDSERVER_C1_3_11: EAC1OutputType signals an error in Result → StartPAOSResponse al/common#internalError', async () => {
    const r = await login({ eac1: clientError });
    expect(hook.last).toContain('StartPAOSResponse');
    expect(startPaosMinor()).toBe(PAOS.internalError);
    expect(r.result.minor).toBe(PAOS.internalError); // the eID-Client's own TR-03112 code reaches the eService
  });

  it('EIDSERVER_C1_3_12: EAC2OutputType signals an error in Result → StartPAOSResponse al/common#internalError', async () => {
    const r = await login({ eac2: clientError });
    expect(startPaosMinor()).toBe(PAOS.internalError);
    expect(r.result.major).toBe(RESULT_MAJOR.error);
  });
});
