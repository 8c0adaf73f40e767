/**
 * The card-facing half of the eID-Client (TR-03112-7 §3.6.4, in the order
 * AusweisApp uses): EAC1 — checks, consent, PACE with PIN1 and the chosen
 * CHAT, GET CHALLENGE; EAC2 — certificate chain, Terminal Authentication,
 * EF.CardSecurity, Chip Authentication; then Transmit batches relayed
 * verbatim (the card and the server speak secure messaging end to end).
 */
import type { CardTransport } from '../apdu/transport.js';
import { chipAuthenticate, compressPoint } from '../eac/ca.js';
import { chooseChipAuthentication, decodeCardAccess, decodeCardSecurity } from '../eac/card-access.js';
import { PlainChannel, SmChannel } from '../eac/channel.js';
import { EacError } from '../eac/errors.js';
import { readCardAccess, readCardSecurity } from '../eac/files.js';
import { type PaceResult, pace } from '../eac/pace.js';
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
import { ClientError } from './errors.js';
import type { SeenCertificate } from './network.js';

export interface EacClientOptions {
  readonly card: CardTransport;
  readonly consent: ConsentUi;
  /** The CAN, to resume a suspended PIN1 (TR-03110-2 §3.5.1). */
  readonly can?: string;
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
      required: rightsOf(required),
      optional: rightsOf(optional),
      ...(input.transactionInfo ? { transactionInfo: input.transactionInfo } : {}),
    });
    if (!decision.accept)
      throw new ClientError('cancellationByUser', 'the citizen declined', RESULT_MINOR.cancellationByUser);
    const chat = chosenChat(required, optional, decision.deselect);
    this.auxData = input.authenticatedAuxiliaryData;

    const cardAccess = await readCardAccess(this.o.card).catch((e) => {
      throw cardError(e, 'reading EF.CardAccess');
    });
    this.cardAccess = cardAccess;
    this.paceResult = await this.paceWithPin(decision.pin, chat, cardAccess);
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

  private async paceWithPin(pin: string, chat: Chat, cardAccess: Buffer): Promise<PaceResult> {
    try {
      return await pace(this.o.card, { password: pin, passwordRef: 'pin', chat, cardAccess });
    } catch (e) {
      if (e instanceof EacError && e.code === 'password-suspended' && this.o.can) {
        // PIN1 is suspended: PACE with the CAN first, then PIN1 inside that channel.
        const withCan = await pace(this.o.card, {
          password: this.o.can,
          passwordRef: 'can',
          cardAccess,
        }).catch((x) => {
          throw cardError(x, 'PACE with the CAN');
        });
        return pace(this.o.card, {
          password: pin,
          passwordRef: 'pin',
          chat,
          cardAccess,
          channel: new SmChannel(this.o.card, withCan.sm),
        }).catch((x) => {
          throw cardError(x, 'PACE with PIN1');
        });
      }
      throw cardError(e, 'PACE with PIN1');
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
        throw new ClientError(
          'clientError',
          `card communication failed: ${(e as Error).message}`,
          RESULT_MINOR.communicationError,
        );
      });
      out.push(r);
      const sw = r.length >= 2 ? r.readUInt16BE(r.length - 2) : 0;
      if (!isAcceptable(sw, a.acceptable)) break;
    }
    return out;
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

/** Card and EAC failures as the client reports them to the server and the browser. */
export function cardError(e: unknown, step: string): ClientError {
  if (e instanceof ClientError) return e;
  if (e instanceof EacError) {
    const left = e.retriesLeft;
    switch (e.code) {
      case 'wrong-password':
        return new ClientError(
          'cancellationByUser',
          `${step}: wrong PIN${left !== undefined ? ` (${left} attempt(s) left)` : ''}`,
          RESULT_MINOR.securityConditionsNotSatisfied,
        );
      case 'password-suspended':
        return new ClientError(
          'cancellationByUser',
          `${step}: PIN1 is suspended; enter the CAN to resume it`,
          RESULT_MINOR.securityConditionsNotSatisfied,
        );
      case 'password-blocked':
        return new ClientError(
          'cancellationByUser',
          `${step}: PIN1 is blocked; unblock it with the user code`,
          RESULT_MINOR.noPermission,
        );
      default:
        return new ClientError('clientError', `${step}: ${e.message}`, RESULT_MINOR.internalError);
    }
  }
  return new ClientError('clientError', `${step}: ${(e as Error).message}`, RESULT_MINOR.internalError);
}

export { PlainChannel };
