/**
 * The browser and eID-Client steps of a SAML login in tests: the browser
 * brings the AuthnRequest to the IdP and gets the activation page; the
 * in-process eID-Client with a virtual card runs the online authentication
 * from the page's tcTokenURL; the browser follows the client's redirect (with
 * the binding cookie of the activation response) and receives the
 * auto-submitting form for the ACS.
 */
import { VirtualCard } from '../../../../src/card/virtual-card.js';
import { EacClient } from '../../../../src/client/eac-client.js';
import {
  type OnlineAuthenticationOutcome,
  runOnlineAuthentication,
} from '../../../../src/client/paos-client.js';
import { type Browser, formOf, type Page, tcTokenUrlOf } from './browser.js';

export interface EidOptions {
  readonly pin?: string;
  readonly deselect?: readonly string[];
  readonly accept?: boolean;
}

export async function runEid(
  tcTokenUrl: string,
  cardFile: string,
  o: EidOptions = {},
): Promise<OnlineAuthenticationOutcome> {
  const card = VirtualCard.fromFile(cardFile, { persist: true });
  card.reset();
  const eac = new EacClient({
    card,
    consent: async () => ({
      accept: o.accept ?? true,
      deselect: [...(o.deselect ?? [])],
      pin: o.pin ?? '123456',
    }),
  });
  return runOnlineAuthentication(tcTokenUrl, eac);
}

export interface CompletedLogin {
  readonly activation: Page;
  readonly outcome: OnlineAuthenticationOutcome;
  readonly final: Page;
  readonly form: { action: string; fields: Record<string, string> };
}

/** From the activation page to the ACS form. */
export async function completeLogin(
  browser: Browser,
  activation: Page,
  cardFile: string,
  o: EidOptions = {},
): Promise<CompletedLogin> {
  const outcome = await runEid(tcTokenUrlOf(activation), cardFile, o);
  if (!outcome.redirectUrl) throw new Error(`the eID-Client gave no redirect: ${outcome.error?.message}`);
  const final = await browser.get(outcome.redirectUrl);
  return { activation, outcome, final, form: formOf(final) };
}
