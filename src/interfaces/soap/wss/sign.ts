/**
 * Signing a response (TR-03130-1 §3.5.2.2 RecipientToken; OASIS WSS 1.1):
 * wsse:Security with the server's X.509 certificate as BinarySecurityToken,
 * a wsu:Timestamp, and a ds:Signature over soap:Body and wsu:Timestamp —
 * exclusive c14n, SHA-256 digests, RSA-SHA256 (Basic256Sha256) or
 * ECDSA-SHA256 for an EC key. KeyInfo names the certificate by issuer and
 * serial number, as the TR's policy (RequireIssuerSerialReference) asks.
 * The same function signs the test eService's requests.
 */
import { type KeyObject, randomBytes, X509Certificate } from 'node:crypto';
import { ExclusiveCanonicalization, SignedXml } from 'xml-crypto';
import { asSigningKey, type SigningKey } from '../../../crypto/signing-key.js';
import { el, esc, textEl } from '../../../xml/build.js';
import { ALG, NS, WSS } from '../namespaces.js';
import { xmlCryptoAlgorithms } from './algorithms.js';

export interface SigningCredential {
  /** A private KeyObject, or a SigningKey (the server's key may be in a PKCS#11 token). */
  readonly key: KeyObject | SigningKey;
  /** PEM certificate of `key`. */
  readonly certPem: string;
}

export interface SignOptions {
  readonly now?: number;
  /** Lifetime of the Timestamp (wsu:Expires − wsu:Created). */
  readonly ttlMs?: number;
  /** Override the signature method (tests). */
  readonly signatureMethod?: string;
}

const iso = (t: number) => new Date(t).toISOString();

/** RFC 4514 string of an X.509 name as node prints it (one RDN per line, most significant first). */
function rfc4514(name: string): string {
  return name
    .split('\n')
    .filter(Boolean)
    .reverse()
    .map((rdn) => rdn.replace(/([,+"\\<>;])/g, '\\$1'))
    .join(',');
}

function keyInfo(cert: X509Certificate): string {
  const serial = BigInt(`0x${cert.serialNumber}`).toString();
  return el(
    'wsse:SecurityTokenReference',
    {},
    el(
      'ds:X509Data',
      {},
      el(
        'ds:X509IssuerSerial',
        {},
        textEl('ds:X509IssuerName', rfc4514(cert.issuer)),
        textEl('ds:X509SerialNumber', serial),
      ),
    ),
  );
}

/** A signed SOAP 1.1 envelope around `bodyContent` (one element, with its own namespace declarations). */
export function signEnvelope(bodyContent: string, cred: SigningCredential, o: SignOptions = {}): string {
  const now = o.now ?? Date.now();
  const suffix = randomBytes(12).toString('hex');
  const ids = { body: `Body-${suffix}`, ts: `TS-${suffix}`, token: `X509-${suffix}` };
  const cert = new X509Certificate(cred.certPem);
  const token = cert.raw.toString('base64');
  const unsigned = `<?xml version="1.0" encoding="UTF-8"?>${el(
    'soap:Envelope',
    { 'xmlns:soap': NS.soap, 'xmlns:wsse': NS.wsse, 'xmlns:wsu': NS.wsu },
    el(
      'soap:Header',
      {},
      el(
        'wsse:Security',
        { 'soap:mustUnderstand': '1' },
        `<wsse:BinarySecurityToken wsu:Id="${ids.token}" EncodingType="${WSS.base64}" ValueType="${WSS.x509v3}">${esc(token)}</wsse:BinarySecurityToken>`,
        el(
          'wsu:Timestamp',
          { 'wsu:Id': ids.ts },
          textEl('wsu:Created', iso(now)),
          textEl('wsu:Expires', iso(now + (o.ttlMs ?? 5 * 60_000))),
        ),
      ),
    ),
    el('soap:Body', { 'wsu:Id': ids.body }, bodyContent),
  )}`;
  const key = asSigningKey(cred.key);
  const method = o.signatureMethod ?? (key.type === 'ec' ? ALG.ecdsaSha256 : ALG.rsaSha256);
  const sig = new SignedXml({
    // xml-crypto hands the key to the algorithm class (algorithms.ts), which signs through it.
    privateKey: key as never,
    signatureAlgorithm: method,
    canonicalizationAlgorithm: ALG.excC14n,
    idMode: 'wssecurity',
    getKeyInfoContent: () => keyInfo(cert),
  });
  const algs = xmlCryptoAlgorithms();
  sig.SignatureAlgorithms = algs.signature as typeof sig.SignatureAlgorithms;
  sig.HashAlgorithms = algs.hash as typeof sig.HashAlgorithms;
  sig.CanonicalizationAlgorithms = {
    [ALG.excC14n]: ExclusiveCanonicalization,
  } as typeof sig.CanonicalizationAlgorithms;
  for (const id of [ids.body, ids.ts]) {
    sig.addReference({
      xpath: `//*[@*[local-name(.)='Id']='${id}']`,
      transforms: [ALG.excC14n],
      digestAlgorithm: ALG.sha256,
    });
  }
  sig.computeSignature(unsigned, {
    prefix: 'ds',
    location: { reference: "//*[local-name(.)='Security']", action: 'append' },
    existingPrefixes: { wsse: NS.wsse, wsu: NS.wsu },
  });
  return sig.getSignedXml();
}
