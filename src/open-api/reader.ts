/**
 * The Open API reader (docs/open-api.md §2; seed 004 第陸章 貳.二.(一), 參.一):
 * with the citizen's CAN, read the household- and public-area data groups
 * and the evidence a verifier needs, over the card's own secure channel.
 *
 *   EF.CardAccess (plain) → PACE with the CAN (TR-03110-2 §3.2, no CHAT) →
 *   EF.CardSecurity → SELECT eID → READ BINARY of the data groups →
 *   [Chip Authentication with the verifier's PK_PCD (challenge.ts)]
 *
 * Everything is read under the PACE keys before Chip Authentication: the
 * reader does not hold SK_PCD and so cannot follow the card onto the CA
 * keys — which is the point (only the verifier can check the token). A card
 * that refuses CA without Terminal Authentication (TR-03110-2 §3.4 makes TA
 * a precondition; this profile waives it after PACE with the CAN,
 * chip-profile §3.3 A8) yields a bundle without chip evidence, which a
 * verifier refuses unless told otherwise.
 *
 * Nothing here checks signatures or hashes: that is the verifier's job, done
 * where the eService runs (verify.ts).
 */
import { SW } from '../apdu/status.js';
import type { CardTransport } from '../apdu/transport.js';
import { chipAuthenticate } from '../eac/ca.js';
import { analyseSecurityInfos } from '../eac/card-access.js';
import { SmChannel } from '../eac/channel.js';
import { EacError } from '../eac/errors.js';
import { readCardAccess, readCardSecurity } from '../eac/files.js';
import { pace } from '../eac/pace.js';
import {
  applyDataGroupResponses,
  isReadComplete,
  planDataGroupReads,
  selectEidApplication,
} from '../eac/read.js';
import { expectOk } from '../eac/status.js';
import { type FieldId, fieldByDg, fieldDef } from '../profile/fields.js';
import {
  type ChipAuthenticationEvidence,
  PUBLIC_DATA_GROUPS,
  type PublicDataBundle,
  VALIDITY_DG,
} from './bundle.js';
import { readChallenge } from './challenge.js';
import { OpenApiError } from './errors.js';

/** The public area (chip-profile §2.3), the default set of fields. */
export const PUBLIC_AREA_FIELDS: readonly FieldId[] = PUBLIC_DATA_GROUPS.map((dg) => fieldByDg(dg)!)
  .filter((f) => f.area === 'public')
  .map((f) => f.id);

export interface ReadPublicOptions {
  readonly can: string;
  /** Household- or public-area fields to read; default the whole public area. DG3 is always read. */
  readonly fields?: readonly FieldId[];
  /** The verifier's challenge token: Chip Authentication with its key. */
  readonly challenge?: string;
  readonly now?: () => Date;
}

export interface ReadPublicResult {
  readonly bundle: PublicDataBundle;
  /** 'performed': the bundle carries the chip's answer; 'not-offered': the card refused CA without TA. */
  readonly chipAuthentication: 'performed' | 'not-requested' | 'not-offered';
  /** Fields asked for that the card does not carry (6A82). */
  readonly absent: readonly FieldId[];
}

/** Status words with which a card refuses CA in this state: it does not offer CA without TA. */
const CA_REFUSED = new Set<number>([
  SW.SECURITY_STATUS_NOT_SATISFIED,
  SW.CONDITIONS_NOT_SATISFIED,
  SW.REFERENCE_DATA_NOT_FOUND,
  SW.INS_NOT_SUPPORTED,
]);

function dataGroupsOf(fields: readonly FieldId[]): number[] {
  const dgs = new Set<number>([VALIDITY_DG]);
  for (const id of fields) {
    const def = fieldDef(id);
    if (!PUBLIC_DATA_GROUPS.includes(def.dg))
      throw new OpenApiError('invalid-argument', `${id} is not in the household or public area`);
    dgs.add(def.dg);
  }
  return [...dgs].sort((a, b) => a - b);
}

export async function readPublicData(card: CardTransport, o: ReadPublicOptions): Promise<ReadPublicResult> {
  if (!/^\d{6}$/.test(o.can)) throw new OpenApiError('invalid-argument', 'the CAN has 6 digits');
  const dgs = dataGroupsOf(o.fields ?? PUBLIC_AREA_FIELDS);
  const challenge = o.challenge === undefined ? undefined : readChallenge(o.challenge);
  const now = o.now ?? (() => new Date());

  const cardAccess = await readCardAccess(card);
  const p = await pace(card, { password: o.can, passwordRef: 'can', cardAccess });
  const ch = new SmChannel(card, p.sm);
  try {
    const cardSecurity = await readCardSecurity(ch);
    // EF.CardAccess and EF.CardSecurity must agree (TR-03110-3 A.1.2.2); the CA choice comes from both.
    const profile = analyseSecurityInfos({ cardAccess, cardSecurity });

    expectOk(await ch.transmit(selectEidApplication()), 'SELECT eID application');
    let state = planDataGroupReads(dgs, { firstChunk: 0xdf, selectApplication: false });
    while (!isReadComplete(state)) {
      const responses = [];
      for (const c of state.commands) responses.push(await ch.transmit(c.command));
      state = applyDataGroupResponses(state, responses);
    }
    const dataGroups = new Map<number, Buffer>();
    const absent: FieldId[] = [];
    for (const [dg, r] of state.results) {
      if (r.status === 'ok') dataGroups.set(dg, r.content);
      else if (r.status === 'not-found') absent.push(fieldByDg(dg)!.id);
      else
        throw new OpenApiError(
          'card',
          `DG${dg}: ${r.status === 'failed' ? r.reason : 'the card refused the read after PACE with the CAN'}`,
        );
    }
    if (!dataGroups.has(VALIDITY_DG))
      throw new OpenApiError('card', 'the card has no renewal-due date (DG3): its validity cannot be shown');

    let evidence: ChipAuthenticationEvidence | undefined;
    let status: ReadPublicResult['chipAuthentication'] = 'not-requested';
    if (challenge) {
      const { ca } = profile;
      const pk = challenge.publicKeys.get(ca.curve.standardizedId);
      if (!pk)
        throw new OpenApiError(
          'invalid-argument',
          `the challenge has no key on the card's curve ${ca.curve.name}`,
        );
      try {
        const r = await chipAuthenticate(ch, {
          protocol: ca.protocol,
          ...(ca.keyId === undefined ? {} : { keyId: ca.keyId }),
          ephemeralPoint: pk,
        });
        evidence = {
          challenge: challenge.token,
          protocol: ca.protocol,
          ...(ca.keyId === undefined ? {} : { keyId: ca.keyId }),
          nonce: r.nonce,
          token: r.token,
        };
        status = 'performed';
      } catch (e) {
        if (!(e instanceof EacError && e.sw !== undefined && CA_REFUSED.has(e.sw))) throw e;
        status = 'not-offered';
      }
    }
    return {
      bundle: {
        readAt: now().toISOString(),
        cardSecurity,
        dataGroups,
        ...(evidence ? { chipAuthentication: evidence } : {}),
      },
      chipAuthentication: status,
      absent,
    };
  } finally {
    p.sm.close();
  }
}
