/**
 * The small pieces of the IdP: requested attributes → authentication request,
 * the status table, NameIDs, the replay cache, SP metadata parsing and the
 * raw Redirect query parser.
 */
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../../../src/config/relying-parties.js';
import { createLogger } from '../../../src/interfaces/http/log.js';
import { ATTRIBUTES, attributeByName } from '../../../src/interfaces/saml/attributes/catalogue.js';
import { interpretRequested } from '../../../src/interfaces/saml/attributes/requested.js';
import { parseRedirectQuery } from '../../../src/interfaces/saml/bindings/redirect.js';
import type { SamlRejection, SamlStatusError } from '../../../src/interfaces/saml/errors.js';
import { parseAuthnRequestExtension } from '../../../src/interfaces/saml/messages/authn-request-extension.js';
import { parseSpMetadata } from '../../../src/interfaces/saml/metadata/sp-metadata.js';
import { checkNameIdPolicy, persistentNameId, transientNameId } from '../../../src/interfaces/saml/nameid.js';
import { ReplayCache } from '../../../src/interfaces/saml/replay.js';
import { ServiceProviders } from '../../../src/interfaces/saml/service-providers.js';
import {
  keyForFailure,
  NEID_STATUS_PREFIX,
  STATUS_TABLE,
  statusOf,
} from '../../../src/interfaces/saml/status.js';
import { FIELD_IDS } from '../../../src/profile/fields.js';
import { MemorySessionStore } from '../../../src/workflows/session/memory-store.js';
import { ROOT } from '../../support/cli.js';
import { ageValue, authnRequestExtension, placeValue } from './support/tr03130.js';

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as SamlRejection).code ?? (e as SamlStatusError).key;
  }
  return undefined;
};

describe('attribute catalogue', () => {
  it('has one attribute per chip field, unique names, TR-03130 names where the meaning is kept', () => {
    for (const f of FIELD_IDS)
      expect(ATTRIBUTES.filter((a) => a.source.kind === 'field' && a.source.field === f)).toHaveLength(1);
    expect(new Set(ATTRIBUTES.map((a) => a.name)).size).toBe(ATTRIBUTES.length);
    expect(attributeByName('DateOfBirth')?.type).toBe('eid:GeneralDateType');
    expect(attributeByName('ChineseName')?.name).toBe('urn:tw:neid:attribute:ChineseName');
    expect(attributeByName('GivenNames')).toBeUndefined(); // DG4 is the Chinese name, not given names
  });
});

describe('interpretRequested (TR-03130 AuthnRequestExtension)', () => {
  const ext = (xml: string) => interpretRequested(parseAuthnRequestExtension(xml));
  it('RequiredAttribute defaults to true; values of age and place verification; not-on-chip and ignored names', () => {
    const r = ext(
      authnRequestExtension([
        { name: 'DateOfBirth' },
        { name: 'urn:tw:neid:attribute:Photo', required: false },
        { name: 'AgeVerification', value: ageValue(20), required: false },
        { name: 'PlaceVerification', value: placeValue('63000-010') },
        { name: 'RestrictedID' },
        { name: 'FamilyNames' },
        { name: 'LevelOfAssurance', required: false },
      ]),
    );
    expect(r.required).toEqual(['dateOfBirth']);
    expect(r.optional).toEqual(['photo']);
    expect(r.ageVerification).toEqual({ age: 20, required: false });
    expect(r.placeVerification).toEqual({ areaCode: '63000010', required: true });
    expect(r.restrictedId).toBe(true);
    expect(r.notOnChip).toEqual(['FamilyNames']);
    expect(r.ignored).toEqual(['LevelOfAssurance']);
  });
  it('refuses bad values and required unsupported attributes with the right status', () => {
    expect(code(() => ext(authnRequestExtension([{ name: 'AgeVerification', value: ageValue(-1) }])))).toBe(
      'invalid-attribute-value',
    );
    expect(
      code(() => ext(authnRequestExtension([{ name: 'PlaceVerification', value: placeValue('123') }]))),
    ).toBe('invalid-attribute-value');
    expect(code(() => ext(authnRequestExtension([{ name: 'TransactionAttestation' }])))).toBe(
      'unsupported-request',
    );
  });
  it('refuses a malformed extension as a rejection (HTTP 400)', () => {
    expect(
      code(() =>
        parseAuthnRequestExtension(
          '<eid:AuthnRequestExtension xmlns:eid="http://bsi.bund.de/eID/" Version="2"/>',
        ),
      ),
    ).toBe('extension');
    expect(code(() => parseAuthnRequestExtension('<x/>'))).toBe('extension');
    expect(
      code(() =>
        parseAuthnRequestExtension(
          authnRequestExtension([{ name: 'A' }]).replace('Version="2"', 'Version="0"'),
        ),
      ),
    ).toBe('extension');
  });
});

describe('status table', () => {
  it('nests top-level, second-level and the N_eID reason; maps failures', () => {
    expect(statusOf('cancelled').codes).toEqual([
      'urn:oasis:names:tc:SAML:2.0:status:Responder',
      'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed',
      `${NEID_STATUS_PREFIX}cancelled`,
    ]);
    expect(statusOf('too-many-sessions').codes).toHaveLength(2);
    expect(keyForFailure({ code: 'document-revoked', reason: 'x' })).toBe('document-revoked');
    expect(statusOf('document-revoked').codes.at(-1)).toBe('urn:tw:neid:saml:status:documentRevoked');
    expect(statusOf('missing-rights').codes.at(-1)).toBe(
      'urn:tw:neid:saml:status:restrictedIdentificationWithheld',
    );
    // What the eID-Client reported: its own reason code under AuthnFailed.
    expect(keyForFailure({ code: 'wrong-pin', reason: 'x' })).toBe('wrong-pin');
    expect(statusOf('pin-blocked').codes.at(-1)).toBe(`${NEID_STATUS_PREFIX}pinBlocked`);
    expect(statusOf('card-removed').codes.at(-1)).toBe(`${NEID_STATUS_PREFIX}cardRemoved`);
    expect(keyForFailure({ code: 'client-error', reason: 'x' })).toBe('client-error');
    expect(keyForFailure(undefined)).toBe('session-expired');
    for (const row of Object.values(STATUS_TABLE)) expect(row.message).not.toMatch(/\d{6,}/);
  });
});

describe('NameIDs', () => {
  it('transient: random; persistent: stable per card and SP, different per SP, not the RestrictedID', () => {
    expect(transientNameId().value).not.toBe(transientNameId().value);
    const rid = 'ab'.repeat(32);
    const a = persistentNameId('https://sp-a', rid).value;
    expect(persistentNameId('https://sp-a', rid).value).toBe(a);
    expect(persistentNameId('https://sp-b', rid).value).not.toBe(a);
    expect(a).not.toContain(rid);
    expect(code(() => persistentNameId('https://sp-a', undefined))).toBe('internal-error');
    expect(
      code(() => checkNameIdPolicy('transient', 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent')),
    ).toBe('name-id-policy');
    expect(
      code(() => checkNameIdPolicy('persistent', 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified')),
    ).toBeUndefined();
  });
});

describe('ReplayCache', () => {
  it('accepts an ID once per SP within the window, in the shared session store', async () => {
    let now = 1_000_000;
    const store = new MemorySessionStore(() => now);
    const c = new ReplayCache({ store, maxAgeMs: 300_000, skewMs: 60_000, now: () => now });
    const codeOf = (p: Promise<void>) =>
      p.then(
        () => undefined,
        (e: { code?: string }) => e.code,
      );
    await c.accept('sp', 'id1', now);
    expect(await codeOf(c.accept('sp', 'id1', now))).toBe('replay');
    await c.accept('other', 'id1', now);
    expect(await codeOf(c.accept('sp', 'id2', now + 61_000))).toBe('stale'); // from the future
    now += 10 * 60_000;
    expect(await codeOf(c.accept('sp', 'id3', now - 7 * 60_000))).toBe('stale');
    await c.accept('sp', 'id1', now); // the window of the first use has passed
    await store.close();
  });
});

describe('parseSpMetadata', () => {
  const md = (inner: string) =>
    `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sp"><SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${inner}</SPSSODescriptor></EntityDescriptor>`;
  const acs = (loc: string, i = 0) =>
    `<AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${loc}" index="${i}"/>`;
  it('reads endpoints and requested attributes; skips unsupported bindings', () => {
    const m = parseSpMetadata(
      md(
        `${acs('https://sp/acs')}<AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact" Location="https://sp/art" index="1"/>` +
          '<AttributeConsumingService index="3"><ServiceName xml:lang="en">x</ServiceName><RequestedAttribute Name="DateOfBirth" isRequired="true"/></AttributeConsumingService>',
      ),
    );
    expect(m.acs).toEqual([{ binding: 'post', location: 'https://sp/acs', index: 0, isDefault: false }]);
    expect(m.attributeServices[0]!.requested[0]).toMatchObject({ name: 'DateOfBirth', required: true });
  });
  it('refuses plain-http ACS off loopback, duplicate indexes, and a missing SPSSODescriptor', () => {
    expect(() => parseSpMetadata(md(acs('http://sp.example/acs')))).toThrow(/https/);
    expect(() => parseSpMetadata(md(acs('https://sp/a') + acs('https://sp/b')))).toThrow(/index/);
    expect(() =>
      parseSpMetadata('<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>'),
    ).toThrow(/SPSSODescriptor/);
  });
});

describe('parseRedirectQuery', () => {
  it('keeps the raw signed octets and refuses duplicates, unknown parameters and a wrong order', () => {
    const deflated = 'SAMLRequest=s0lMSgYA';
    const m = parseRedirectQuery(`${deflated}&RelayState=a%20b&SigAlg=x&Signature=AAAA`, 'SAMLRequest');
    expect(m.xml).toBe('<abc');
    expect(m.relayState).toBe('a b');
    expect(m.signature?.octets.toString()).toBe(`${deflated}&RelayState=a%20b&SigAlg=x`);
    expect(
      code(() => parseRedirectQuery(`${deflated}&SigAlg=x&RelayState=r&Signature=AAAA`, 'SAMLRequest')),
    ).toBe('malformed');
    expect(code(() => parseRedirectQuery(`${deflated}&${deflated}`, 'SAMLRequest'))).toBe('malformed');
    expect(code(() => parseRedirectQuery(`${deflated}&SigAlg=x`, 'SAMLRequest'))).toBe('malformed');
  });
});

describe('the default registry', () => {
  it('registers demo-portal as a SAML SP from metadata/demo-portal.xml (ECDSA signing, RSA-3072 encryption, TR-03116-4 set)', () => {
    const sps = ServiceProviders.load(
      loadRegistry(`${ROOT}/config/relying-parties.yaml`),
      createLogger('silent'),
    );
    const demo = sps.get('https://127.0.0.1:8443/demo/portal');
    expect(demo?.eService.id).toBe('demo-portal');
    expect(demo?.outbound.name).toBe('tr-03116-4');
    expect(demo?.settings.nameIdFormat).toBe('persistent');
    expect(demo?.signingKeys[0]?.asymmetricKeyType).toBe('ec');
    expect(demo?.encryptionKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(demo?.metadata.acs.map((a) => `${a.binding} ${a.location}`)).toEqual([
      'post https://127.0.0.1:8443/demo/portal/saml/acs',
      'redirect https://127.0.0.1:8443/demo/portal/saml/acs',
    ]);
  });
});
