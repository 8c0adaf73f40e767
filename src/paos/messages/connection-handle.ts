/** ISO 24727-3 ConnectionHandle as used in StartPAOS and DIDAuthenticate (TR-03112-7 §3.2.1). */
import type { Element } from '@xmldom/xmldom';
import { el, textEl } from '../../xml/build.js';
import { childText, requireChild } from '../../xml/dom.js';
import { XmlError } from '../../xml/errors.js';
import { NS } from '../namespaces.js';

export interface ConnectionHandle {
  readonly contextHandle?: string;
  readonly ifdName?: string;
  readonly slotIndex?: string;
  /** hexBinary, e.g. the eID application identifier E80704007F00070302. */
  readonly cardApplication?: string;
  /** hexBinary handle the client chose for the card slot. */
  readonly slotHandle: string;
}

export function buildConnectionHandle(h: ConnectionHandle): string {
  return el(
    'ConnectionHandle',
    { 'xsi:type': 'iso:ConnectionHandleType' },
    h.contextHandle ? textEl('ContextHandle', h.contextHandle) : undefined,
    h.ifdName ? textEl('IFDName', h.ifdName) : undefined,
    h.slotIndex ? textEl('SlotIndex', h.slotIndex) : undefined,
    h.cardApplication ? textEl('CardApplication', h.cardApplication) : undefined,
    textEl('SlotHandle', h.slotHandle),
  );
}

export function parseConnectionHandle(parent: Element): ConnectionHandle {
  const h = requireChild(parent, NS.iso, 'ConnectionHandle');
  const slotHandle = childText(h, NS.iso, 'SlotHandle');
  if (!slotHandle || !/^([0-9A-Fa-f]{2}){1,64}$/.test(slotHandle))
    throw new XmlError('schema', 'ConnectionHandle lacks a hexBinary SlotHandle');
  const get = (n: string) => childText(h, NS.iso, n);
  const contextHandle = get('ContextHandle');
  const ifdName = get('IFDName');
  const slotIndex = get('SlotIndex');
  const cardApplication = get('CardApplication');
  return {
    slotHandle,
    ...(contextHandle ? { contextHandle } : {}),
    ...(ifdName ? { ifdName } : {}),
    ...(slotIndex ? { slotIndex } : {}),
    ...(cardApplication ? { cardApplication } : {}),
  };
}
