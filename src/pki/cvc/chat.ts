/**
 * Certificate Holder Authorization Template (TR-03110-3 C.1.5; TR-03110-4
 * §2.2.3.2 for Authentication Terminals):
 *
 *   7F4C { 06 terminal-type OID, 53 discretionary data (relative authorization) }
 *
 * For an Authentication Terminal the authorization is a 40-bit map (5 bytes,
 * bit 0 = least significant bit of the last byte). Bits 39-38 are the role,
 * 37-32 write DG17..DG22, 29-8 read DG22..DG1, 7-0 special functions.
 */
import { oid, readOid } from '../../asn1/der.js';
import { OID } from '../../asn1/oids.js';
import { childrenOf, requireTlv, type Tlv, tlv } from '../../tlv/tlv.js';
import { CvcError } from './errors.js';

export type Role = 'cvca' | 'dv-domestic' | 'dv-foreign' | 'terminal';

/** Special functions of the AT template (bits 0-7). */
export const SPECIAL_FUNCTIONS = {
  ageVerification: 0,
  municipalityIdVerification: 1,
  restrictedIdentification: 2,
  privilegedTerminal: 3,
  canAllowed: 4,
  pinManagement: 5,
  installCertificate: 6,
  installQualifiedCertificate: 7,
} as const;
export type SpecialFunction = keyof typeof SPECIAL_FUNCTIONS;

export const AT_CHAT_BYTES = 5;

/** Template length by terminal type (TR-03110-3 C.4): 5 bytes for AT, 1 for IS and ST. */
function templateBytes(terminalType: string): number {
  return terminalType === OID.idIs || terminalType === OID.idSt ? 1 : AT_CHAT_BYTES;
}
const ROLE_BITS: Record<Role, number> = { cvca: 3, 'dv-domestic': 2, 'dv-foreign': 1, terminal: 0 };

export class Chat {
  /** @param terminalType id-AT, id-IS or id-ST. @param template the discretionary data (big-endian bit map). */
  constructor(
    readonly terminalType: string,
    readonly template: Buffer,
  ) {
    if (template.length === 0 || template.length > 8)
      throw new CvcError('malformed', 'CHAT template must be 1-8 bytes');
  }

  static forRole(role: Role, bits: Iterable<number> = [], terminalType: string = OID.idAt): Chat {
    const b = Buffer.alloc(templateBytes(terminalType));
    const c = new Chat(terminalType, b);
    b[0] = ROLE_BITS[role] << 6;
    for (const bit of bits) c.setBit(bit);
    return c;
  }

  static decode(t: Tlv): Chat {
    if (t.tag !== 0x7f4c) throw new CvcError('malformed', 'not a CHAT (7F4C)');
    const kids = childrenOf(t);
    const type = readOid(requireTlv(kids, 0x06, 'CHAT terminal type'), 'CHAT terminal type');
    const data = requireTlv(kids, 0x53, 'CHAT discretionary data');
    return new Chat(type, Buffer.from(data.value));
  }

  encode(): Buffer {
    return tlv(0x7f4c, [oid(this.terminalType), tlv(0x53, this.template)]);
  }

  get bitLength(): number {
    return this.template.length * 8;
  }

  hasBit(bit: number): boolean {
    if (bit < 0 || bit >= this.bitLength) return false;
    const byte = this.template[this.template.length - 1 - (bit >> 3)]!;
    return (byte & (1 << (bit & 7))) !== 0;
  }

  private setBit(bit: number): void {
    if (bit < 0 || bit >= this.bitLength - 2) throw new CvcError('malformed', `CHAT bit ${bit} out of range`);
    this.template[this.template.length - 1 - (bit >> 3)]! |= 1 << (bit & 7);
  }

  /** The role encoded in the two most significant bits. */
  get role(): Role {
    const r = this.template[0]! >> 6;
    return (Object.keys(ROLE_BITS) as Role[]).find((k) => ROLE_BITS[k] === r)!;
  }

  /** Authorization bits set (excluding the role bits). */
  bits(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.bitLength - 2; i++) if (this.hasBit(i)) out.push(i);
    return out;
  }

  /** Same terminal type and role, with only the authorization bits in both. */
  intersect(other: Chat, role: Role = this.role): Chat {
    if (other.terminalType !== this.terminalType) {
      throw new CvcError(
        'terminal-type-mismatch',
        `terminal types ${this.terminalType} and ${other.terminalType} differ`,
      );
    }
    const bits = this.bits().filter((b) => other.hasBit(b));
    return Chat.forRole(role, bits, this.terminalType);
  }

  /** True if every authorization bit of `this` is also in `other`. */
  isSubsetOf(other: Chat): boolean {
    return this.terminalType === other.terminalType && this.bits().every((b) => other.hasBit(b));
  }

  toHex(): string {
    return this.template.toString('hex').toUpperCase();
  }
}
