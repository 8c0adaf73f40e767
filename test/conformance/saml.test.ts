/**
 * TR-03130-4 module B (the SAML interface, TR-03130-1 §4): the eService's
 * AuthnRequest (EncryptedAuthnRequestExtension, HTTP-Redirect, signed) is
 * brought by the eID-Client to /saml/tctoken; the eID-Client runs the online
 * authentication with a virtual card; the Response comes back to the ACS over
 * HTTP-Redirect and is checked with independent code (node:crypto,
 * xml-encryption). B1_1–B1_3 and B2 run with the TLS-PSK channel, B1_4–B1_6
 * with the PSK listener off (attached mode, TR-03124-1 §2.4). The New eID
 * attribute of each German one: support/operations.ts.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { revocationAdd } from '../../src/cli/commands/revocation.js';
import type { OperationId } from '../../src/interfaces/soap/operations.js';
import { parseTcToken } from '../../src/paos/messages/tctoken.js';
import { RESULT_MINOR } from '../../src/paos/result.js';
import { FIELD_IDS } from '../../src/profile/fields.js';
import { Browser, formOf } from '../interfaces/saml/support/browser.js';
import {
  ecKey,
  type KeyPair,
  keyPair,
  spRsaEncryptionKey,
  spRsaSigningKey,
  startSamlServer,
} from '../interfaces/saml/support/idp.js';
import { newId, requestXml } from '../interfaces/saml/support/requests.js';
import {
  ageValue,
  authnRequestExtension,
  decryptAssertion,
  encryptExtension,
  idpCertificates,
  pemOf,
  placeValue,
  type Requested,
  readRedirectResponse,
  signedRedirect,
} from '../interfaces/saml/support/tr03130.js';
import { writeTestCard } from '../support/card.js';
import type { Signer } from './support/cards.js';
import { type EidOptions, runEid, startPaosElsewhere } from './support/eid-client.js';
import { NON_AUTHENTIC } from './support/non-authentic.js';
import { AGE, companionOf, label, OPERATIONS, PLACE, samlNameOf } from './support/operations.js';
import { drop, hook, inMessage, twice } from './support/paos-tamper.js';
import { revokedDocumentSigner } from './support/pki.js';

vi.mock('../../src/client/network.js', async (original) =>
  (await import('./support/paos-tamper.js')).tamperingNetwork(original),
);

const STATUS_PREFIX = 'urn:oasis:names:tc:SAML:2.0:status:';
const SP = {
  tr: { entity: 'https://tr.example/metadata', acs: 'https://tr.example/acs' },
  rsa: { entity: 'https://tr-rsa.example/metadata', acs: 'https://tr-rsa.example/acs' },
  none: { entity: 'https://tr-none.example/metadata', acs: 'https://tr-none.example/acs' },
  legacy: { entity: 'https://legacy.example/metadata', acs: 'https://legacy.example/acs' },
} as const;
type SpName = keyof typeof SP;
/** A second, non-default ACS every test SP registers (path appended to its ACS URL). */
const ALT_ACS = '/alt';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

interface RequestOptions {
  readonly sp?: SpName;
  /** samlp:Extensions content instead of the encrypted extension of `attrs`. */
  readonly extensions?: string;
  readonly sigAlg?: string;
  /** The extension's content encryption algorithm. */
  readonly encryption?: string;
  /** A registered ACS path other than the default (ALT_ACS), or any URL. */
  readonly acs?: string;
  readonly acsUrl?: string;
  /** Alters the AuthnRequest XML before it is signed. */
  readonly edit?: (xml: string) => string;
}

/** One IdP with the test SPs: all fields for `tr` and `rsa`, nothing for `none`, the legacy set for `legacy`. */
async function samlTestbed(attached: boolean) {
  const ec = keyPair(ecKey(), 'TR SP signing');
  const rsa = keyPair(spRsaSigningKey(), 'TR SP signing (RSA)');
  const enc = keyPair(spRsaEncryptionKey(), 'TR SP encryption');
  const sp = (name: SpName, signing: KeyPair, mnemonic: string, o: object = {}) => ({
    id: `${name}-sp`,
    mnemonic,
    approvedFields: name === 'none' ? [] : FIELD_IDS,
    approvedFunctions: name === 'none' ? [] : ['ageVerification', 'placeVerification'],
    saml: name === 'legacy' ? { algorithms: 'legacy' as const } : {},
    metadata: {
      entityId: SP[name].entity,
      signingCertificate: signing.cert,
      encryptionCertificate: enc.cert,
      acs: [
        { binding: 'redirect' as const, location: SP[name].acs, index: 0, isDefault: true },
        { binding: 'post' as const, location: SP[name].acs, index: 1 },
        { binding: 'redirect' as const, location: `${SP[name].acs}${ALT_ACS}`, index: 2 },
      ],
    },
    ...o,
  });
  let revokedDs: Signer | undefined;
  const server = await startSamlServer(
    [sp('tr', ec, 'TRSP'), sp('rsa', rsa, 'TRRSA'), sp('none', ec, 'TRNONE'), sp('legacy', rsa, 'TRLEG')],
    {
      ...(attached ? { extra: { psk: { enabled: false } } } : {}),
      beforeStart: (dir: string) => {
        revokedDs = revokedDocumentSigner(dir);
      },
    },
  );
  const certs = idpCertificates(server.idpMetadata);
  const card = writeTestCard(server.ts.pkiDir);
  const signingOf = (name: SpName) => (name === 'tr' || name === 'none' ? ec : rsa);

  /** The signed Redirect URL of an AuthnRequest to /saml/tctoken. */
  async function request(attrs: readonly Requested[] | undefined, o: RequestOptions = {}) {
    const name = o.sp ?? 'tr';
    const extensions =
      o.extensions ??
      (attrs
        ? await encryptExtension(authnRequestExtension(attrs), pemOf(certs.encryption[0]!), o.encryption)
        : undefined);
    const acs = o.acsUrl ?? (o.acs ? `${SP[name].acs}${o.acs}` : undefined);
    const xml = requestXml({
      id: newId(),
      issuer: SP[name].entity,
      destination: server.idp.tcTokenUrl,
      ...(extensions !== undefined ? { extensions } : {}),
      ...(acs ? { attrs: `AssertionConsumerServiceURL="${acs}" ProtocolBinding="${REDIRECT}"` } : {}),
    });
    return signedRedirect(
      server.idp.tcTokenUrl,
      o.edit ? o.edit(xml) : xml,
      signingOf(name).key,
      'state',
      o.sigAlg,
    );
  }

  /** eID-Client: AuthnRequest → TC Token → EAC → RefreshAddress → the Response at the ACS. */
  async function login(
    attrs: readonly Requested[],
    eid: EidOptions = {},
    o: RequestOptions & { cardFile?: string } = {},
  ) {
    const outcome = await runEid(await request(attrs, o), o.cardFile ?? card.file, eid);
    expect(outcome.redirectUrl, outcome.error?.message).toMatch(/\/saml\/refresh\//);
    const back = await new Browser().get(outcome.redirectUrl!);
    const acs = `${SP[o.sp ?? 'tr'].acs}${o.acs ?? ''}`;
    let r: { xml: string; sigAlg?: string };
    if (back.status === 200) {
      // Too long for a URL (a photo): HTTP-POST to the same ACS location (docs/saml-idp.md §3.1).
      const form = formOf(back);
      expect(form.action).toBe(acs);
      r = { xml: Buffer.from(form.fields.SAMLResponse!, 'base64').toString('utf8') };
    } else {
      expect(back.status, back.body.slice(0, 200)).toBe(303);
      const location = String(back.headers.location);
      expect(location.startsWith(`${acs}?SAMLResponse=`)).toBe(true);
      r = readRedirectResponse(location, certs.signing);
    }
    const codes = [...r.xml.matchAll(/<samlp:StatusCode Value="([^"]+)"/g)].map((m) => m[1]!);
    const assertion = r.xml.includes('EncryptedAssertion')
      ? await decryptAssertion(r.xml, enc.keyPem)
      : undefined;
    return { ...r, codes, assertion, outcome };
  }

  /** A request the IdP must refuse at /saml/tctoken: HTTP 400, no TC Token. */
  async function refused(url: string) {
    const page = await new Browser().get(url);
    expect(page.status).toBe(400);
    expect(page.headers.location).toBeUndefined();
    expect(page.body).not.toContain('TCTokenType');
    return page;
  }

  return { server, card, revokedDs: revokedDs!, request, login, refused, close: () => server.ts.close() };
}

type Bed = Awaited<ReturnType<typeof samlTestbed>>;

/** The requested attribute of an operation (with the comparison value of a verification). */
function requested(op: OperationId, required: boolean | undefined): Requested {
  const value =
    op === 'ageVerification' ? ageValue(AGE) : op === 'placeVerification' ? placeValue(PLACE) : undefined;
  return {
    name: samlNameOf(op),
    ...(required === undefined ? {} : { required }),
    ...(value ? { value } : {}),
  };
}

const attributeNames = (assertion: string) =>
  [...assertion.matchAll(/<saml:Attribute Name="([^"]+)"/g)].map((m) => m[1]!);

/** TR-03130-1 table 15: every assertion carries DocumentValidity; `expected` attributes besides it. */
function expectAssertion(
  r: Awaited<ReturnType<Bed['login']>>,
  status: string,
  present: string[],
  absent: string[],
) {
  expect(r.codes).toEqual([`${STATUS_PREFIX}Success`]);
  const names = attributeNames(r.assertion!);
  expect(r.assertion).toContain(`<eid:Status>${status}</eid:Status>`);
  for (const n of present) expect(names).toContain(n);
  for (const n of absent) expect(names).not.toContain(n);
}

/** B1_1 (PSK) and B1_4 (attached): the per-attribute cases. */
function regular(
  bed: () => Bed,
  m: { n01: string; n02: string; n03: string; n04: string; n05: string },
  only?: OperationId[],
) {
  for (const op of only ?? OPERATIONS) {
    const name = samlNameOf(op);
    const other = samlNameOf(companionOf(op));
    for (const [id, flag] of [
      [m.n01, undefined],
      [m.n02, true],
      [m.n03, false],
    ] as const) {
      it(`EIDSERVER_${id} ${label(op)}, RequiredAttribute ${flag ?? 'absent'}: released in the assertion`, async () => {
        const r = await bed().login([requested(companionOf(op), true), requested(op, flag)]);
        expectAssertion(r, 'valid', [name, other], []);
      });
    }
    for (const [id, required] of [
      [m.n04, true],
      [m.n05, false],
    ] as const) {
      const what = `${label(op)} ${required ? 'required' : 'optional'}, withheld by the citizen`;
      if (op === 'restrictedId') {
        it(`EIDSERVER_${id} ${what} (deviation: Restricted Identification carries the revocation check)`, async () => {
          const r = await bed().login([requested(companionOf(op), true), requested(op, required)], {
            withhold: ['restrictedId'],
          });
          expect(r.codes.at(-1)).toBe('urn:tw:neid:saml:status:restrictedIdentificationWithheld');
          expect(r.assertion).toBeUndefined();
        });
        continue;
      }
      it(`EIDSERVER_${id} ${what}: the assertion without it`, async () => {
        const eid = required ? { withhold: [op] } : { deselect: [op] };
        const r = await bed().login([requested(companionOf(op), true), requested(op, required)], eid);
        expectAssertion(r, 'valid', [other], [name]);
      });
    }
  }
}

/** B1_2 (PSK) and B1_5 (attached): irregular authentications — an assertion carrying only DocumentValidity. */
function irregular(
  bed: () => Bed,
  ids: Record<'n01' | 'n02' | 'n03' | 'n04' | 'n05' | 'n06' | 'n07', string>,
) {
  const set1 = () => [
    requested('romanizedName', true),
    requested('restrictedId', true),
    requested('ageVerification', true),
    requested('placeVerification', true),
  ];
  /** Only DocumentValidity with `status`, a transient NameID (no identifier for an invalid card). */
  const verdict = (r: Awaited<ReturnType<Bed['login']>>, status: string) => {
    expectAssertion(r, status, [], []);
    expect(attributeNames(r.assertion!)).toEqual(['DocumentValidity']);
    expect(r.assertion).toContain('nameid-format:transient');
  };
  it(`EIDSERVER_${ids.n01}: an attribute beyond the terminal certificate → HTTP 400, no TC Token (per attribute)`, async () => {
    for (const op of OPERATIONS.filter((o) => o !== 'restrictedId'))
      await bed().refused(await bed().request([requested(op, undefined)], { sp: 'none' }));
  });
  for (const n of NON_AUTHENTIC) {
    const id = n.id === 'C1_2_05' || n.id === 'C1_2_06' ? ids.n03 : n.id >= 'C1_2_07' ? ids.n06 : ids.n02;
    it(`EIDSERVER_${id} (${n.id}): ${n.what} → DocumentValidity notAuthentic`, async () => {
      const { cardFile, eid } = n.run({
        pkiDir: bed().server.ts.pkiDir,
        card: bed().card,
        revokedDs: bed().revokedDs,
      });
      verdict(await bed().login(set1(), eid, { cardFile }), 'notAuthentic');
    });
  }
  it(`EIDSERVER_${ids.n04} (EIDCARD_8): a revoked card → DocumentValidity revoked`, async () => {
    const c = writeTestCard(bed().server.ts.pkiDir);
    expect(await revocationAdd(['--card', c.file, '--pki', bed().server.ts.pkiDir])).toBe(0);
    bed().server.ts.server.revocation.reload();
    verdict(await bed().login(set1(), {}, { cardFile: c.file }), 'revoked');
  });
  it(`EIDSERVER_${ids.n05} (EIDCARD_7): an expired card → DocumentValidity expired`, async () => {
    const c = writeTestCard(bed().server.ts.pkiDir, {
      fields: { renewalDueDate: '20200101', issueDate: '20100101' },
    });
    verdict(await bed().login(set1(), {}, { cardFile: c.file }), 'expired');
  });
  for (const [c, edit] of [
    ['C1_3_08', drop('Nonce')],
    ['C1_3_09', twice('Nonce')],
  ] as const) {
    it(`EIDSERVER_${ids.n07} (${c}): a broken EAC2OutputType → Responder/AuthnFailed/protocolError, no assertion (deviation: no verdict on the card)`, async () => {
      hook.tamper = inMessage('EAC2OutputType', edit);
      try {
        const r = await bed().login(set1());
        expect(r.codes).toEqual([
          `${STATUS_PREFIX}Responder`,
          `${STATUS_PREFIX}AuthnFailed`,
          'urn:tw:neid:saml:status:protocolError',
        ]);
        expect(r.assertion).toBeUndefined();
      } finally {
        hook.tamper = undefined;
      }
    });
  }
}

/** B1_3 (PSK) and B1_6 (attached): SAML requests the IdP must refuse, and a non-default ACS. */
function communication(
  bed: () => Bed,
  ids: Record<'n01' | 'n02' | 'n03' | 'n04' | 'n05' | 'n06' | 'n07' | 'n08', string>,
) {
  const one = [requested('dateOfBirth', true)];
  const url = (edit: (xml: string) => string) => bed().request(one, { edit });
  it(`EIDSERVER_${ids.n01}: an AssertionConsumerServiceURL other than the default (registered) → the Response goes there; an unregistered one → HTTP 400`, async () => {
    const r = await bed().login(one, {}, { acs: ALT_ACS });
    expectAssertion(r, 'valid', ['DateOfBirth'], []);
    await bed().refused(await bed().request(one, { acsUrl: 'https://www.badservice.com/' }));
  });
  it(`EIDSERVER_${ids.n02}: an unknown Issuer → HTTP 400`, async () => {
    await bed().refused(await url((x) => x.replace(SP.tr.entity, 'https://www.badservice.com')));
  });
  it(`EIDSERVER_${ids.n03}: no Issuer → HTTP 400`, async () => {
    await bed().refused(await url((x) => x.replace(/<saml:Issuer>[^<]*<\/saml:Issuer>/, '')));
  });
  it(`EIDSERVER_${ids.n04}: no Extensions → HTTP 400`, async () => {
    await bed().refused(await bed().request(undefined));
  });
  it(`EIDSERVER_${ids.n05}: empty Extensions → HTTP 400`, async () => {
    await bed().refused(await bed().request(undefined, { extensions: '' }));
  });
  it(`EIDSERVER_${ids.n06}: an empty EncryptedAuthnRequestExtension → HTTP 400`, async () => {
    await bed().refused(
      await bed().request(undefined, {
        extensions: '<eid:EncryptedAuthnRequestExtension xmlns:eid="http://bsi.bund.de/eID/"/>',
      }),
    );
  });
  it(`EIDSERVER_${ids.n07}: AgeVerification without a comparison value → HTTP 400`, async () => {
    await bed().refused(await bed().request([{ name: 'AgeVerification', required: true }]));
  });
  it(`EIDSERVER_${ids.n08}: PlaceVerification without a comparison value → HTTP 400`, async () => {
    await bed().refused(await bed().request([{ name: 'PlaceVerification', required: true }]));
  });
}

/** B1_1_06/B1_4_06 (missing and empty data groups) and B1_1_08/B1_4_08 (negative verifications). */
function variations(bed: () => Bed, dg: string, negative: string) {
  it(`EIDSERVER_${dg} (EIDCARD_2, EIDCARD_3): missing and empty data groups → AttributeNotOnChip`, async () => {
    for (const c of [
      writeTestCard(bed().server.ts.pkiDir, { omitFields: ['spouseName', 'fatherName'] }),
      writeTestCard(bed().server.ts.pkiDir, { emptyFields: ['spouseName', 'fatherName'] }),
    ]) {
      const attrs = (['dateOfBirth', 'spouseName', 'fatherName'] as const).map((op) => requested(op, true));
      const r = await bed().login(attrs, {}, { cardFile: c.file });
      expectAssertion(r, 'valid', ['DateOfBirth'], []);
      for (const op of ['spouseName', 'fatherName'] as const)
        expect(r.assertion).toMatch(new RegExp(`Name="${samlNameOf(op)}"[^>]*eid:AttributeNotOnChip="true"`));
    }
  });
  it(`EIDSERVER_${negative} (C1_1_08): age and place verification with negative results`, async () => {
    const r = await bed().login([
      requested('romanizedName', true),
      { name: 'AgeVerification', required: true, value: ageValue(99) },
      { name: 'PlaceVerification', required: true, value: placeValue('64000') },
    ]);
    expectAssertion(r, 'valid', ['AgeVerification', 'PlaceVerification'], []);
    expect(r.assertion!.match(/<eid:FulfilsRequest>false<\/eid:FulfilsRequest>/g)).toHaveLength(2);
  });
}

/** B1_3_09 / B1_6_09: more parallel sessions than the eService may open (maxOpenSessions 20). */
function tooMany(bed: () => Bed, id: string) {
  it(`EIDSERVER_${id}: more parallel sessions than the eService may open → HTTP 503, no TC Token`, async () => {
    const one = [requested('dateOfBirth', true)];
    let busy: number | undefined;
    // As an eID-Client does: follow the redirect and fetch the TC Token. A login counts against the
    // cap once its TC Token is fetched (unclaimed ones cannot lock the eService out), so the refusal
    // comes at /saml/tctoken or at the TC Token fetch — either way, no TC Token.
    for (let i = 0; i < 25 && busy === undefined; i++) {
      const page = await new Browser().get(await bed().request(one, { sp: 'legacy' }));
      if (page.status !== 303) busy = page.status;
      else {
        // TLS 1.2, as an eID-Client speaks it (attached mode binds the TC Token to the TLS session).
        const { httpsCall } = await import('../../src/client/network.js');
        const token = await httpsCall(new URL(String(page.headers.location)));
        if (token.status !== 200) busy = token.status;
      }
    }
    expect(busy).toBe(503);
  });
}

describe('B1_1–B1_3 and B2: SAML with the TLS-PSK channel', () => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await samlTestbed(false);
  }, 180_000);
  afterAll(async () => bed?.close());

  describe('B1_1: regular online authentication', () => {
    regular(() => bed, { n01: 'B1_1_01', n02: 'B1_1_02', n03: 'B1_1_03', n04: 'B1_1_04', n05: 'B1_1_05' });
    variations(() => bed, 'B1_1_06', 'B1_1_08');
  });

  describe('B1_2: irregular online authentication', () => {
    irregular(() => bed, {
      n01: 'B1_2_01',
      n02: 'B1_2_02',
      n03: 'B1_2_03',
      n04: 'B1_2_04',
      n05: 'B1_2_05',
      n06: 'B1_2_06',
      n07: 'B1_2_07',
    });
  });

  describe('B1_3: processing of SAML communication', () => {
    communication(() => bed, {
      n01: 'B1_3_01',
      n02: 'B1_3_02',
      n03: 'B1_3_03',
      n04: 'B1_3_04',
      n05: 'B1_3_05',
      n06: 'B1_3_06',
      n07: 'B1_3_07',
      n08: 'B1_3_08',
    });
  });

  describe('B2_1: XML signatures', () => {
    /** The IdP accepted the request: a redirect to the eID-Client's TC Token. */
    const accepted = async (url: string) => {
      const page = await new Browser().get(url);
      expect(page.status, page.body.slice(0, 200)).toBe(303);
      expect(String(page.headers.location)).toContain('/eid/tctoken');
    };
    const one = [requested('dateOfBirth', true)];
    it('EIDSERVER_B2_1_01_ECDSA: a request signed with ECDSA-SHA256 is accepted', async () => {
      await accepted(await bed.request(one));
    });
    it('EIDSERVER_B2_1_01_RSA: a request signed with RSASSA-PSS (tr-03116-4) and RSA-SHA256 (legacy SP) is accepted', async () => {
      await accepted(
        await bed.request(one, {
          sp: 'rsa',
          sigAlg: 'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1',
        }),
      );
      await accepted(await bed.request(one, { sp: 'legacy' }));
    });
    it('EIDSERVER_B2_1_02: responses are signed with ECDSA-SHA256 (tr-03116-4) or RSA-SHA256 (legacy)', async () => {
      const method = (r: { xml: string; sigAlg?: string }) =>
        r.sigAlg ?? /<ds:SignatureMethod Algorithm="([^"]+)"/.exec(r.xml)?.[1];
      expect(method(await bed.login(one))).toBe('http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256');
      expect(method(await bed.login(one, {}, { sp: 'legacy' }))).toBe(
        'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      );
    });
    it('EIDSERVER_B2_1_03: a manipulated signature → HTTP 400', async () => {
      const u = await bed.request(one);
      const i = u.indexOf('&Signature=') + 11;
      await bed.refused(`${u.slice(0, i)}${u[i] === 'A' ? 'B' : 'A'}${u.slice(i + 1)}`);
    });
    it('EIDSERVER_B2_1_04: no signature, or no SigAlg and no signature → HTTP 400', async () => {
      const u = await bed.request(one);
      await bed.refused(u.slice(0, u.indexOf('&Signature=')));
      await bed.refused(u.slice(0, u.indexOf('&SigAlg=')));
    });
    it('EIDSERVER_B2_1_05_RSA_SHA1: RSA-SHA1 → HTTP 400', async () => {
      await bed.refused(
        await bed.request(one, { sp: 'legacy', sigAlg: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' }),
      );
    });
  });

  describe('B2_2: XML encryption', () => {
    const one = [requested('dateOfBirth', true)];
    for (const [alg, sp, ok] of [
      ['AES128GCM', 'tr', true],
      ['AES256GCM', 'tr', true],
      ['AES128', 'legacy', true],
      ['AES256', 'legacy', true],
    ] as const) {
      const uri = alg.endsWith('GCM')
        ? `http://www.w3.org/2009/xmlenc11#aes${alg.slice(3, 6)}-gcm`
        : `http://www.w3.org/2001/04/xmlenc#aes${alg.slice(3, 6)}-cbc`;
      it(`EIDSERVER_B2_2_01_${alg}: an extension encrypted with ${uri} is ${ok ? 'decrypted' : 'refused (not in the ICS)'}`, async () => {
        const page = await new Browser().get(await bed.request(one, { sp, encryption: uri }));
        expect(page.status).toBe(ok ? 303 : 400);
      });
    }
    it('EIDSERVER_B2_2_02: assertions are encrypted with AES-256-GCM + RSA-OAEP (tr-03116-4) or AES-256-CBC + RSA-OAEP-MGF1P (legacy)', async () => {
      expect((await bed.login(one)).xml).toContain('http://www.w3.org/2009/xmlenc11#aes256-gcm');
      const legacy = await bed.login(one, {}, { sp: 'legacy' });
      expect(legacy.xml).toContain('http://www.w3.org/2001/04/xmlenc#aes256-cbc');
      expect(legacy.xml).toContain('http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p');
    });
  });

  tooMany(() => bed, 'B1_3_09');
});

describe('B1_4–B1_6 and C1_1_14: SAML attached to the eID-Server (no PSK)', () => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await samlTestbed(true);
  }, 180_000);
  afterAll(async () => bed?.close());

  it('the TC Token names no PSK and the web listener as the eCard-API address', async () => {
    const { httpsCall } = await import('../../src/client/network.js');
    const first = await httpsCall(new URL(await bed.request([requested('dateOfBirth', true)])), {});
    const tc = await httpsCall(new URL(String(first.headers.location)), {});
    const token = parseTcToken(tc.body);
    expect(token.psk).toBeUndefined();
    expect(token.serverAddress).toBe(`${bed.server.ts.web}/eid/paos`);
  });

  describe('B1_4: regular online authentication (for a field, a verification and RestrictedID; every attribute: B1_1)', () => {
    regular(() => bed, { n01: 'B1_4_01', n02: 'B1_4_02', n03: 'B1_4_03', n04: 'B1_4_04', n05: 'B1_4_05' }, [
      'dateOfBirth',
      'ageVerification',
      'restrictedId',
    ]);
  });

  describe('B1_4_06, B1_4_08: data group variations, negative verifications', () => {
    variations(() => bed, 'B1_4_06', 'B1_4_08');
  });

  describe('B1_5: irregular online authentication', () => {
    irregular(() => bed, {
      n01: 'B1_5_01',
      n02: 'B1_5_02',
      n03: 'B1_5_03',
      n04: 'B1_5_04',
      n05: 'B1_5_05',
      n06: 'B1_5_06',
      n07: 'B1_5_07',
    });
  });

  describe('B1_6: processing of SAML communication', () => {
    communication(() => bed, {
      n01: 'B1_6_01',
      n02: 'B1_6_02',
      n03: 'B1_6_03',
      n04: 'B1_6_04',
      n05: 'B1_6_05',
      n06: 'B1_6_06',
      n07: 'B1_6_07',
      n08: 'B1_6_08',
    });
  });

  tooMany(() => bed, 'B1_6_09');

  it('EIDSERVER_C1_1_14: PAOS over a new TLS connection for the same SAML login → al/common#noPermission, session untouched', async () => {
    const { answer } = await startPaosElsewhere(await bed.request([requested('dateOfBirth', true)]));
    expect(answer).toContain(RESULT_MINOR.noPermission);
  });
});
