/**
 * Secure messaging with AES (TR-03110-3 F.2; ICAO Doc 9303-11 §9.8), both
 * directions, for the card and for the terminal:
 *
 * Command:  CLA|0C INS P1 P2 Lc' [87 L 01‖E(KSenc, pad(data))] [97 L Le] 8E 08 MAC Le'
 * Response: [87 L 01‖E(KSenc, pad(data))] 99 02 SW 8E 08 MAC  SW
 *
 * The send sequence counter (16 bytes, starting at 0 after PACE/CA) is
 * incremented before every command and every response; the encryption IV is
 * E(KSenc, SSC); the MAC is AES-CMAC over SSC ‖ pad(header) ‖ pad(DOs),
 * truncated to 8 bytes. Every MAC is checked in constant time; a failure is an
 * SmError, after which the channel must be discarded (the card drops its keys).
 */

import type { CommandApdu, ResponseApdu } from '../apdu/apdu.js';
import type { SessionKeys } from '../crypto/pace.js';
import {
  aesCbcDecrypt,
  aesCbcEncrypt,
  aesCmac,
  aesEncryptBlock,
  constantTimeEqual,
  pad,
  unpad,
} from '../crypto/symmetric.js';
import { TlvError } from '../tlv/errors.js';
import { findTlv, parseTlvList, type Tlv, tlv } from '../tlv/tlv.js';

export class SmError extends Error {
  override readonly name = 'SmError';
  constructor(
    readonly code: 'bad-mac' | 'missing-objects' | 'malformed' | 'closed',
    message: string,
  ) {
    super(message);
  }
}

const SM_CLA = 0x0c;

/**
 * Each SM data object at most once and in the order of TR-03110-3 F.3
 * (87, 97/99, 8E last): an object outside that order would fall outside the MAC.
 */
function checkOrder(dos: readonly Tlv[], order: readonly number[]): void {
  let last = -1;
  for (const d of dos) {
    const i = order.indexOf(d.tag);
    if (i < 0) throw new SmError('malformed', `unexpected SM data object 0x${d.tag.toString(16)}`);
    if (i <= last)
      throw new SmError('malformed', `SM data object 0x${d.tag.toString(16)} repeated or out of order`);
    last = i;
  }
}

export class SecureMessaging {
  private readonly ssc: Buffer;
  private open = true;

  constructor(
    private readonly keys: SessionKeys,
    ssc: Buffer = Buffer.alloc(16),
  ) {
    this.ssc = Buffer.from(ssc);
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** The current send sequence counter (for tests and for handing the channel over). */
  get counter(): Buffer {
    return Buffer.from(this.ssc);
  }

  close(): void {
    this.open = false;
    this.keys.enc.fill(0);
    this.keys.mac.fill(0);
  }

  private increment(): void {
    for (let i = this.ssc.length - 1; i >= 0; i--) {
      this.ssc[i] = (this.ssc[i]! + 1) & 0xff;
      if (this.ssc[i] !== 0) break;
    }
  }

  private mac(data: Buffer): Buffer {
    return aesCmac(this.keys.mac, Buffer.concat([this.ssc, data])).subarray(0, 8);
  }

  private encrypt(data: Buffer): Buffer {
    const iv = aesEncryptBlock(this.keys.enc, this.ssc);
    return aesCbcEncrypt(this.keys.enc, iv, pad(data));
  }

  private decrypt(data: Buffer): Buffer {
    const iv = aesEncryptBlock(this.keys.enc, this.ssc);
    return unpad(aesCbcDecrypt(this.keys.enc, iv, data));
  }

  private ensureOpen(): void {
    if (!this.open) throw new SmError('closed', 'the secure channel is closed');
  }

  // ---- terminal side ------------------------------------------------------

  /** Protects a plain command; returns the SM command to send. */
  wrapCommand(c: CommandApdu): CommandApdu {
    this.ensureOpen();
    this.increment();
    const cla = c.cla | SM_CLA;
    const dos: Buffer[] = [];
    if (c.data.length) dos.push(tlv(0x87, Buffer.concat([Buffer.from([0x01]), this.encrypt(c.data)])));
    if (c.ne) {
      const extended = c.ne > 256;
      const le = extended ? Buffer.from([(c.ne >> 8) & 0xff, c.ne & 0xff]) : Buffer.from([c.ne & 0xff]);
      dos.push(tlv(0x97, le));
    }
    const header = pad(Buffer.from([cla, c.ins, c.p1, c.p2]));
    const body = Buffer.concat(dos);
    const mac = this.mac(Buffer.concat([header, ...(body.length ? [pad(body)] : [])]));
    const data = Buffer.concat([body, tlv(0x8e, mac)]);
    // The response of an SM command is at least 99 and 8E; ask for the maximum.
    return { cla, ins: c.ins, p1: c.p1, p2: c.p2, data, ne: c.ne > 256 || data.length > 255 ? 65536 : 256 };
  }

  /** Verifies and decrypts an SM response. Throws SmError on any defect. */
  unwrapResponse(r: ResponseApdu): ResponseApdu {
    this.ensureOpen();
    this.increment();
    if (r.data.length === 0) {
      // The card answered without SM: only an error it sends when it dropped the channel.
      this.close();
      throw new SmError('missing-objects', `card answered ${r.sw.toString(16)} without secure messaging`);
    }
    const dos = this.parseObjects(r.data);
    try {
      checkOrder(dos, [0x87, 0x99, 0x8e]);
    } catch (e) {
      this.close();
      throw e;
    }
    const do87 = findTlv(dos, 0x87);
    const do99 = findTlv(dos, 0x99);
    const do8e = findTlv(dos, 0x8e);
    if (!do99 || !do8e) {
      this.close();
      throw new SmError('missing-objects', 'response lacks DO 99 or DO 8E');
    }
    const macInput = Buffer.concat([...(do87 ? [do87.raw] : []), do99.raw]);
    if (!constantTimeEqual(this.mac(pad(macInput)), do8e.value)) {
      this.close();
      throw new SmError('bad-mac', 'response MAC is wrong');
    }
    if (do99.value.length !== 2 || do99.value.readUInt16BE(0) !== r.sw) {
      this.close();
      throw new SmError('malformed', 'DO 99 must hold the two-byte status word of the response');
    }
    const sw = r.sw;
    return { data: do87 ? this.decrypt87(do87) : Buffer.alloc(0), sw };
  }

  // ---- card side ----------------------------------------------------------

  /** Verifies and decrypts an SM command. Throws SmError on any defect; the caller then answers 6987/6988 and closes. */
  unwrapCommand(c: CommandApdu): CommandApdu {
    this.ensureOpen();
    this.increment();
    if ((c.cla & SM_CLA) !== SM_CLA) throw new SmError('missing-objects', 'command is not protected');
    const dos = this.parseObjects(c.data);
    checkOrder(dos, [0x87, 0x97, 0x8e]);
    const do87 = findTlv(dos, 0x87);
    const do97 = findTlv(dos, 0x97);
    const do8e = findTlv(dos, 0x8e);
    if (!do8e) throw new SmError('missing-objects', 'command lacks DO 8E');
    const header = pad(Buffer.from([c.cla, c.ins, c.p1, c.p2]));
    const body = Buffer.concat([...(do87 ? [do87.raw] : []), ...(do97 ? [do97.raw] : [])]);
    const expected = this.mac(Buffer.concat([header, ...(body.length ? [pad(body)] : [])]));
    if (!constantTimeEqual(expected, do8e.value)) throw new SmError('bad-mac', 'command MAC is wrong');
    let ne = 0;
    if (do97) {
      const v = do97.value;
      if (v.length === 1) ne = v[0] === 0 ? 256 : v[0]!;
      else if (v.length === 2) ne = v.readUInt16BE(0) === 0 ? 65536 : v.readUInt16BE(0);
      else throw new SmError('malformed', 'DO 97 must hold one or two bytes');
    }
    return {
      cla: c.cla & ~SM_CLA,
      ins: c.ins,
      p1: c.p1,
      p2: c.p2,
      data: do87 ? this.decrypt87(do87) : Buffer.alloc(0),
      ne,
    };
  }

  /** Protects a response of the card. */
  wrapResponse(r: ResponseApdu): ResponseApdu {
    this.ensureOpen();
    this.increment();
    const sw = Buffer.from([(r.sw >> 8) & 0xff, r.sw & 0xff]);
    const do87 = r.data.length
      ? tlv(0x87, Buffer.concat([Buffer.from([0x01]), this.encrypt(r.data)]))
      : Buffer.alloc(0);
    const do99 = tlv(0x99, sw);
    const mac = this.mac(pad(Buffer.concat([do87, do99])));
    return { data: Buffer.concat([do87, do99, tlv(0x8e, mac)]), sw: r.sw };
  }

  private parseObjects(data: Buffer): Tlv[] {
    try {
      return parseTlvList(data);
    } catch (e) {
      if (e instanceof TlvError) throw new SmError('malformed', `SM data objects: ${e.message}`);
      throw e;
    }
  }

  private decrypt87(do87: Tlv): Buffer {
    if (do87.value[0] !== 0x01 || do87.value.length < 17 || (do87.value.length - 1) % 16) {
      throw new SmError('malformed', 'DO 87 must be 01 followed by whole cipher blocks');
    }
    try {
      return this.decrypt(do87.value.subarray(1));
    } catch {
      throw new SmError('malformed', 'DO 87 padding is wrong');
    }
  }
}
