/**
 * The card's file system (ISO/IEC 7816-4 §7; TR-03110-3 A.1.2, TR-03110-4
 * §2.2.3 table 3):
 *
 *   MF 3F00
 *   ├─ EF.CardAccess   011C  SFI 1C   always readable (plain or SM)
 *   ├─ EF.CardSecurity 011D  SFI 1D   after PACE
 *   ├─ EF.ChipSecurity 011B  SFI 1B   after PACE with PIN, Terminal and Chip Authentication
 *   ├─ EF.DIR          2F00  SFI 1E   always readable (application template of the eID DF)
 *   └─ DF eID  AID E8 07 04 00 7F 00 07 03 02
 *        └─ DGn    0100+n   SFI n    only the data groups present on the card
 *
 * The content of DGn is the profile encoding of its field (src/profile/codecs.ts)
 * unless the card file overrides it.
 */

import { encodeDataGroups } from '../profile/codecs.js';
import { type Area, fieldByDg, fileIdOfDg, shortFileIdOfDg } from '../profile/fields.js';
import { tlv } from '../tlv/tlv.js';
import type { CardData } from './card-file.js';

/** The eID application (TR-03110-4 §2.2.2: bsi-de applications(3) 2 … as DF name). */
export const EID_AID = Buffer.from('E80704007F00070302', 'hex');
export const MF_FID = 0x3f00;
export const FID_CARD_ACCESS = 0x011c;
export const FID_CARD_SECURITY = 0x011d;
export const FID_CHIP_SECURITY = 0x011b;
export const FID_DIR = 0x2f00;

export type EfAccess =
  | { readonly kind: 'always' }
  | { readonly kind: 'cardSecurity' }
  | { readonly kind: 'chipSecurity' }
  | { readonly kind: 'dataGroup'; readonly dg: number; readonly area: Area };

export interface Ef {
  readonly type: 'ef';
  readonly name: string;
  readonly fid: number;
  readonly sfi: number;
  readonly content: Buffer;
  readonly access: EfAccess;
  readonly parent: Df;
}

export interface Df {
  readonly type: 'df';
  readonly name: string;
  readonly fid?: number;
  readonly aid?: Buffer;
  readonly parent?: Df;
  readonly children: (Ef | Df)[];
}

export interface FileSystem {
  readonly mf: Df;
  readonly eid: Df;
  /** DG number → file content, for the card's own use (auxiliary data verification). */
  readonly dataGroups: ReadonlyMap<number, Buffer>;
}

function ef(parent: Df, name: string, fid: number, sfi: number, content: Buffer, access: EfAccess): Ef {
  const e: Ef = { type: 'ef', name, fid, sfi, content, access, parent };
  parent.children.push(e);
  return e;
}

/** The data-group contents of a card: the encoded fields with the card file's overrides applied. */
export function dataGroupsOf(data: Pick<CardData, 'fields' | 'dataGroupOverrides'>): Map<number, Buffer> {
  const dgs = encodeDataGroups(data.fields);
  for (const [dg, content] of data.dataGroupOverrides) dgs.set(dg, Buffer.from(content));
  return new Map([...dgs].sort(([a], [b]) => a - b));
}

export function buildFileSystem(data: CardData): FileSystem {
  const mf: Df = { type: 'df', name: 'MF', fid: MF_FID, children: [] };
  const eid: Df = { type: 'df', name: 'eID', aid: EID_AID, parent: mf, children: [] };
  ef(mf, 'EF.CardAccess', FID_CARD_ACCESS, 0x1c, data.files.cardAccess, { kind: 'always' });
  ef(mf, 'EF.CardSecurity', FID_CARD_SECURITY, 0x1d, data.files.cardSecurity, { kind: 'cardSecurity' });
  if (data.files.chipSecurity) {
    ef(mf, 'EF.ChipSecurity', FID_CHIP_SECURITY, 0x1b, data.files.chipSecurity, { kind: 'chipSecurity' });
  }
  // EF.DIR (ISO/IEC 7816-4 §8.2.1.1): one application template {4F AID} (chip-profile §2.1).
  const dir = tlv(0x61, tlv(0x4f, EID_AID));
  ef(mf, 'EF.DIR', FID_DIR, 0x1e, dir, { kind: 'always' });
  mf.children.push(eid);
  const dataGroups = dataGroupsOf(data);
  for (const [dg, content] of dataGroups) {
    const def = fieldByDg(dg)!;
    ef(eid, `DG${dg}`, fileIdOfDg(dg), shortFileIdOfDg(dg), content, {
      kind: 'dataGroup',
      dg,
      area: def.area,
    });
  }
  return { mf, eid, dataGroups };
}

export function childByFid(df: Df, fid: number): Ef | Df | undefined {
  return df.children.find((c) => c.fid === fid);
}

export function efBySfi(df: Df, sfi: number): Ef | undefined {
  return df.children.find((c): c is Ef => c.type === 'ef' && c.sfi === sfi);
}

export function dfByName(mf: Df, aid: Buffer): Df | undefined {
  if (mf.aid?.equals(aid)) return mf;
  return mf.children.find((c): c is Df => c.type === 'df' && c.aid !== undefined && c.aid.equals(aid));
}
