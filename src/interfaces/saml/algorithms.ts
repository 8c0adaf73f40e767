/**
 * XML Security algorithms per relying party (TR-03116-4 §3.3–3.4; TR-03130-1
 * §4.9.1–4.9.2). The TR-03116-4 set is the default: ECDSA-SHA256 signatures,
 * AES-256-GCM content encryption, RSAES-OAEP (SHA-256, MGF1-SHA-256) key
 * transport. The legacy set (rsa-sha256, aes256-cbc, rsa-oaep-mgf1p) is an
 * explicit, logged opt-in for SPs whose SAML stack cannot do better
 * (TR-03116-4 §3.7 transition rules).
 */
import type { SamlSettings } from '../../config/eservice/saml.js';

export type AlgorithmSetName = SamlSettings['algorithms'];

export const SIG = {
  ecdsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  ecdsaSha384: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
  ecdsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
  rsaPssSha256: 'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
} as const;

export const DIGEST = {
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha384: 'http://www.w3.org/2001/04/xmldsig-more#sha384',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
} as const;

export const C14N = {
  exclusive: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
} as const;

export const ENC = {
  aes128Gcm: 'http://www.w3.org/2009/xmlenc11#aes128-gcm',
  aes256Gcm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
  aes128Cbc: 'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
  aes256Cbc: 'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
  rsaOaep: 'http://www.w3.org/2009/xmlenc11#rsa-oaep',
  rsaOaepMgf1p: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
} as const;

export const MGF1 = {
  sha1: 'http://www.w3.org/2009/xmlenc11#mgf1sha1',
  sha256: 'http://www.w3.org/2009/xmlenc11#mgf1sha256',
  sha384: 'http://www.w3.org/2009/xmlenc11#mgf1sha384',
  sha512: 'http://www.w3.org/2009/xmlenc11#mgf1sha512',
} as const;

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** What the IdP produces for one SP. */
export interface OutboundAlgorithms {
  readonly name: AlgorithmSetName;
  /** Which IdP signing key signs: the ECDSA P-256 key or the RSA-3072 key. */
  readonly signingKey: 'ec' | 'rsa';
  readonly signature: string;
  readonly digest: string;
  readonly content: string;
  readonly keyTransport: { readonly algorithm: string; readonly digest: HashName; readonly mgf: HashName };
}

/** What the IdP accepts from one SP (signatures on requests, encryption of the AuthnRequestExtension). */
export interface InboundAlgorithms {
  readonly signatures: readonly string[];
  readonly digests: readonly string[];
  readonly content: readonly string[];
  readonly keyTransport: readonly string[];
  /** Accepted OAEP digests (and MGF1 digests) for xmlenc11#rsa-oaep. */
  readonly oaepHashes: readonly HashName[];
}

export const OUTBOUND: Record<AlgorithmSetName, OutboundAlgorithms> = {
  'tr-03116-4': {
    name: 'tr-03116-4',
    signingKey: 'ec',
    signature: SIG.ecdsaSha256,
    digest: DIGEST.sha256,
    content: ENC.aes256Gcm,
    keyTransport: { algorithm: ENC.rsaOaep, digest: 'sha256', mgf: 'sha256' },
  },
  legacy: {
    name: 'legacy',
    signingKey: 'rsa',
    signature: SIG.rsaSha256,
    digest: DIGEST.sha256,
    content: ENC.aes256Cbc,
    keyTransport: { algorithm: ENC.rsaOaepMgf1p, digest: 'sha1', mgf: 'sha1' },
  },
};

const TR_INBOUND: InboundAlgorithms = {
  signatures: [SIG.ecdsaSha256, SIG.ecdsaSha384, SIG.ecdsaSha512, SIG.rsaPssSha256],
  digests: [DIGEST.sha256, DIGEST.sha384, DIGEST.sha512],
  content: [ENC.aes128Gcm, ENC.aes256Gcm],
  keyTransport: [ENC.rsaOaep],
  oaepHashes: ['sha256', 'sha384', 'sha512'],
};

export const INBOUND: Record<AlgorithmSetName, InboundAlgorithms> = {
  'tr-03116-4': TR_INBOUND,
  legacy: {
    signatures: [...TR_INBOUND.signatures, SIG.rsaSha256, SIG.rsaSha512],
    digests: TR_INBOUND.digests,
    content: [...TR_INBOUND.content, ENC.aes128Cbc, ENC.aes256Cbc],
    keyTransport: [ENC.rsaOaep, ENC.rsaOaepMgf1p],
    oaepHashes: ['sha1', ...TR_INBOUND.oaepHashes],
  },
};

const DIGEST_NAMES: Record<string, HashName> = {
  'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
  [DIGEST.sha256]: 'sha256',
  [DIGEST.sha384]: 'sha384',
  [DIGEST.sha512]: 'sha512',
};
export const hashOfDigestUri = (uri: string): HashName | undefined => DIGEST_NAMES[uri];
export const digestUriOf = (h: HashName): string =>
  h === 'sha1' ? 'http://www.w3.org/2000/09/xmldsig#sha1' : DIGEST[h];

const MGF_NAMES: Record<string, HashName> = {
  [MGF1.sha1]: 'sha1',
  [MGF1.sha256]: 'sha256',
  [MGF1.sha384]: 'sha384',
  [MGF1.sha512]: 'sha512',
};
export const hashOfMgfUri = (uri: string): HashName | undefined => MGF_NAMES[uri];

/** Node hash name and key type of a signature algorithm URI. */
export function signatureScheme(
  uri: string,
): { hash: 'sha256' | 'sha384' | 'sha512'; key: 'ec' | 'rsa' | 'rsa-pss' } | undefined {
  switch (uri) {
    case SIG.ecdsaSha256:
      return { hash: 'sha256', key: 'ec' };
    case SIG.ecdsaSha384:
      return { hash: 'sha384', key: 'ec' };
    case SIG.ecdsaSha512:
      return { hash: 'sha512', key: 'ec' };
    case SIG.rsaPssSha256:
      return { hash: 'sha256', key: 'rsa-pss' };
    case SIG.rsaSha256:
      return { hash: 'sha256', key: 'rsa' };
    case SIG.rsaSha512:
      return { hash: 'sha512', key: 'rsa' };
    default:
      return undefined;
  }
}
