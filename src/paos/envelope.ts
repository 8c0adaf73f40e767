/**
 * SOAP envelope of the PAOS binding (TR-03112-7 §3.2; Liberty PAOS v2.0 §5):
 * the PAOS header, WS-Addressing ReplyTo / RelatesTo / MessageID. Every
 * message gets a fresh MessageID; a reply names the message it answers in
 * RelatesTo, which the receiver checks.
 */
import { randomUUID } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { el, textEl } from '../xml/build.js';
import { childText, elementChildren, requireChild } from '../xml/dom.js';
import { XmlError } from '../xml/errors.js';
import { type ParseOptions, parseXml } from '../xml/parse.js';
import { NS, PAOS_SERVICE_TYPE, PAOS_VERSION } from './namespaces.js';

export interface Envelope {
  readonly messageId?: string;
  readonly relatesTo?: string;
  /** The single element in soap:Body. */
  readonly body: Element;
}

export function newMessageId(): string {
  return `urn:uuid:${randomUUID()}`;
}

export function buildEnvelope(bodyXml: string, opts: { messageId: string; relatesTo?: string }): string {
  const header = el(
    'soap:Header',
    {},
    el(
      'paos:PAOS',
      { 'soap:mustUnderstand': '1', 'soap:actor': 'http://schemas.xmlsoap.org/soap/actor/next' },
      textEl('paos:Version', PAOS_VERSION),
      el(
        'paos:EndpointReference',
        {},
        textEl('paos:Address', 'http://www.projectliberty.org/2006/01/role/paos'),
        el('paos:MetaData', {}, textEl('paos:ServiceType', PAOS_SERVICE_TYPE)),
      ),
    ),
    el('wsa:ReplyTo', {}, textEl('wsa:Address', 'http://www.projectliberty.org/2006/02/role/paos')),
    opts.relatesTo ? textEl('wsa:RelatesTo', opts.relatesTo) : undefined,
    textEl('wsa:MessageID', opts.messageId),
  );
  return `<?xml version="1.0" encoding="UTF-8"?>${el(
    'soap:Envelope',
    {
      'xmlns:soap': NS.soap,
      'xmlns:xsd': 'http://www.w3.org/2001/XMLSchema',
      'xmlns:xsi': NS.xsi,
      'xmlns:paos': NS.paos,
      'xmlns:wsa': NS.wsa,
      'xmlns:dss': NS.dss,
      'xmlns:ecard': NS.ecard,
      'xmlns:iso': NS.iso,
    },
    header,
    el('soap:Body', {}, bodyXml),
  )}`;
}

export function parseEnvelope(xml: string | Buffer, opts?: ParseOptions): Envelope {
  const doc = parseXml(xml, opts);
  const env = doc.documentElement!;
  if (env.namespaceURI !== NS.soap || env.localName !== 'Envelope')
    throw new XmlError('schema', 'not a SOAP 1.1 envelope');
  const body = requireChild(env, NS.soap, 'Body');
  const kids = elementChildren(body);
  if (kids.length !== 1) throw new XmlError('schema', 'soap:Body must contain exactly one element');
  const header = elementChildren(env, NS.soap, 'Header')[0];
  const messageId = header ? childText(header, NS.wsa, 'MessageID') : undefined;
  const relatesTo = header ? childText(header, NS.wsa, 'RelatesTo') : undefined;
  return { body: kids[0]!, ...(messageId ? { messageId } : {}), ...(relatesTo ? { relatesTo } : {}) };
}

/** Asserts the body element is {ns}local. */
export function expectBody(env: Envelope, ns: string, local: string): Element {
  if (env.body.namespaceURI !== ns || env.body.localName !== local) {
    throw new XmlError('schema', `expected ${local}, got ${env.body.localName}`);
  }
  return env.body;
}
