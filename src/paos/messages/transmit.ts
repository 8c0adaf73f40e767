/**
 * Transmit / TransmitResponse (TR-03112-6 §3.5.1 via TR-03112-7 §3.6.5): a
 * batch of APDUs for the client to send to the card in order. The client
 * stops at the first response whose status word matches none of the
 * AcceptableStatusCode prefixes (if any are given) and returns the responses
 * so far.
 */
import { el, hexUpper, textEl } from '../../xml/build.js';
import { elementChildren, hexBinary, requireChildText } from '../../xml/dom.js';
import { XmlError } from '../../xml/errors.js';
import { buildEnvelope, type Envelope, expectBody } from '../envelope.js';
import { NS } from '../namespaces.js';
import { buildResult, type EcardResult, parseResult } from '../result.js';

export interface InputApdu {
  readonly apdu: Buffer;
  /** Hex prefixes of acceptable status words (e.g. "9000", "63"). */
  readonly acceptable?: readonly string[];
}

export interface Transmit {
  readonly slotHandle: string;
  readonly apdus: readonly InputApdu[];
}

export const MAX_APDUS_PER_TRANSMIT = 256;

export function buildTransmit(m: Transmit, ids: { messageId: string; relatesTo?: string }): string {
  return buildEnvelope(
    el(
      'Transmit',
      { xmlns: NS.iso },
      textEl('SlotHandle', m.slotHandle),
      ...m.apdus.map((a) =>
        el(
          'InputAPDUInfo',
          {},
          textEl('InputAPDU', hexUpper(a.apdu)),
          ...(a.acceptable ?? []).map((s) => textEl('AcceptableStatusCode', s)),
        ),
      ),
    ),
    ids,
  );
}

export function parseTransmit(env: Envelope): Transmit {
  const b = expectBody(env, NS.iso, 'Transmit');
  const infos = elementChildren(b, NS.iso, 'InputAPDUInfo');
  if (infos.length === 0 || infos.length > MAX_APDUS_PER_TRANSMIT)
    throw new XmlError('schema', `Transmit must carry 1-${MAX_APDUS_PER_TRANSMIT} APDUs`);
  return {
    slotHandle: requireChildText(b, NS.iso, 'SlotHandle'),
    apdus: infos.map((i) => ({
      apdu: hexBinary(requireChildText(i, NS.iso, 'InputAPDU'), 'InputAPDU'),
      acceptable: elementChildren(i, NS.iso, 'AcceptableStatusCode').map((s) => {
        const t = (s.textContent ?? '').trim();
        if (!/^([0-9A-Fa-f]{2}){1,2}$/.test(t))
          throw new XmlError('schema', 'AcceptableStatusCode must be 1-2 hex bytes');
        return t.toUpperCase();
      }),
    })),
  };
}

export interface TransmitResponse {
  readonly result: EcardResult;
  readonly responses: readonly Buffer[];
}

export function buildTransmitResponse(
  m: TransmitResponse,
  ids: { messageId: string; relatesTo?: string },
): string {
  return buildEnvelope(
    el(
      'TransmitResponse',
      { xmlns: NS.iso, Profile: NS.ecard },
      buildResult(m.result),
      ...m.responses.map((r) => textEl('OutputAPDU', hexUpper(r))),
    ),
    ids,
  );
}

export function parseTransmitResponse(env: Envelope): TransmitResponse {
  const b = expectBody(env, NS.iso, 'TransmitResponse');
  const responses = elementChildren(b, NS.iso, 'OutputAPDU').map((o) => {
    const r = hexBinary(o.textContent ?? '', 'OutputAPDU');
    if (r.length < 2) throw new XmlError('schema', 'OutputAPDU shorter than a status word');
    return r;
  });
  return { result: parseResult(b), responses };
}

/** Whether a status word is acceptable for an InputAPDUInfo (prefix match, as AusweisApp does). */
export function isAcceptable(sw: number, acceptable: readonly string[] | undefined): boolean {
  if (!acceptable || acceptable.length === 0) return true;
  const hex = sw.toString(16).padStart(4, '0').toUpperCase();
  return acceptable.some((p) => hex.startsWith(p.toUpperCase()));
}
