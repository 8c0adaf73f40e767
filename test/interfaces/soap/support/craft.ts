/**
 * Hand-made SOAP messages for the negative tests: the same envelope as
 * signEnvelope, with control over what is signed, how and when, and helpers
 * to tamper with a signed message afterwards.
 */
import { type KeyObject, randomBytes } from 'node:crypto';
import { type Document, type Element, XMLSerializer } from '@xmldom/xmldom';
import { ExclusiveCanonicalization, SignedXml } from 'xml-crypto';
import { ALG, NS, WSS } from '../../../../src/interfaces/soap/namespaces.js';
import { xmlCryptoAlgorithms } from '../../../../src/interfaces/soap/wss/algorithms.js';
import { parseXml } from '../../../../src/xml/parse.js';

export interface CraftOptions {
  readonly now?: number;
  readonly cover?: readonly ('body' | 'timestamp')[];
  readonly signatureMethod?: string;
  readonly digestMethod?: string;
  /** Put this certificate into KeyInfo (X509Data), as an attacker would. */
  readonly keyInfoCert?: string;
  readonly expires?: boolean;
  /** InclusiveNamespaces PrefixList of each Reference's transform (as WSS4J writes it). */
  readonly inclusivePrefixes?: readonly string[];
  /** The envelope namespace (default SOAP 1.1). */
  readonly soapNamespace?: string;
}

export function craftSigned(bodyContent: string, key: KeyObject, o: CraftOptions = {}): string {
  const now = o.now ?? Date.now();
  const s = randomBytes(6).toString('hex');
  const created = new Date(now).toISOString();
  const expires = new Date(now + 300_000).toISOString();
  const xml = `<soap:Envelope xmlns:soap="${o.soapNamespace ?? NS.soap}" xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}"><soap:Header><wsse:Security soap:mustUnderstand="1"><wsu:Timestamp wsu:Id="TS-${s}"><wsu:Created>${created}</wsu:Created>${o.expires === false ? '' : `<wsu:Expires>${expires}</wsu:Expires>`}</wsu:Timestamp></wsse:Security></soap:Header><soap:Body wsu:Id="Body-${s}">${bodyContent}</soap:Body></soap:Envelope>`;
  const method = o.signatureMethod ?? (key.asymmetricKeyType === 'ec' ? ALG.ecdsaSha256 : ALG.rsaSha256);
  const digest = o.digestMethod ?? ALG.sha256;
  const sig = new SignedXml({
    privateKey: key as never,
    signatureAlgorithm: method,
    canonicalizationAlgorithm: ALG.excC14n,
    idMode: 'wssecurity',
    ...(o.keyInfoCert ? { publicCert: o.keyInfoCert } : { getKeyInfoContent: () => null }),
  });
  const algs = xmlCryptoAlgorithms();
  // Algorithms we refuse (RSA-SHA1, SHA-1) stay available here from xml-crypto's defaults.
  if (method in algs.signature) sig.SignatureAlgorithms = algs.signature as typeof sig.SignatureAlgorithms;
  if (digest in algs.hash) sig.HashAlgorithms = algs.hash as typeof sig.HashAlgorithms;
  sig.CanonicalizationAlgorithms = {
    [ALG.excC14n]: ExclusiveCanonicalization,
  } as typeof sig.CanonicalizationAlgorithms;
  for (const part of o.cover ?? ['body', 'timestamp']) {
    const id = part === 'body' ? `Body-${s}` : `TS-${s}`;
    sig.addReference({
      xpath: `//*[@*[local-name(.)='Id']='${id}']`,
      transforms: [ALG.excC14n],
      digestAlgorithm: digest,
      ...(o.inclusivePrefixes ? { inclusiveNamespacesPrefixList: [...o.inclusivePrefixes] } : {}),
    });
  }
  sig.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: "//*[local-name(.)='Security']", action: 'append' },
  });
  return sig.getSignedXml();
}

/** Parses, lets `fn` change the DOM, serialises. */
export function tamper(
  xml: string,
  fn: (doc: Document, parts: { header: Element; body: Element; security: Element }) => void,
): string {
  const doc = parseXml(xml);
  const env = doc.documentElement!;
  const header = env.getElementsByTagNameNS(NS.soap, 'Header')[0]!;
  const body = env.getElementsByTagNameNS(NS.soap, 'Body')[0]!;
  const security = env.getElementsByTagNameNS(NS.wsse, 'Security')[0]!;
  fn(doc, { header, body, security });
  return new XMLSerializer().serializeToString(doc);
}

export { WSS };
