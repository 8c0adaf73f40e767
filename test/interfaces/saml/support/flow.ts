/**
 * The browser and eID-Client steps of a SAML login in tests: the browser
 * brings the AuthnRequest to the IdP and gets the activation page; the
 * in-process eID-Client with a virtual card runs the online authentication
 * from the page's tcTokenURL; the browser follows the client's redirect (with
 * the binding cookie of the activation response) and receives the
 * auto-submitting form for the ACS.
 */
import type { OnlineAuthenticationOutcome } from '../../../../src/client/paos-client.js';
import { runEid } from '../../../conformance/support/eid-client.js';
import { type Browser, formOf, type Page, tcTokenUrlOf } from './browser.js';

// The in-process eID-Client with a virtual card (also what the conformance suite drives).
export { type EidOptions, runEid } from '../../../conformance/support/eid-client.js';

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
  o: Parameters<typeof runEid>[2] = {},
): Promise<CompletedLogin> {
  const outcome = await runEid(tcTokenUrlOf(activation), cardFile, o);
  if (!outcome.redirectUrl) throw new Error(`the eID-Client gave no redirect: ${outcome.error?.message}`);
  const final = await browser.get(outcome.redirectUrl);
  return { activation, outcome, final, form: formOf(final) };
}
