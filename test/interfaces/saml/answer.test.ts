/**
 * The answer to the SP for outcomes a compliant eID-Client cannot produce in
 * an end-to-end run: a required attribute withheld (non-compliant client),
 * optional attributes withheld or absent on the chip, a response too long
 * for the Redirect ACS.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Koa from 'koa';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRegistry } from '../../../src/config/relying-parties.js';
import { createLogger } from '../../../src/interfaces/http/log.js';
import { SIG } from '../../../src/interfaces/saml/algorithms.js';
import { type AnswerDeps, finishLogin } from '../../../src/interfaces/saml/answer.js';
import { keySigner } from '../../../src/interfaces/saml/crypto/keys.js';
import { buildSpMetadata } from '../../../src/interfaces/saml/metadata/sp-metadata-builder.js';
import type { LoginContext } from '../../../src/interfaces/saml/plan.js';
import { ServiceProviders } from '../../../src/interfaces/saml/service-providers.js';
import type { AuthResult, AuthSession } from '../../../src/workflows/session/types.js';
import { ecKey, type KeyPair, keyPair, spRsaEncryptionKey } from './support/idp.js';
import { decryptAssertion, readRedirectResponse } from './support/tr03130.js';

let deps: AnswerDeps;
let enc: KeyPair;
let idpEc: KeyPair;
const ACS = 'https://sp.example/acs';

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'neid-answer-'));
  enc = keyPair(spRsaEncryptionKey(), 'sp enc');
  idpEc = keyPair(ecKey(), 'idp ec');
  writeFileSync(
    join(dir, 'sp.xml'),
    buildSpMetadata({
      entityId: 'https://sp.example',
      encryptionCertificate: enc.cert,
      acs: [{ binding: 'redirect', location: ACS, index: 0 }],
    }),
  );
  const registry = parseRegistry(
    'eServices:\n  - id: sp\n    displayName: {zh: a, en: a}\n    purpose: {zh: a, en: a}\n    approvedFields: [dateOfBirth, sex, photo, placeOfBirth]\n    approvedFunctions: [ageVerification]\n    saml: { metadata: ./sp.xml, requireSignedRequests: false }\n',
    join(dir, 'rp.yaml'),
  );
  deps = {
    entityId: 'https://idp.example/saml/metadata',
    signers: {
      ec: keySigner(idpEc.key, idpEc.cert, SIG.ecdsaSha256),
      rsa: keySigner(idpEc.key, idpEc.cert, SIG.ecdsaSha256),
    },
    sps: ServiceProviders.load(registry, createLogger('silent')),
    log: createLogger('silent'),
  };
});

function context(o: Partial<LoginContext> = {}): Record<string, string> {
  const c: LoginContext = {
    sp: 'https://sp.example',
    requestId: '_req0123456789abcdef',
    acs: ACS,
    binding: 'redirect',
    requested: {
      required: ['dateOfBirth'],
      optional: ['sex', 'placeOfBirth'],
      age: 18,
      restrictedId: false,
      notOnChip: [],
    },
    ageRequired: true,
    placeRequired: false,
    ...o,
  };
  return { saml: JSON.stringify(c) };
}

function result(o: Partial<AuthResult> = {}): { kind: 'result'; result: AuthResult; session: AuthSession } {
  return {
    kind: 'result',
    result: {
      fields: { dateOfBirth: '19900315' },
      operations: {
        dateOfBirth: 'ALLOWED',
        sex: 'PROHIBITED',
        placeOfBirth: 'NOTONCHIP',
        ageVerification: 'ALLOWED',
      },
      ageVerification: true,
      documentValidity: 'valid',
      completedAt: Date.now(),
      ...o,
    },
    session: {} as AuthSession,
  };
}

async function answer(outcome: ReturnType<typeof result>, ctxRecord = context()) {
  const app = new Koa();
  const req = new IncomingMessage(new Socket());
  const ctx = app.createContext(req, new ServerResponse(req));
  await finishLogin(deps)(ctx, outcome, ctxRecord);
  expect(ctx.status).toBe(303);
  return readRedirectResponse(String(ctx.response.get('Location')), [idpEc.cert]);
}

describe('finishLogin', () => {
  it('releases what was allowed, marks NOTONCHIP, omits optional fields the citizen withheld', async () => {
    const r = await answer(result());
    const a = await decryptAssertion(r.xml, enc.keyPem);
    expect(a).toContain('<eid:DateString>19900315</eid:DateString>');
    expect(a).toMatch(/<saml:Attribute Name="PlaceOfBirth"[^>]*eid:AttributeNotOnChip="true"\/>/);
    expect(a).not.toContain('Name="Sex"');
    expect(a).toContain('<eid:Age>18</eid:Age>');
  });
  it('a required field withheld in a TR-03130 request (resultStyle auto): Success, the attribute absent', async () => {
    const r = await answer(
      result({ fields: {}, operations: { dateOfBirth: 'PROHIBITED', ageVerification: 'ALLOWED' } }),
      context({ profile: 'tr-03130' }),
    );
    expect(r.xml).toContain('urn:oasis:names:tc:SAML:2.0:status:Success');
    const a = await decryptAssertion(r.xml, enc.keyPem);
    expect(a).not.toContain('Name="DateOfBirth"');
    expect(a).toContain('<eid:Status>valid</eid:Status>');
  });
  it('an invalid card in a TR-03130 request: only DocumentValidity; in a Web SSO request: the status', async () => {
    const failure = (code: 'document-revoked') => ({
      kind: 'failure' as const,
      failure: { code, reason: 'r' },
      session: {} as AuthSession,
    });
    const tr = await answer(failure('document-revoked') as never, context({ profile: 'tr-03130' }));
    const a = await decryptAssertion(tr.xml, enc.keyPem);
    expect(a).toContain('<eid:Status>revoked</eid:Status>');
    expect([...a.matchAll(/<saml:Attribute /g)]).toHaveLength(1);
    const sso = await answer(failure('document-revoked') as never, context({ profile: 'web-sso' }));
    expect(sso.xml).toContain('urn:tw:neid:saml:status:documentRevoked');
    expect(sso.xml).not.toContain('EncryptedAssertion');
  });
  it('a required field withheld: Responder / RequestDenied, no assertion', async () => {
    const r = await answer(result({ fields: {}, operations: { dateOfBirth: 'PROHIBITED' } }));
    expect(r.xml).toContain('urn:oasis:names:tc:SAML:2.0:status:RequestDenied');
    expect(r.xml).toContain('requiredAttributeWithheld');
    expect(r.xml).toContain('DateOfBirth');
    expect(r.xml).not.toContain('EncryptedAssertion');
  });
  it('a required age verification withheld: Responder / RequestDenied', async () => {
    const { ageVerification: _a, ...rest } = result().result;
    const r = await answer({
      ...result(),
      result: { ...rest, operations: { dateOfBirth: 'ALLOWED', ageVerification: 'PROHIBITED' } },
    });
    expect(r.xml).toContain('AgeVerification');
  });
  it('a response too long for the Redirect ACS becomes a short error (no POST endpoint at that location)', async () => {
    const r = await answer(
      result({
        fields: { dateOfBirth: '19900315', photo: Buffer.alloc(20_000, 7) },
        operations: { dateOfBirth: 'ALLOWED', photo: 'ALLOWED' },
      }),
      context({
        requested: { required: ['dateOfBirth', 'photo'], optional: [], restrictedId: false, notOnChip: [] },
        ageRequired: false,
      }),
    );
    expect(r.xml).toContain('responseTooLarge');
  });
});
