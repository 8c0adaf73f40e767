/**
 * Where `neid pki init` writes the test PKI and where the server and tools
 * read it. Paths are relative to the PKI directory. Private keys are PKCS#8
 * PEM, X.509 certificates PEM, CV certificates and CRLs DER.
 */
export const PKI_FILES = {
  manifest: 'pki.json',
  cvcaCert: 'eac/cvca.cvcert',
  cvcaKey: 'eac/cvca.key.pem',
  /**
   * CVCA link certificates (`*.cvcert`, any names): after a CVCA rollover, the current CVCA's key
   * certified by its predecessor(s), so that cards still trusting an older CVCA are served
   * (TR-03110-3 §2.4). `neid pki rollover` writes them; in production the CVCA issues them.
   */
  cvcaLinksDir: 'eac/links',
  dvCert: 'eac/dv.cvcert',
  dvKey: 'eac/dv.key.pem',
  /**
   * The TEST environment of the EAC PKI (docs/admin.md §4, the test phase): a CVCA of its own that
   * only test cards trust (`neid card create --test-card`) and its DV, which issues the terminal
   * certificates of eServices in their test phase. Test and production credentials never mix: a
   * production card does not accept a test terminal certificate, nor a test card a production one.
   */
  testCvcaCert: 'eac/test-env/cvca.cvcert',
  testCvcaKey: 'eac/test-env/cvca.key.pem',
  testDvCert: 'eac/test-env/dv.cvcert',
  testDvKey: 'eac/test-env/dv.key.pem',
  cscaCert: 'passive-auth/csca.pem',
  cscaKey: 'passive-auth/csca.key.pem',
  cscaCrl: 'passive-auth/csca.crl',
  dsCert: 'passive-auth/ds.pem',
  dsKey: 'passive-auth/ds.key.pem',
  /** Master List Signer (ICAO 9303-12 §9): issued by the CSCA, signs the CSCA Master List. */
  mlsCert: 'passive-auth/mls.pem',
  mlsKey: 'passive-auth/mls.key.pem',
  /** The signed CSCA Master List the server publishes for Open API verifiers (docs/open-api.md). */
  masterList: 'passive-auth/csca-master-list.ml',
  cardRevocationList: 'revocation/card-revocation-list.der',
  /** The public card revocation list of the Open API: revoked chips by the hash of their CA key. */
  publicCardRevocationList: 'revocation/public-card-revocation-list.der',
  /** RSA-3072: the web, PSK (RSA-PSK suites need RSA) and SOAP listeners. */
  tlsCert: 'tls/server.pem',
  tlsKey: 'tls/server.key.pem',
  /** ECDSA P-256, optional: the web listener offers it too (ECDHE-ECDSA, a far cheaper handshake). */
  tlsEcCert: 'tls/server-ec.pem',
  tlsEcKey: 'tls/server-ec.key.pem',
  /** SAML signing, ECDSA P-256 (TR-03116-4 default set). */
  samlSigningEcCert: 'saml/signing-ec.pem',
  samlSigningEcKey: 'saml/signing-ec.key.pem',
  /** SAML signing, RSA-3072 (RSA-PSS, or rsa-sha256 for SPs opted into the legacy set). */
  samlSigningRsaCert: 'saml/signing-rsa.pem',
  samlSigningRsaKey: 'saml/signing-rsa.key.pem',
  /** SAML encryption key of the IdP (encrypted AuthnRequestExtension), RSA-3072. */
  samlEncryptionCert: 'saml/encryption.pem',
  samlEncryptionKey: 'saml/encryption.key.pem',
  /** WS-Security signing key of the SOAP eID-Interface, RSA-3072. */
  soapSigningCert: 'soap/signing.pem',
  soapSigningKey: 'soap/signing.key.pem',
  /**
   * TEST organisation-certificate CA (工商憑證 / 組織憑證 / 政府機關憑證 style, docs/admin.md §3): the
   * issuing CA, its CRL, and sample organisation certificates with keys — one valid for 統一編號
   * 12345675, one of the same organisation revoked in the CRL. The organisation identifier is the
   * subject's serialNumber (X.520 2.5.4.5).
   */
  orgCaCert: 'organisation/ca.pem',
  orgCaKey: 'organisation/ca.key.pem',
  orgCrl: 'organisation/ca.crl',
  orgSampleCert: 'organisation/sample-12345675.pem',
  orgSampleKey: 'organisation/sample-12345675.key.pem',
  orgRevokedCert: 'organisation/revoked-12345675.pem',
  orgRevokedKey: 'organisation/revoked-12345675.key.pem',
  /** OpenID Provider signing keys (private JWKS: PS256 RSA-3072 and ES256 P-256). */
  oidcJwks: 'oidc/jwks.json',
} as const;

/**
 * The Open API trust material as the server publishes it under /trust/ and as
 * a verifier's trust directory holds it (docs/open-api.md §3): one contract
 * for both sides.
 */
export const TRUST_DOCUMENTS = {
  masterList: 'csca-master-list.ml',
  crl: 'csca.crl',
  cardRevocation: 'card-revocation.cms',
} as const;
export type TrustDocumentName = (typeof TRUST_DOCUMENTS)[keyof typeof TRUST_DOCUMENTS];

/** Per-eService EAC material: terminal certificate and key, CertificateDescription, RI sector key. */
export function terminalFiles(eServiceId: string) {
  const dir = `eac/terminals/${eServiceId}`;
  return {
    dir,
    cert: `${dir}/terminal.cvcert`,
    key: `${dir}/terminal.key.pem`,
    description: `${dir}/description.der`,
    sectorKey: `${dir}/sector.key.pem`,
  } as const;
}

/** Per-eService TLS client certificate for the SOAP interface (mutual TLS, WS-Security). */
export function soapClientFiles(eServiceId: string) {
  return { cert: `soap-clients/${eServiceId}.pem`, key: `soap-clients/${eServiceId}.key.pem` } as const;
}

export interface PkiManifest {
  readonly version: 1;
  readonly createdAt: string;
  readonly curve: string;
  /** The server's public base URL the CertificateDescriptions were issued for. */
  readonly serverUrl: string;
  readonly cvcaChr: string;
  readonly dvChr: string;
  /** eService id → terminal CHR. */
  readonly terminals: Readonly<Record<string, string>>;
}
