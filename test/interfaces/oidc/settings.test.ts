/** The `oidc:` section of an eService in the registry (src/config/eservice/oidc.ts). */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import { parseRegistry } from '../../../src/config/relying-parties.js';

const parse = (oidc: string) =>
  parseRegistry(
    `eServices:
  - id: bank
    displayName: { zh: 銀行, en: Bank }
    purpose: { zh: 開戶, en: KYC }
    approvedFields: [chineseName]
    approvedFunctions: []
    oidc:
${oidc
  .trim()
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
`,
    '/etc/neid/registry.yaml',
  ).get('bank')!.oidc!;

const HASH = 'a'.repeat(64);

describe('oidc settings', () => {
  it('reads a FAPI 2.0 client with defaults', () => {
    const o = parse('clientId: bank\nredirectUris: [https://bank.example/cb]\nprofile: fapi2');
    expect(o.client).toEqual({
      clientId: 'bank',
      redirectUris: ['https://bank.example/cb'],
      profile: 'fapi2',
      tokenEndpointAuthMethod: 'private_key_jwt',
      idTokenSignedResponseAlg: 'PS256',
    });
    expect(o.registration).toBeUndefined();
  });

  it('reads files relative to the registry, encryption and mTLS settings', () => {
    const o = parse(
      'clientId: b\nredirectUris: [https://b.example/cb]\nprofile: fapi2\ntokenEndpointAuthMethod: tls_client_auth\ntlsClientCertificateSubject: "CN=b"\ntlsClientCa: ca.pem\nidTokenEncryption: { alg: ECDH-ES }\nsector: shared',
    );
    expect(o.client).toMatchObject({
      tlsClientCa: '/etc/neid/ca.pem',
      idTokenEncryption: { alg: 'ECDH-ES', enc: 'A256GCM' },
      sector: 'shared',
    });
  });

  it('reads dynamic registration alone', () => {
    const o = parse(`registration: { initialAccessTokenSha256: ${HASH} }`);
    expect(o.client).toBeUndefined();
    expect(o.registration).toEqual({ initialAccessTokenSha256: HASH, profile: 'fapi2' });
  });

  it('refuses inconsistent settings', () => {
    const bad = [
      'clientId: b\nredirectUris: [https://b.example/cb]\nprofile: fapi2\ntokenEndpointAuthMethod: client_secret_basic\nclientSecret: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
      'clientId: b\nredirectUris: [http://b.example/cb]\nprofile: fapi2',
      'clientId: b\nredirectUris: [https://b.example/cb]\ntokenEndpointAuthMethod: client_secret_basic\nclientSecret: short',
      'clientId: b\nredirectUris: [https://b.example/cb]\ntokenEndpointAuthMethod: private_key_jwt\nclientSecret: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
      'clientId: b\nredirectUris: [https://b.example/cb]\nprofile: fapi2\ntokenEndpointAuthMethod: tls_client_auth',
      'clientId: b\nredirectUris: [https://b.example/cb]\nprofile: fapi2\nidTokenEncryption: { alg: RSA1_5 }',
      'clientId: b\nredirectUris: []',
      'registration: { initialAccessTokenSha256: not-a-hash }',
      `jwks: x.json\nregistration: { initialAccessTokenSha256: ${HASH} }`,
      'profile: oidc',
    ];
    for (const b of bad) expect(() => parse(b), b).toThrow(ConfigError);
  });
});
