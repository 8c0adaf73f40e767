/**
 * The SAML SP `demo-portal` as a client outside the server, for the benchmarks: the same entity,
 * ACS and DEMO keys (metadata/demo-portal/) as the demo portal the server mounts, driven by
 * src/interfaces/saml/sp-client.ts, so that the SP's work (signing the AuthnRequest, decrypting and
 * verifying the Response) runs in the benchmark's client process and not as server CPU.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SIG } from '../src/interfaces/saml/algorithms.js';
import { keySigner } from '../src/interfaces/saml/crypto/keys.js';
import type { SpClientConfig } from '../src/interfaces/saml/sp-client.js';
import { PKI_FILES } from '../src/pki/layout.js';
import { ROOT } from '../test/support/cli.js';

/** The origin metadata/demo-portal.xml names; a registry made for another origin rewrites it (test/support/server-process.ts). */
export const DEMO_ORIGIN = 'https://127.0.0.1:8443';
export const SP_ACS = `${DEMO_ORIGIN}/demo/portal/saml/acs`;

/**
 * The demo SP's client configuration against the IdP at `web` with the test PKI in `pkiDir`;
 * `spOrigin`: the origin its registered metadata names.
 */
export function demoSpConfig(web: string, pkiDir: string, spOrigin = DEMO_ORIGIN): SpClientConfig {
  const demo = join(ROOT, 'metadata/demo-portal');
  const pem = (dir: string, file: string) => new X509Certificate(readFileSync(join(dir, file)));
  return {
    entityId: `${spOrigin}/demo/portal`,
    acsUrl: `${spOrigin}/demo/portal/saml/acs`,
    signer: keySigner(
      createPrivateKey(readFileSync(join(demo, 'signing.key.pem'))),
      pem(demo, 'signing.pem'),
      SIG.ecdsaSha256,
    ),
    decryptionKey: createPrivateKey(readFileSync(join(demo, 'encryption.key.pem'))),
    idp: {
      entityId: `${web}/saml/metadata`,
      ssoUrl: `${web}/saml/sso`,
      signingKeys: [
        pem(pkiDir, PKI_FILES.samlSigningEcCert).publicKey,
        pem(pkiDir, PKI_FILES.samlSigningRsaCert).publicKey,
      ],
      encryptionCertificate: pem(pkiDir, PKI_FILES.samlEncryptionCert),
    },
  };
}
