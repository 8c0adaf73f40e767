/**
 * The card-facing half of the eID-Client (TR-03112-7 §3.6.4, in the order
 * AusweisApp uses): EAC1 — checks, consent, the card, PACE with PIN1 (and
 * the PIN dialogue of pin-dialogue.ts) and the chosen CHAT, GET CHALLENGE;
 * EAC2 — certificate chain, Terminal Authentication, EF.CardSecurity, Chip
 * Authentication; then Transmit batches relayed verbatim (the card and the
 * server speak secure messaging end to end).
 */
import type { CardTransport } from '../apdu/transport.js';
import { type AuxiliaryDataItem, decodeAuxiliaryData } from '../eac/aux-data.js';
import { chipAuthenticate, compressPoint } from '../eac/ca.js';
import { chooseChipAuthentication, decodeCardAccess, decodeCardSecurity } from '../eac/card-access.js';
import { PlainChannel, SmChannel } from '../eac/channel.js';
import { EacError } from '../eac/errors.js';
import { readCardAccess, readCardSecurity } from '../eac/files.js';
import type { PaceResult } from '../eac/pace.js';
import { authenticateTerminal, presentCertificateChain, requestChallenge } from '../eac/ta.js';
import type { Eac1Input, Eac1Output } from '../paos/messages/eac1.js';
import type { Eac2Input, Eac2Output } from '../paos/messages/eac2.js';
import { type InputApdu, isAcceptable } from '../paos/messages/transmit.js';
import { RESULT_MINOR } from '../paos/result.js';
import { CvCertificate } from '../pki/cvc/certificate.js';
import { Chat } from '../pki/cvc/chat.js';
import { CvcError } from '../pki/cvc/errors.js';
import { parseTlv } from '../tlv/tlv.js';
import { checkEserviceCertificates, type EserviceCertificates } from './checks.js';
import { type ConsentUi, chosenChat, rightsOf } from './consent.js';
import { ClientError, ended } from './errors.js';
import type { SeenCertificate } from './network.js';
import { type PinUi, paceWithPin } from './pin-dialogue.js';

export interface EacClientOptions {
  readonly card: CardTransport;
  readonly consent: ConsentUi;
  /** The CAN, to resume a suspended PIN1 (TR-03110-2 §3.5.1). */
  readonly can?: string;
  /**
   * The card is looked for after consent, as a reader application asks for it (card-source.ts
   * CardSlot); throws when there is none.
   */
  readonly insertCard?: () => Promise<void>;
  /** The dialogue after a failed PIN entry or a missing card; without it the first failure is final. */
  readonly dialogue?: PinUi;
}

export class EacClient {
  private certs: CvCertificate[] = [];
  private eservice?: EserviceCertificates;
  private auxData?: Buffer;
  private paceResult?: PaceResult;
  private channel?: SmChannel;
  private cardAccess?: Buffer;

  constructor(private readonly o: EacClientOptions) {}

  get eServiceDescription() {
    return this.eservice?.description;
  }

  get descriptionHash() {
    return this.eservice?.dv.hash ?? 'sha256';
  }

  async eac1(input: Eac1Input, tcTokenUrl: string, seen: readonly SeenCertificate[]): Promise<Eac1Output> {
    try {
      this.certs = input.certificates.map((c) => CvCertificate.decode(c));
    } catch (e) {
      if (e instanceof CvcError)
        throw new ClientError(
          'clientError',
          `bad certificate in EAC1: ${e.message}`,
          RESULT_MINOR.invalidCertificatePath,
        );
      throw e;
    }
    this.eservice = checkEserviceCertificates(this.certs, input.certificateDescription, tcTokenUrl, seen);
    const required = input.requiredChat ? Chat.decode(parseTlv(input.requiredChat)) : undefined;
    const optional = input.optionalChat ? Chat.decode(parseTlv(input.optionalChat)) : undefined;
    if (!required && !optional)
      throw new ClientError('clientError', 'EAC1 requests no access rights', RESULT_MINOR.parameterError);
    const decision = await this.o.consent({
      description: this.eservice.description,
      terminalChr: this.eservice.terminal.chr,
      validFrom: this.eservice.terminal.effectiveDate,
      validTo: this.eservice.terminal.expirationDate,
      approved: rightsOf(this.eservice.terminal.chat),
      required: rightsOf(required),
      optional: rightsOf(optional),
      auxiliaryData: auxiliaryDataOf(input.authenticatedAuxiliaryData),
      ...(input.transactionInfo ? { transactionInfo: input.transactionInfo } : {}),
    });
    if (!decision.accept) throw ended.cancelled('the citizen declined');
    const chat = chosenChat(required, optional, decision.deselect);
    this.auxData = input.authenticatedAuxiliaryData;

    await this.insertCard();
    const cardAccess = await readCardAccess(this.o.card).catch((e) => {
      throw cardError(e, 'reading EF.CardAccess');
    });
    this.cardAccess = cardAccess;
    this.paceResult = await paceWithPin({
      card: this.o.card,
      cardAccess,
      chat,
      pin: decision.pin,
      ...(this.o.can ? { can: this.o.can } : {}),
      ...(this.o.dialogue ? { ui: this.o.dialogue } : {}),
    });
    this.channel = new SmChannel(this.o.card, this.paceResult.sm);
    const challenge = await requestChallenge(this.channel).catch((e) => {
      throw cardError(e, 'GET CHALLENGE');
    });
    return {
      chat: chat.encode(),
      cars: this.paceResult.cars,
      efCardAccess: cardAccess,
      idPicc: this.paceResult.idPicc,
      challenge,
    };
  }

  /** The card, after consent; with a dialogue the citizen may insert it and retry, or give up. */
  private async insertCard(): Promise<void> {
    const insert = this.o.insertCard;
    if (!insert) return;
    for (let round = 0; ; round++) {
      try {
        return await insert();
      } catch (e) {
        const err = e instanceof ClientError ? e : ended.noCard((e as Error).message);
        if (!this.o.dialogue || round >= 32) throw err;
        const answer = await this.o.dialogue({ kind: 'card', reason: err.message });
        if (answer.cancel) throw err;
      }
    }
  }

  async eac2(input: Eac2Input): Promise<Eac2Output> {
    const ch = this.channel;
    const p = this.paceResult;
    const es = this.eservice;
    if (!ch || !p || !es)
      throw new ClientError('clientError', 'EAC2 before EAC1', RESULT_MINOR.parameterError);
    try {
      const extra = input.certificates
        .map((c) => CvCertificate.decode(c))
        .filter((c) => c.role !== 'terminal');
      const all = [...extra, ...this.certs];
      // Order the chain from the card's trust point down to the terminal certificate.
      const ordered = orderChain(all, es.terminal);
      await presentCertificateChain(ch, ordered, { cardCars: p.cars });
      // The ephemeral key lives on the Chip Authentication domain parameters of EF.CardAccess.
      const caParams = chooseChipAuthentication(decodeCardAccess(this.cardAccess!));
      const ephemeral = input.ephemeralPublicKey;
      await authenticateTerminal(
        ch,
        {
          terminalChr: es.terminal.chr,
          algorithm: es.terminal.publicKey.algorithm,
          ephemeralCompressed: compressPoint(caParams.curve, ephemeral),
          ...(this.auxData ? { auxData: this.auxData } : {}),
        },
        input.signature,
      );
      const efCardSecurity = await readCardSecurity(ch);
      const ca = chooseChipAuthentication(decodeCardSecurity(efCardSecurity));
      const r = await chipAuthenticate(ch, {
        protocol: ca.protocol,
        ...(ca.keyId === undefined ? {} : { keyId: ca.keyId }),
        ephemeralPoint: ephemeral,
      });
      // From here on the card talks secure messaging with the server's Chip Authentication keys.
      this.channel = undefined;
      return { efCardSecurity, authenticationToken: r.token, nonce: r.nonce };
    } catch (e) {
      throw cardError(e, 'Terminal/Chip Authentication');
    }
  }

  /** Relays a Transmit batch; stops at the first unacceptable status word (TR-03112-6 §3.5.1). */
  async transmit(apdus: readonly InputApdu[]): Promise<Buffer[]> {
    const out: Buffer[] = [];
    for (const a of apdus) {
      const r = await this.o.card.transmit(a.apdu).catch((e) => {
        throw e instanceof ClientError
          ? e
          : ended.noCard(`the card was removed or stopped answering: ${(e as Error).message}`);
      });
      out.push(r);
      const sw = r.length >= 2 ? r.readUInt16BE(r.length - 2) : 0;
      if (!isAcceptable(sw, a.acceptable)) break;
    }
    return out;
  }
}

/** What the card will be asked to verify (shown to the citizen, TR-03124-1 §3.8). */
function auxiliaryDataOf(raw: Buffer | undefined): AuxiliaryDataItem[] {
  if (!raw) return [];
  try {
    return decodeAuxiliaryData(raw);
  } catch (e) {
    throw new ClientError(
      'clientError',
      `unreadable AuthenticatedAuxiliaryData: ${(e as Error).message}`,
      RESULT_MINOR.parameterError,
    );
  }
}

function orderChain(certs: readonly CvCertificate[], terminal: CvCertificate): CvCertificate[] {
  const byChr = new Map(certs.map((c) => [c.chr, c]));
  const chain: CvCertificate[] = [terminal];
  let cur = terminal;
  for (let i = 0; i < 8; i++) {
    const issuer = byChr.get(cur.car);
    if (!issuer || issuer === cur || issuer.isSelfSigned) break;
    chain.unshift(issuer);
    cur = issuer;
  }
  return chain;
}

/** Card and EAC failures (outside the PIN dialogue) as the client reports them to the server and the browser. */
export function cardError(e: unknown, step: string): ClientError {
  if (e instanceof ClientError) return e;
  if (e instanceof EacError)
    return new ClientError('clientError', `${step}: ${e.message}`, RESULT_MINOR.internalError);
  return ended.noCard(`${step}: the card stopped answering: ${(e as Error).message}`);
}

export { PlainChannel };
