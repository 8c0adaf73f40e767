/**
 * Answer-to-reset of the virtual card, in the form PC/SC readers build for
 * ISO/IEC 14443-4 cards (PC/SC part 3 §3.1.3.2.3: 3B 8n 80 01 ‹historical› TCK,
 * T=1 only as far as the reader is concerned), (ISO/IEC 7816-3 §8.2, historical bytes
 * ISO/IEC 7816-4 §8.1.1). TR-03110-3 B.12.1/B.13.1 require extended length and
 * command chaining to be announced in the ATR or EF.ATR/INFO; they are
 * announced here, in the card capabilities (compact-TLV tag 7):
 *
 *   3B        TS  direct convention
 *   88        T0  TD1 present, 8 historical bytes
 *   80        TD1 TD2 present, protocol T=0 (mandatory first offer)
 *   01        TD2 protocol T=1
 *   80        category indicator: compact-TLV objects follow, status in the last one
 *   73 94 01 C0  card capabilities: selection by full DF name, by file identifier
 *               and by short EF identifier; data coding 01; command chaining and
 *               extended Lc/Le supported, no logical channels
 *   82 90 00  status indicator: SW 9000
 *   TCK       XOR of T0 … last historical byte (required when T=1 is offered)
 */
const HISTORICAL = Buffer.from([0x80, 0x73, 0x94, 0x01, 0xc0, 0x82, 0x90, 0x00]);

function build(): Buffer {
  const body = Buffer.concat([Buffer.from([0x80 | HISTORICAL.length, 0x80, 0x01]), HISTORICAL]);
  let tck = 0;
  for (const b of body) tck ^= b;
  return Buffer.concat([Buffer.from([0x3b]), body, Buffer.from([tck])]);
}

export const ATR: Buffer = build();

/** A copy of the ATR (callers may not modify the constant). */
export function atr(): Buffer {
  return Buffer.from(ATR);
}
