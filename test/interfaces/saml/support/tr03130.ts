/**
 * TR-03130 pieces for tests, built with independent code: the
 * AuthnRequestExtension encrypted with the `xml-encryption` package (the IdP
 * decrypts it with its own code), HTTP-Redirect query strings signed with
 * node:crypto, and the Redirect-binding Response read back with node:crypto
 * and `xml-encryption`.
 */
import { constants, createPublicKey, type KeyObject, sign, verify, X509Certificate } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import xmlenc from 'xml-encryption';
import { NS } from '../../../../src/interfaces/saml/namespaces.js';

export interface Requested {
  readonly name: string;
  readonly required?: boolean;
  readonly value?: string;
}

export function authnRequestExtension(attrs: readonly Requested[]): string {
  const a = attrs
    .map(
      (r) =>
        `<saml2:Attribute Name="${r.name}"${r.required === undefined ? '' : ` eid:RequiredAttribute="${r.required}"`}>${r.value ?? ''}</saml2:Attribute>`,
    )
    .join('');
  return `<eid:AuthnRequestExtension Version="2" xmlns:eid="${NS.eid}" xmlns:saml2="${NS.saml}" xmlns:xsi="${NS.xsi}"><eid:RequestedAttributes>${a}</eid:RequestedAttributes></eid:AuthnRequestExtension>`;
}

export const ageValue = (age: number) =>
  `<saml2:AttributeValue xsi:type="eid:AgeVerificationRequestType"><eid:Age>${age}</eid:Age></saml2:AttributeValue>`;
export const placeValue = (code: string) =>
  `<saml2:AttributeValue xsi:type="eid:PlaceVerificationRequestType"><eid:CommunityID>${code}</eid:CommunityID></saml2:AttributeValue>`;

/** `<eid:EncryptedAuthnRequestExtension>` for the IdP encryption certificate (AES-256-GCM by default, RSA-OAEP SHA-256 / MGF1-SHA-256). */
export function encryptExtension(
  extensionXml: string,
  idpEncryptionCertPem: string,
  encryptionAlgorithm = 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
): Promise<string> {
  return new Promise((resolve, reject) => {
    xmlenc.encrypt(
      extensionXml,
      {
        rsa_pub: createPublicKey(idpEncryptionCertPem).export({ format: 'pem', type: 'spki' }),
        pem: idpEncryptionCertPem,
        encryptionAlgorithm,
        // The legacy set's AES-CBC (xml-encryption refuses it unless told).
        disallowEncryptionWithInsecureAlgorithm: false,
        warnInsecureAlgorithm: false,
        keyEncryptionAlgorithm: 'http://www.w3.org/2009/xmlenc11#rsa-oaep',
        keyEncryptionDigest: 'sha256',
        keyEncryptionMgf: 'http://www.w3.org/2009/xmlenc11#mgf1sha256',
      },
      (err: Error | null, result: string) =>
        err
          ? reject(err)
          : resolve(
              `<eid:EncryptedAuthnRequestExtension xmlns:eid="${NS.eid}">${result}</eid:EncryptedAuthnRequestExtension>`,
            ),
    );
  });
}

/** The certificates of an IdP metadata document, by KeyDescriptor use. */
export function idpCertificates(metadata: string): {
  signing: X509Certificate[];
  encryption: X509Certificate[];
} {
  const out = { signing: [] as X509Certificate[], encryption: [] as X509Certificate[] };
  for (const m of metadata.matchAll(
    /<md:KeyDescriptor use="(signing|encryption)">[\s\S]*?<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/g,
  )) {
    out[m[1] as 'signing' | 'encryption'].push(new X509Certificate(Buffer.from(m[2]!, 'base64')));
  }
  return out;
}

export const pemOf = (c: X509Certificate) => c.toString();

const RSA_PSS_SHA256 = 'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1';

/**
 * A Redirect-binding URL signed with node:crypto (ECDSA: r ‖ s as XML-DSig defines it; RSA:
 * PKCS#1 v1.5, or RSASSA-PSS with `sigAlg` sha256-rsa-MGF1). `sigAlg` names the algorithm in the
 * query; the hash is SHA-256 unless it is an …-sha1 URI.
 */
export function signedRedirect(
  endpoint: string,
  xml: string,
  key: KeyObject,
  relayState?: string,
  sigAlg?: string,
): string {
  const enc = encodeURIComponent;
  const alg =
    sigAlg ??
    (key.asymmetricKeyType === 'ec'
      ? 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256'
      : 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
  let q = `SAMLRequest=${enc(deflateRawSync(Buffer.from(xml)).toString('base64'))}`;
  if (relayState) q += `&RelayState=${enc(relayState)}`;
  q += `&SigAlg=${enc(alg)}`;
  const sig = sign(
    alg.endsWith('sha1') ? 'sha1' : 'sha256',
    Buffer.from(q),
    key.asymmetricKeyType === 'ec'
      ? { key, dsaEncoding: 'ieee-p1363' }
      : alg === RSA_PSS_SHA256
        ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
        : key,
  );
  return `${endpoint}?${q}&Signature=${enc(sig.toString('base64'))}`;
}

/** Reads a Redirect-binding SAMLResponse: checks the query signature with `certs` and inflates the Response. */
export function readRedirectResponse(
  location: string,
  certs: readonly X509Certificate[],
): { xml: string; relayState?: string; sigAlg: string } {
  const q = location.slice(location.indexOf('?') + 1);
  const i = q.lastIndexOf('&Signature=');
  const octets = Buffer.from(q.slice(0, i));
  const params = new URLSearchParams(q);
  const sigAlg = params.get('SigAlg')!;
  const signature = Buffer.from(params.get('Signature')!, 'base64');
  const ok = certs.some((c) =>
    c.publicKey.asymmetricKeyType === 'ec'
      ? verify('sha256', octets, { key: c.publicKey, dsaEncoding: 'ieee-p1363' }, signature)
      : verify('sha256', octets, c.publicKey, signature),
  );
  if (!ok) throw new Error('the Redirect-binding signature does not verify');
  const xml = inflateRawSync(Buffer.from(params.get('SAMLResponse')!, 'base64')).toString('utf8');
  const relayState = params.get('RelayState') ?? undefined;
  return { xml, sigAlg, ...(relayState ? { relayState } : {}) };
}

/** Decrypts the EncryptedAssertion of a Response with `xml-encryption` and the SP key. */
export function decryptAssertion(responseXml: string, spKeyPem: string): Promise<string> {
  const m = /<xenc:EncryptedData[\s\S]*<\/xenc:EncryptedData>/.exec(responseXml);
  if (!m) throw new Error('no EncryptedData');
  return new Promise((resolve, reject) =>
    xmlenc.decrypt(
      m[0],
      { key: spKeyPem, disallowDecryptionWithInsecureAlgorithm: false, warnInsecureAlgorithm: false },
      (err: Error | null, r: string) => (err ? reject(err) : resolve(r)),
    ),
  );
}
