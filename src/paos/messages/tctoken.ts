/**
 * The TC Token (TR-03124-1 §2.6): an XML fragment without namespace, served as
 * text/xml; charset=utf-8.
 */
import { el, hexUpper, textEl } from '../../xml/build.js';
import { childText, elementChildren, hexBinary, requireChildText } from '../../xml/dom.js';
import { XmlError } from '../../xml/errors.js';
import { parseXml } from '../../xml/parse.js';
import { PAOS_VERSION } from '../namespaces.js';

export const PSK_PROTOCOL = 'urn:ietf:rfc:4279';

export interface TcToken {
  readonly serverAddress: string;
  readonly sessionIdentifier: string;
  readonly refreshAddress: string;
  readonly communicationErrorAddress?: string;
  readonly psk?: Buffer;
}

export function buildTcToken(t: TcToken): string {
  return el(
    'TCTokenType',
    {},
    textEl('ServerAddress', t.serverAddress),
    textEl('SessionIdentifier', t.sessionIdentifier),
    textEl('RefreshAddress', t.refreshAddress),
    t.communicationErrorAddress
      ? textEl('CommunicationErrorAddress', t.communicationErrorAddress)
      : undefined,
    textEl('Binding', PAOS_VERSION),
    t.psk ? textEl('PathSecurity-Protocol', PSK_PROTOCOL) : undefined,
    t.psk ? el('PathSecurity-Parameters', {}, textEl('PSK', hexUpper(t.psk))) : undefined,
  );
}

/** Parses a TC Token leniently in element order (TR-03124-1 §2.6 note) but strictly in content. */
export function parseTcToken(xml: string | Buffer): TcToken {
  const root = parseXml(xml, { maxBytes: 64 * 1024, maxDepth: 4 }).documentElement!;
  if (root.localName !== 'TCTokenType' && root.localName !== 'TCToken')
    throw new XmlError('schema', 'not a TCToken');
  const binding = childText(root, root.namespaceURI ?? '', 'Binding');
  if (binding && binding !== PAOS_VERSION) throw new XmlError('schema', `unsupported binding ${binding}`);
  const ns = root.namespaceURI ?? '';
  const psp = childText(root, ns, 'PathSecurity-Protocol');
  const params = elementChildren(root, ns, 'PathSecurity-Parameters')[0];
  let psk: Buffer | undefined;
  if (psp) {
    if (psp !== PSK_PROTOCOL || !params)
      throw new XmlError('schema', 'PathSecurity-Protocol must be urn:ietf:rfc:4279 with a PSK');
    psk = hexBinary(requireChildText(params, ns, 'PSK'), 'PSK');
    if (psk.length < 16) throw new XmlError('schema', 'PSK is too short');
  }
  const cea = childText(root, ns, 'CommunicationErrorAddress');
  return {
    serverAddress: requireChildText(root, ns, 'ServerAddress'),
    sessionIdentifier: requireChildText(root, ns, 'SessionIdentifier'),
    refreshAddress: requireChildText(root, ns, 'RefreshAddress'),
    ...(cea ? { communicationErrorAddress: cea } : {}),
    ...(psk ? { psk } : {}),
  };
}
