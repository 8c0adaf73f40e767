/**
 * The common frame of DIDAuthenticate and DIDAuthenticateResponse
 * (TR-03112-7 §3.6.4): ConnectionHandle, DIDName "PIN", and
 * AuthenticationProtocolData with Protocol = EAC and an xsi:type naming the
 * step (EAC1InputType, EAC2InputType, EAC1OutputType, EAC2OutputType).
 */
import type { Element } from '@xmldom/xmldom';
import { el, textEl } from '../../xml/build.js';
import { optionalChild, requireChild, xsiTypeLocal } from '../../xml/dom.js';
import { XmlError } from '../../xml/errors.js';
import { buildEnvelope, type Envelope, expectBody } from '../envelope.js';
import { EAC_PROTOCOL, NS } from '../namespaces.js';
import { buildResult, type EcardResult, parseResult } from '../result.js';
import { buildConnectionHandle, type ConnectionHandle, parseConnectionHandle } from './connection-handle.js';

export type EacStep =
  | 'EAC1InputType'
  | 'EAC2InputType'
  | 'EACAdditionalInputType'
  | 'EAC1OutputType'
  | 'EAC2OutputType';

export function buildDidAuthenticate(
  handle: ConnectionHandle,
  step: EacStep,
  content: string,
  ids: { messageId: string; relatesTo?: string },
): string {
  return buildEnvelope(
    el(
      'DIDAuthenticate',
      { xmlns: NS.iso },
      buildConnectionHandle(handle),
      textEl('DIDName', 'PIN'),
      el('AuthenticationProtocolData', { Protocol: EAC_PROTOCOL, 'xsi:type': `iso:${step}` }, content),
    ),
    ids,
  );
}

export function parseDidAuthenticate(env: Envelope): {
  handle: ConnectionHandle;
  step: string;
  data: Element;
} {
  const b = expectBody(env, NS.iso, 'DIDAuthenticate');
  const data = requireChild(b, NS.iso, 'AuthenticationProtocolData');
  const step = xsiTypeLocal(data);
  if (!step) throw new XmlError('schema', 'AuthenticationProtocolData has no xsi:type');
  return { handle: parseConnectionHandle(b), step, data };
}

export function buildDidAuthenticateResponse(
  result: EcardResult,
  step: EacStep | undefined,
  content: string,
  ids: { messageId: string; relatesTo?: string },
): string {
  return buildEnvelope(
    el(
      'DIDAuthenticateResponse',
      { xmlns: NS.iso, Profile: NS.ecard },
      buildResult(result),
      step
        ? el('AuthenticationProtocolData', { Protocol: EAC_PROTOCOL, 'xsi:type': `iso:${step}` }, content)
        : undefined,
    ),
    ids,
  );
}

export function parseDidAuthenticateResponse(env: Envelope): {
  result: EcardResult;
  step?: string;
  data?: Element;
} {
  const b = expectBody(env, NS.iso, 'DIDAuthenticateResponse');
  const result = parseResult(b);
  const data = optionalChild(b, NS.iso, 'AuthenticationProtocolData');
  if (!data) return { result };
  const step = xsiTypeLocal(data);
  return { result, data, ...(step ? { step } : {}) };
}
