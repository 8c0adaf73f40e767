/**
 * The WS-Security verifier (src/interfaces/soap/wss/verify.ts): what it
 * accepts, and why it refuses each wrapping and downgrade variant.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGetServerInfoRequest } from '../../../src/interfaces/soap/messages/get-server-info.js';
import { ALG, NS } from '../../../src/interfaces/soap/namespaces.js';
import { signEnvelope } from '../../../src/interfaces/soap/wss/sign.js';
import {
  type TimestampPolicy,
  verifySignedEnvelope,
  WssError,
} from '../../../src/interfaces/soap/wss/verify.js';
import { pemFromDer } from '../../../src/pki/x509/pem.js';
import { issueClientCertificate } from '../../../src/pki/x509/tls.js';
import { parseXml } from '../../../src/xml/parse.js';
import { craftSigned, tamper } from './support/craft.js';

let rsa: KeyObject;
let rsaCert: string;
let ec: KeyObject;
let ecCert: string;
beforeAll(() => {
  rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  rsaCert = pemFromDer(issueClientCertificate({ subject: 'rsa', publicKey: rsa, issuerKey: rsa, days: 1 }));
  ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  ecCert = pemFromDer(issueClientCertificate({ subject: 'ec', publicKey: ec, issuerKey: ec, days: 1 }));
});

const BODY = buildGetServerInfoRequest();
const verify = (xml: string, cert = rsaCert, policy?: TimestampPolicy, now?: number) =>
  verifySignedEnvelope(xml, parseXml(xml), cert, policy, now);
function refused(xml: string, code: WssError['code'], reason: RegExp, cert = rsaCert) {
  try {
    verify(xml, cert);
  } catch (e) {
    expect(e).toBeInstanceOf(WssError);
    expect((e as WssError).code).toBe(code);
    expect((e as WssError).message).toMatch(reason);
    return;
  }
  throw new Error('accepted');
}

describe('verifySignedEnvelope accepts', () => {
  it('RSA-SHA256 and ECDSA-SHA256 envelopes, and returns the Body from the signed bytes', () => {
    const v = verify(signEnvelope(BODY, { key: rsa, certPem: rsaCert }));
    expect(v.body.localName).toBe('Body');
    expect(v.body.firstChild?.toString()).toBe(BODY);
    expect(verify(signEnvelope(BODY, { key: ec, certPem: ecCert }), ecCert).signatureMethod).toBe(
      ALG.ecdsaSha256,
    );
  });

  it('RSA-SHA512, RSA-PSS and ECDSA-SHA384, a Timestamp without Expires', () => {
    for (const m of [ALG.rsaSha512, ALG.rsaPssSha256])
      expect(verify(craftSigned(BODY, rsa, { signatureMethod: m })).signatureMethod).toBe(m);
    expect(verify(craftSigned(BODY, ec, { signatureMethod: ALG.ecdsaSha384 }), ecCert).signatureMethod).toBe(
      ALG.ecdsaSha384,
    );
    expect(verify(craftSigned(BODY, rsa, { expires: false })).expires).toBeUndefined();
  });
  it('references with an InclusiveNamespaces PrefixList (as WSS4J writes them)', () => {
    const xml = craftSigned(BODY, rsa, { inclusivePrefixes: ['soap', 'wsse'] });
    expect(xml).toContain('PrefixList="soap wsse"');
    expect(verify(xml).body.localName).toBe('Body');
  });
});

describe('verifySignedEnvelope refuses', () => {
  it('a message without any signature as not-signed', () => {
    refused(
      `<soap:Envelope xmlns:soap="${NS.soap}"><soap:Body>${BODY}</soap:Body></soap:Envelope>`,
      'not-signed',
      /no signature/,
    );
    refused(`<x/>`, 'not-soap', /not a SOAP envelope/);
  });

  it('a signature by another key, even with that key in KeyInfo', () => {
    const k = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const cert = pemFromDer(issueClientCertificate({ subject: 'x', publicKey: k, issuerKey: k, days: 1 }));
    refused(craftSigned(BODY, k, { keyInfoCert: cert }), 'invalid-signature', /signature/);
  });

  it('a changed Body or Timestamp', () => {
    const msg = signEnvelope(BODY, { key: rsa, certPem: rsaCert });
    refused(
      msg.replace('eID/"/>', 'eID/"><eid:x/></eid:getServerInfoRequest>'),
      'invalid-signature',
      /digest/,
    );
    // An unused namespace declaration does not change the exclusive canonical form: still valid.
    expect(
      verify(msg.replace('getServerInfoRequest xmlns', 'getServerInfoRequest xmlns:x="urn:x" xmlns')).body,
    ).toBeDefined();
    refused(
      signEnvelope(BODY, { key: rsa, certPem: rsaCert }).replace(
        /<wsu:Expires>[^<]+/,
        '<wsu:Expires>2099-01-01T00:00:00Z',
      ),
      'invalid-signature',
      /digest/,
    );
  });

  it('the signed Body moved elsewhere and another Body in its place', () => {
    const xml = tamper(signEnvelope(BODY, { key: rsa, certPem: rsaCert }), (doc, { header, body }) => {
      const env = body.parentNode!;
      env.removeChild(body);
      header.appendChild(body);
      env.appendChild(
        doc.importNode(
          parseXml(`<soap:Body xmlns:soap="${NS.soap}"><evil/></soap:Body>`).documentElement!,
          true,
        ),
      );
    });
    refused(xml, 'invalid-signature', /not to soap:Body|does not cover soap:Body/);
  });

  it('a duplicated Id', () => {
    const xml = tamper(signEnvelope(BODY, { key: rsa, certPem: rsaCert }), (_doc, { header, body }) => {
      header.appendChild(body.cloneNode(true));
    });
    refused(xml, 'invalid-signature', /occurs twice/);
  });

  it('an extra element after the Body, or two Bodies', () => {
    const xml = tamper(signEnvelope(BODY, { key: rsa, certPem: rsaCert }), (doc, { body }) => {
      body.parentNode!.appendChild(doc.createElementNS(NS.soap, 'soap:Body'));
    });
    refused(xml, 'invalid-signature', /soap:Header, soap:Body/);
  });

  it('more than one Signature, or a Signature outside wsse:Security, or none in it', () => {
    refused(
      tamper(signEnvelope(BODY, { key: rsa, certPem: rsaCert }), (_d, { security }) => {
        security.appendChild(security.getElementsByTagNameNS(NS.ds, 'Signature')[0]!.cloneNode(true));
      }),
      'invalid-signature',
      /exactly one signature/,
    );
    refused(
      tamper(signEnvelope(BODY, { key: rsa, certPem: rsaCert }), (_d, { body, security }) => {
        const sig = security.getElementsByTagNameNS(NS.ds, 'Signature')[0]!;
        security.removeChild(sig);
        body.appendChild(sig);
      }),
      'invalid-signature',
      /in wsse:Security/,
    );
  });

  it('a signature that leaves out the Timestamp or the Body', () => {
    refused(craftSigned(BODY, rsa, { cover: ['body'] }), 'invalid-signature', /does not cover wsu:Timestamp/);
    refused(
      craftSigned(BODY, rsa, { cover: ['timestamp'] }),
      'invalid-signature',
      /does not cover soap:Body/,
    );
  });

  it('stale, future and expired Timestamps', () => {
    const p: TimestampPolicy = { maxAgeMs: 300_000, skewMs: 60_000 };
    const now = Date.now();
    const msg = signEnvelope(BODY, { key: rsa, certPem: rsaCert }, { now, ttlMs: 120_000 });
    expect(verify(msg, rsaCert, p, now + 100_000).created.getTime()).toBe(now);
    expect(() => verify(msg, rsaCert, p, now + 200_000)).toThrow(/expired/);
    const old = signEnvelope(BODY, { key: rsa, certPem: rsaCert }, { now, ttlMs: 3_600_000 });
    expect(() => verify(old, rsaCert, p, now + 361_000)).toThrow(/stale/);
    expect(() => verify(old, rsaCert, p, now - 61_000)).toThrow(/future/);
  });

  it('SHA-1 based algorithms', () => {
    refused(
      craftSigned(BODY, rsa, { signatureMethod: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' }),
      'invalid-signature',
      /signature method .* not accepted/,
    );
    refused(
      craftSigned(BODY, rsa, { digestMethod: 'http://www.w3.org/2000/09/xmldsig#sha1' }),
      'invalid-signature',
      /digest method is not accepted/,
    );
  });

  it('an ECDSA signature method with an RSA key (algorithm confusion)', () => {
    refused(
      craftSigned(BODY, ec, { signatureMethod: ALG.ecdsaSha256 }),
      'invalid-signature',
      /signature/,
      rsaCert,
    );
  });

  it('a Reference that is not a same-document Id, or with other transforms', () => {
    const xml = signEnvelope(BODY, { key: rsa, certPem: rsaCert });
    refused(xml.replace(/URI="#Body-/, 'URI="http://evil/#Body-'), 'invalid-signature', /same-document/);
    refused(
      xml.replace(
        '<ds:Transforms>',
        '<ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>',
      ),
      'invalid-signature',
      /exactly one exclusive-c14n transform/,
    );
  });

  it('a header the server does not understand that must be understood', () => {
    const xml = tamper(signEnvelope(BODY, { key: rsa, certPem: rsaCert }), (doc, { header }) => {
      const h = doc.createElementNS('urn:x', 'x:Must');
      h.setAttributeNS(NS.soap, 'soap:mustUnderstand', '1');
      header.appendChild(h);
    });
    refused(xml, 'invalid-signature', /not understood/);
  });
});
