/**
 * The citizen's side of an OIDC login: the in-process eID-Client with a
 * virtual card, started from the activation page like a browser would, and
 * the browser's return to the server.
 */
import { VirtualCard } from '../../../../src/card/virtual-card.js';
import type { ConsentRequest } from '../../../../src/client/consent.js';
import { EacClient } from '../../../../src/client/eac-client.js';
import type { SeenCertificate } from '../../../../src/client/network.js';
import { runOnlineAuthentication } from '../../../../src/client/paos-client.js';
import type { Eac1Input, Eac1Output } from '../../../../src/paos/messages/eac1.js';
import { Chat } from '../../../../src/pki/cvc/chat.js';
import { parseTlv } from '../../../../src/tlv/tlv.js';
import { type Browser, tcTokenUrlOf } from './http.js';

/**
 * An eID-Client that lets the citizen withhold required rights too (not a
 * compliant client: TR-03112-7 §3.6.4.1) — how a citizen "withholds an
 * essential claim" in a test.
 */
class PermissiveClient extends EacClient {
  override eac1(input: Eac1Input, tcTokenUrl: string, seen: readonly SeenCertificate[]): Promise<Eac1Output> {
    if (!input.requiredChat) return super.eac1(input, tcTokenUrl, seen);
    const req = Chat.decode(parseTlv(input.requiredChat));
    const opt = input.optionalChat ? Chat.decode(parseTlv(input.optionalChat)) : undefined;
    const all = Chat.forRole(
      'terminal',
      [...new Set([...req.bits(), ...(opt?.bits() ?? [])])],
      req.terminalType,
    );
    const { requiredChat: _r, ...rest } = input;
    return super.eac1({ ...rest, optionalChat: all.encode() }, tcTokenUrl, seen);
  }
}

export interface CitizenChoice {
  readonly accept?: boolean;
  /** Field or function names the citizen withholds. */
  readonly deselect?: readonly string[];
  /** Withhold even required rights (a non-compliant client). */
  readonly permissive?: boolean;
  readonly pin?: string;
}

export interface EidRun {
  readonly consent?: ConsentRequest;
  /** Where the browser ends up after the eID-Client's redirect (the relying party's callback, or an error). */
  readonly callback?: string;
  readonly final: { url: string; status: number; body: string; location?: string };
}

/** Runs the eID part from the activation page and follows the browser back until `stopAt`. */
export async function runEid(
  browser: Browser,
  activationPage: string,
  cardFile: string,
  stopAt: string,
  choice: CitizenChoice = {},
): Promise<EidRun> {
  const card = VirtualCard.fromFile(cardFile, { persist: true });
  card.reset();
  let seen: ConsentRequest | undefined;
  const opts = {
    card,
    consent: async (req: ConsentRequest) => {
      seen = req;
      return {
        accept: choice.accept ?? true,
        deselect: [...(choice.deselect ?? [])],
        pin: choice.pin ?? '123456',
      };
    },
  };
  const eac = choice.permissive ? new PermissiveClient(opts) : new EacClient(opts);
  const outcome = await runOnlineAuthentication(tcTokenUrlOf(activationPage), eac);
  if (!outcome.redirectUrl) throw new Error(`the eID-Client gave no redirect: ${outcome.error?.message}`);
  const final = await browser.navigate(outcome.redirectUrl, stopAt);
  return {
    ...(seen ? { consent: seen } : {}),
    ...(final.location ? { callback: final.location } : {}),
    final,
  };
}
