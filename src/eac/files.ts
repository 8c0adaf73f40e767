/**
 * Reading a whole transparent file over a channel, one command at a time:
 * EF.CardAccess (plain, before PACE, TR-03110-3 A.1.2.1) and EF.CardSecurity
 * (after PACE, A.1.2.2). The first READ BINARY uses the short EF identifier;
 * the length of the file's DER object tells how much more to read.
 */

import { SW } from '../apdu/status.js';
import type { CardTransport } from '../apdu/transport.js';
import { type ApduChannel, PlainChannel } from './channel.js';
import { EacError } from './errors.js';
import { assembleDataGroup, type Chunk, tlvTotalLength } from './read.js';
import {
  EF_CARD_ACCESS,
  EF_CARD_SECURITY,
  EXTENDED_READ_MAX,
  readBinaryCurrent,
  readBinarySfi,
  SHORT_READ_MAX,
  selectMasterFile,
} from './read-commands.js';
import { expectOk, statusError } from './status.js';

export interface ReadFileOptions {
  /** Bytes per short read (default 0xDF). */
  readonly chunk?: number;
  /** Read with one extended-length READ BINARY. */
  readonly extended?: boolean;
}

/** Reads the whole file (`sfi`, `fileId`) of the current DF, whose content is one DER object. */
export async function readTransparentFile(
  channel: ApduChannel,
  file: { sfi: number; fileId: number },
  opts: ReadFileOptions = {},
): Promise<Buffer> {
  const what = `READ BINARY of file ${file.fileId.toString(16).padStart(4, '0')}`;
  const chunk = opts.extended ? EXTENDED_READ_MAX : (opts.chunk ?? SHORT_READ_MAX);
  const chunks: Chunk[] = [];
  let total: number | undefined;
  let got = 0;
  for (;;) {
    const want = total === undefined ? chunk : Math.min(chunk, total - got);
    // The first read names the EF by its short identifier, which also selects it (ISO 7816-4 §7.2.2).
    const cmd = got === 0 ? readBinarySfi(file.sfi, 0, want) : readBinaryCurrent(got, want);
    const r = await channel.transmit(cmd);
    if (r.sw !== SW.OK && r.sw !== SW.END_OF_FILE) throw statusError(r.sw, what);
    if (r.data.length > want) throw new EacError('malformed-response', `${what}: more bytes than requested`);
    if (r.data.length === 0) throw new EacError('malformed-response', `${what}: no data at offset ${got}`);
    chunks.push({ offset: got, data: Buffer.from(r.data) });
    got += r.data.length;
    if (total === undefined) {
      total = tlvTotalLength(chunks[0]!.data);
      if (total === undefined)
        throw new EacError('malformed-response', `${what}: the file is too short for a TLV header`);
    }
    if (got >= total) break;
    if (r.data.length < want)
      throw new EacError('malformed-response', `${what}: the file ends after ${got} of ${total} bytes`);
  }
  if (got > total)
    throw new EacError('malformed-response', `${what}: ${got - total} bytes after the DER object`);
  return assembleDataGroup(chunks);
}

/** EF.CardAccess, without secure messaging: SELECT MF, READ BINARY with SFI 1C (A.1.2.1, table 2). */
export async function readCardAccess(card: CardTransport, opts: ReadFileOptions = {}): Promise<Buffer> {
  const ch = new PlainChannel(card);
  expectOk(await ch.transmit(selectMasterFile()), 'SELECT MF');
  return readTransparentFile(ch, EF_CARD_ACCESS, opts);
}

/** EF.CardSecurity from the MF, in the secure channel of PACE (A.1.2.2: read access after PACE). */
export function readCardSecurity(channel: ApduChannel, opts: ReadFileOptions = {}): Promise<Buffer> {
  return readTransparentFile(channel, EF_CARD_SECURITY, opts);
}
