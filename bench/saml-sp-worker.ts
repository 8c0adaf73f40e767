/**
 * Everything of a SAML login that is not the server, for bench/saml-login.ts,
 * in its own process so that the server's CPU time is measured alone: the SP
 * `demo-portal` (src/interfaces/saml/sp-client.ts with its DEMO keys from
 * metadata/demo-portal/), a minimal browser with a cookie jar, and the
 * eID-Client with a virtual card.
 *
 * Protocol (JSON lines): the first line from stdin is `{ web, pkiDir, extension }`;
 * then each line `{ card }` runs one login: signed HTTP-Redirect AuthnRequest →
 * activation page → online authentication from its tcTokenURL → the browser
 * follows the client's redirect to /eid/return/<ref> with the binding cookie →
 * auto-submit form → readLoginResponse (signature, decryption, every SP
 * check). Answers `{ ok: true, attributes, assertion }` (the decrypted signed Assertion
 * XML) or `{ ok: false, error }`.
 */
import { createInterface } from 'node:readline';
import { VirtualCard } from '../src/card/virtual-card.js';
import { EacClient } from '../src/client/eac-client.js';
import { runOnlineAuthentication } from '../src/client/paos-client.js';
import { INBOUND } from '../src/interfaces/saml/algorithms.js';
import { decryptEncryptedData } from '../src/interfaces/saml/crypto/xmlenc-decrypt.js';
import { NS } from '../src/interfaces/saml/namespaces.js';
import {
  type ExtensionAttribute,
  loginRequestUrl,
  readLoginResponse,
  type SpClientConfig,
} from '../src/interfaces/saml/sp-client.js';
import { elementChildren, requireChild } from '../src/xml/dom.js';
import { parseXml } from '../src/xml/parse.js';
import { Browser, formOf, tcTokenUrlOf } from '../test/interfaces/saml/support/browser.js';
import { demoSpConfig, SP_ACS } from './demo-sp.js';

interface Setup {
  readonly web: string;
  readonly pkiDir: string;
  readonly extension: boolean;
}

/** With `extension`: the TR-03130 EncryptedAuthnRequestExtension instead of the metadata's AttributeConsumingService. */
const REQUESTED: readonly ExtensionAttribute[] = [
  { name: 'urn:tw:neid:attribute:ChineseName' },
  { name: 'urn:tw:neid:attribute:RomanizedName', required: false },
  { name: 'DateOfBirth' },
  { name: 'Sex', required: false },
  { name: 'PlaceOfResidence', required: false },
  { name: 'urn:tw:neid:attribute:Photo', required: false },
  { name: 'AgeVerification', value: 18, required: false },
];

const spConfig = (s: Setup): SpClientConfig => demoSpConfig(s.web, s.pkiDir);

/**
 * The signed Assertion inside the (already verified) Response, for the
 * benchmark's breakdown of response generation. Decrypted again because
 * readLoginResponse keeps it to itself.
 */
function signedAssertion(c: SpClientConfig, samlResponse: string): string {
  const response = parseXml(Buffer.from(samlResponse, 'base64')).documentElement!;
  const enc = requireChild(response, NS.saml, 'EncryptedAssertion');
  return decryptEncryptedData(
    requireChild(enc, NS.xenc, 'EncryptedData'),
    elementChildren(enc, NS.xenc, 'EncryptedKey'),
    c.decryptionKey,
    INBOUND['tr-03116-4'],
  ).toString('utf8');
}

async function login(s: Setup, c: SpClientConfig, cardFile: string) {
  const browser = new Browser();
  const req = loginRequestUrl(c, { relayState: 'bench', ...(s.extension ? { requested: REQUESTED } : {}) });
  const activation = await browser.get(req.url);
  if (activation.status !== 200) throw new Error(`SSO answered HTTP ${activation.status}`);
  const tcTokenUrl = tcTokenUrlOf(activation);
  const card = VirtualCard.fromFile(cardFile);
  card.reset();
  const eac = new EacClient({ card, consent: async () => ({ accept: true, deselect: [], pin: '123456' }) });
  const outcome = await runOnlineAuthentication(tcTokenUrl, eac);
  if (!outcome.ok || !outcome.redirectUrl)
    throw new Error(`online authentication failed: ${outcome.error?.message ?? 'no redirect'}`);
  if (!outcome.redirectUrl.startsWith(`${s.web}/eid/return/`))
    throw new Error(`unexpected RefreshAddress ${outcome.redirectUrl}`);
  const final = await browser.get(outcome.redirectUrl);
  const form = formOf(final);
  if (form.action !== SP_ACS) throw new Error(`the form posts to ${form.action}, not the ACS`);
  const r = readLoginResponse(c, form.fields, req.id);
  if (!r.ok) throw new Error(`SAML status ${r.statusCodes.join(' / ')}: ${r.message ?? ''}`);
  if (r.relayState !== 'bench') throw new Error('RelayState lost');
  if (!r.attributes.get('urn:tw:neid:attribute:ChineseName')?.values[0])
    throw new Error(`no ChineseName among ${[...r.attributes.keys()].join(', ')}`);
  return { attributes: r.attributes.size, assertion: signedAssertion(c, form.fields.SAMLResponse!) };
}

const rl = createInterface({ input: process.stdin });
let setup: Setup | undefined;
let config: SpClientConfig | undefined;
for await (const line of rl) {
  if (!line.trim()) continue;
  const msg = JSON.parse(line) as Partial<Setup> & { card?: string };
  if (!setup) {
    setup = msg as Setup;
    config = spConfig(setup);
    continue;
  }
  try {
    const r = await login(setup, config!, msg.card!);
    process.stdout.write(`${JSON.stringify({ ok: true, ...r })}\n`);
  } catch (e) {
    process.stdout.write(`${JSON.stringify({ ok: false, error: (e as Error).message })}\n`);
  }
}
