/**
 * StartPAOS (TR-03112-7 §3.2.1, ISO 24727): the eID-Client's first message
 * on the trusted channel, naming the session (the TCToken's
 * SessionIdentifier), the card application and the client software.
 */
import { el, textEl } from '../../xml/build.js';
import { childText, elementChildren, requireChildText } from '../../xml/dom.js';
import { XmlError } from '../../xml/errors.js';
import { buildEnvelope, type Envelope, expectBody } from '../envelope.js';
import { NS } from '../namespaces.js';
import { buildConnectionHandle, type ConnectionHandle, parseConnectionHandle } from './connection-handle.js';

export interface StartPaos {
  readonly sessionIdentifier: string;
  readonly connectionHandle: ConnectionHandle;
  readonly userAgent?: { readonly name: string; readonly version: string };
  readonly supportedApiVersions: readonly string[];
}

export function buildStartPaos(m: StartPaos, messageId: string): string {
  const [maj = '1', min = '0', sub = '0'] = (m.userAgent?.version ?? '').split('.');
  return buildEnvelope(
    el(
      'StartPAOS',
      { xmlns: NS.iso },
      textEl('SessionIdentifier', m.sessionIdentifier),
      buildConnectionHandle(m.connectionHandle),
      m.userAgent
        ? el(
            'UserAgent',
            {},
            textEl('Name', m.userAgent.name),
            textEl('VersionMajor', maj),
            textEl('VersionMinor', min),
            textEl('VersionSubminor', sub),
          )
        : undefined,
      ...m.supportedApiVersions.map((v) => {
        const [a = '1', b = '1', c = '5'] = v.split('.');
        return el('SupportedAPIVersions', {}, textEl('Major', a), textEl('Minor', b), textEl('Subminor', c));
      }),
    ),
    { messageId },
  );
}

export function parseStartPaos(env: Envelope): StartPaos {
  const b = expectBody(env, NS.iso, 'StartPAOS');
  const sessionIdentifier = requireChildText(b, NS.iso, 'SessionIdentifier');
  if (sessionIdentifier.length === 0 || sessionIdentifier.length > 256)
    throw new XmlError('schema', 'bad SessionIdentifier');
  const ua = elementChildren(b, NS.iso, 'UserAgent')[0];
  const versions = elementChildren(b, NS.iso, 'SupportedAPIVersions').map(
    (v) =>
      `${childText(v, NS.iso, 'Major') ?? ''}.${childText(v, NS.iso, 'Minor') ?? '0'}.${childText(v, NS.iso, 'Subminor') ?? '0'}`,
  );
  return {
    sessionIdentifier,
    connectionHandle: parseConnectionHandle(b),
    supportedApiVersions: versions,
    ...(ua
      ? {
          userAgent: {
            name: childText(ua, NS.iso, 'Name') ?? '',
            version: [
              childText(ua, NS.iso, 'VersionMajor'),
              childText(ua, NS.iso, 'VersionMinor'),
              childText(ua, NS.iso, 'VersionSubminor'),
            ]
              .map((x) => x ?? '0')
              .join('.'),
          },
        }
      : {}),
  };
}
