/**
 * The server's signing keys by name, with where each lives: a PKCS#8 PEM file
 * of the PKI directory (src/pki/layout.ts), or a private key object of the
 * PKCS#11 token found by its CKA_LABEL (docs/operations.md, "Keys in an HSM").
 * The labels are fixed: an operator creates the keys under these names.
 */
import { PKI_FILES, terminalFiles } from '../../pki/layout.js';

/** A key the server signs with: the TA key of one eService, or the SAML / SOAP signing keys. */
export type KeyName =
  | 'saml-signing-ec'
  | 'saml-signing-rsa'
  | 'soap-signing'
  /** `chr`: a key the registry made for one terminal certificate (approvals, renewals). */
  | { readonly terminal: string; readonly chr?: string };

/**
 * CKA_LABEL of the key pair in the token: `neid-terminal-<eServiceId>` (neid pki init),
 * `neid-terminal-<eServiceId>-<CHR>` (registry approvals and renewals), `neid-saml-signing-ec`, …
 */
export function keyLabel(name: KeyName): string {
  if (typeof name === 'string') return `neid-${name}`;
  return name.chr ? `neid-terminal-${name.terminal}-${name.chr}` : `neid-terminal-${name.terminal}`;
}

/** The PEM private key file (relative to the PKI directory) used when no token is configured. */
export function keyFile(name: KeyName): string {
  if (typeof name !== 'string') return terminalFiles(name.terminal).key;
  return {
    'saml-signing-ec': PKI_FILES.samlSigningEcKey,
    'saml-signing-rsa': PKI_FILES.samlSigningRsaKey,
    'soap-signing': PKI_FILES.soapSigningKey,
  }[name];
}

/** What the key is, for messages: "the terminal key of eService x", "the SAML signing key (ECDSA)". */
export function keyPurpose(name: KeyName): string {
  if (typeof name !== 'string') return `the terminal key of eService ${name.terminal}`;
  return {
    'saml-signing-ec': 'the SAML signing key (ECDSA)',
    'saml-signing-rsa': 'the SAML signing key (RSA)',
    'soap-signing': 'the SOAP WS-Security signing key',
  }[name];
}
