/**
 * The eID-Client side of the conformance cases: the product's own eID-Client
 * with a virtual card, plus what the TR-03130-4 testbed does to it — a citizen
 * who withholds rights of the RequiredCHAT too (the testbed's
 * CUSTOM_CLIENT_CHAT, cases A1_1_03, B1_1_04, C1_1_03), a man in the middle
 * on the card's answers (C1_2_07/08), or a client whose EAC answers are
 * altered (C1_2_06, C1_3_*).
 */
import type { CardTransport } from '../../../src/apdu/transport.js';
import { VirtualCard } from '../../../src/card/virtual-card.js';
import { EacClient } from '../../../src/client/eac-client.js';
import { httpsCall, type SeenCertificate } from '../../../src/client/network.js';
import {
  type OnlineAuthenticationOutcome,
  runOnlineAuthentication,
} from '../../../src/client/paos-client.js';
import { newMessageId } from '../../../src/paos/envelope.js';
import type { Eac1Input, Eac1Output } from '../../../src/paos/messages/eac1.js';
import type { Eac2Input, Eac2Output } from '../../../src/paos/messages/eac2.js';
import { buildStartPaos } from '../../../src/paos/messages/start-paos.js';
import { parseTcToken, type TcToken } from '../../../src/paos/messages/tctoken.js';
import { Chat, SPECIAL_FUNCTIONS } from '../../../src/pki/cvc/chat.js';
import { bitOfFunction, isFunctionId, readBitOfField } from '../../../src/profile/authorization.js';
import { isFieldId } from '../../../src/profile/fields.js';
import { parseTlv } from '../../../src/tlv/tlv.js';
import type { AuthRequest } from '../../../src/workflows/session/types.js';

/** The CHAT bit of a field, a verification or RestrictedID. */
export function bitOf(right: string): number {
  if (right === 'restrictedId') return SPECIAL_FUNCTIONS.restrictedIdentification;
  if (isFieldId(right)) return readBitOfField(right);
  if (isFunctionId(right)) return bitOfFunction(right);
  throw new Error(`no CHAT bit for ${right}`);
}

const without = (chat: Buffer | undefined, bits: ReadonlySet<number>): Buffer | undefined => {
  if (!chat) return undefined;
  const c = Chat.decode(parseTlv(chat));
  return Chat.forRole(
    'terminal',
    c.bits().filter((b) => !bits.has(b)),
    c.terminalType,
  ).encode();
};

export interface EidOptions {
  readonly pin?: string;
  readonly accept?: boolean;
  /** Optional rights the citizen deselects (a compliant client's consent). */
  readonly deselect?: readonly string[];
  /** Rights withheld from the RequiredCHAT as well: PACE and EAC1OutputType carry the CHAT without them. */
  readonly withhold?: readonly string[];
  /** A man in the middle on the card's answers. */
  readonly wrapCard?: (card: CardTransport) => CardTransport;
  /** Sees what the server sent in EAC1InputType. */
  readonly onEac1Input?: (input: Eac1Input) => void;
  /** Alters what the client reports in EAC1OutputType / EAC2OutputType. */
  readonly eac1?: (out: Eac1Output) => Eac1Output | Promise<Eac1Output>;
  readonly eac2?: (out: Eac2Output) => Eac2Output | Promise<Eac2Output>;
}

class ConformanceClient extends EacClient {
  constructor(
    card: CardTransport,
    private readonly eid: EidOptions,
  ) {
    super({
      card,
      consent: async () => ({
        accept: eid.accept ?? true,
        deselect: [...(eid.deselect ?? [])],
        pin: eid.pin ?? '123456',
      }),
    });
  }

  override async eac1(input: Eac1Input, tcTokenUrl: string, seen: readonly SeenCertificate[]) {
    this.eid.onEac1Input?.(input);
    const bits = new Set((this.eid.withhold ?? []).map(bitOf));
    const requiredChat = without(input.requiredChat, bits);
    const optionalChat = without(input.optionalChat, bits);
    const narrowed: Eac1Input = {
      ...input,
      ...(requiredChat ? { requiredChat } : {}),
      ...(optionalChat ? { optionalChat } : {}),
    };
    const out = await super.eac1(narrowed, tcTokenUrl, seen);
    return this.eid.eac1 ? this.eid.eac1(out) : out;
  }

  override async eac2(input: Eac2Input) {
    const out = await super.eac2(input);
    return this.eid.eac2 ? this.eid.eac2(out) : out;
  }
}

/** One online authentication from `tcTokenUrl` with the card of `cardFile`. */
export async function runEid(
  tcTokenUrl: string,
  cardFile: string,
  o: EidOptions = {},
): Promise<OnlineAuthenticationOutcome> {
  const vc = VirtualCard.fromFile(cardFile, { persist: true });
  vc.reset();
  return runOnlineAuthentication(tcTokenUrl, new ConformanceClient(o.wrapCard ? o.wrapCard(vc) : vc, o));
}

/**
 * StartPAOS for the session of `tcTokenUrl` sent over a TLS connection of its own, not the one
 * that fetched the TC Token (follows one redirect, as from /saml/tctoken). In attached mode the
 * server must refuse it (TR-03130-4 C1_1_13, C1_1_14). Returns the token and the server's answer.
 */
export async function startPaosElsewhere(tcTokenUrl: string): Promise<{ token: TcToken; answer: string }> {
  let r = await httpsCall(new URL(tcTokenUrl), {});
  if (r.status === 303 || r.status === 302)
    r = await httpsCall(new URL(String(r.headers.location), tcTokenUrl), {});
  const token = parseTcToken(r.body);
  const start = buildStartPaos(
    {
      sessionIdentifier: token.sessionIdentifier,
      connectionHandle: { cardApplication: 'E80704007F00070302', slotHandle: '00' },
      supportedApiVersions: ['1.1.5'],
    },
    newMessageId(),
  );
  const answer = await httpsCall(new URL(token.serverAddress), {
    method: 'POST',
    body: start,
    headers: { 'content-type': 'application/vnd.paos+xml', requestid: token.sessionIdentifier },
  });
  return { token, answer: answer.body.toString() };
}

/** A direct session of the demo eService (config/relying-parties.yaml) for the cases of module C. */
export const demoRequest = (web: string, o: Partial<AuthRequest> = {}): AuthRequest => ({
  eServiceId: 'demo-portal',
  frontEnd: 'saml',
  required: ['chineseName', 'dateOfBirth'],
  optional: [],
  ageVerification: { age: 18, required: true },
  channel: 'psk',
  refreshAddress: `${web}/done`,
  ...o,
});
