/**
 * A TLS ClientHello written byte by byte (RFC 5246 §7.4.1.2, RFC 8446
 * §4.1.2), to offer a listener exactly what the TR-03116-TS cases behind
 * TR-03130-4 modules A3, B3 and C2 offer — SSL 3.0, TLS 1.0/1.1, suites,
 * groups and signature algorithms no TLS library of today still sends — and
 * to read the server's first answer: its ServerHello (version, suite,
 * extensions) or its alert.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';

export const VERSION = { ssl3: 0x0300, tls10: 0x0301, tls11: 0x0302, tls12: 0x0303 } as const;

/** IANA cipher suite numbers used by the cases. */
export const SUITE = {
  ECDHE_RSA_AES128_CBC_SHA: 0xc013,
  ECDHE_RSA_AES128_CBC_SHA256: 0xc027,
  ECDHE_RSA_AES128_GCM_SHA256: 0xc02f,
  ECDHE_ECDSA_AES128_GCM_SHA256: 0xc02b,
  DHE_RSA_3DES_EDE_CBC_SHA: 0x0016,
  DHE_RSA_AES128_CBC_SHA: 0x0033,
  DHE_RSA_AES256_CBC_SHA: 0x0039,
  RSA_PSK_RC4_128_SHA: 0x0092,
  RSA_PSK_3DES_EDE_CBC_SHA: 0x0093,
  RSA_PSK_AES128_CBC_SHA: 0x0094,
  RSA_PSK_AES256_CBC_SHA: 0x0095,
  RSA_PSK_AES128_CBC_SHA256: 0x00b6,
  RSA_PSK_AES128_GCM_SHA256: 0x00ac,
} as const;

/** Named groups (RFC 8422, RFC 7027). */
export const GROUP = {
  secp160r1: 16,
  secp192r1: 19,
  secp256r1: 23,
  secp384r1: 24,
  brainpoolP256r1: 26,
} as const;

/** SignatureScheme / (hash, signature) pairs of TLS 1.2 (RFC 5246 §7.4.1.4.1). */
export const SIGALG = { rsaMd5: 0x0101, rsaSha1: 0x0201, rsaSha256: 0x0401, rsaPssSha256: 0x0804 } as const;

/** TLS extension numbers. */
export const EXT = { encryptThenMac: 22, extendedMasterSecret: 23 } as const;

export interface Hello {
  readonly version: number;
  readonly suites: readonly number[];
  readonly groups?: readonly number[];
  readonly sigalgs?: readonly number[];
  /** Offer encrypt_then_mac (RFC 7366). */
  readonly encryptThenMac?: boolean;
}

export type Answer =
  | {
      readonly kind: 'server-hello';
      readonly version: number;
      readonly suite: number;
      readonly extensions: number[];
    }
  | { readonly kind: 'alert'; readonly level: number; readonly description: number }
  | { readonly kind: 'closed' };

const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const vec16 = (b: Buffer) => Buffer.concat([u16(b.length), b]);
const ext = (type: number, body: Buffer) => Buffer.concat([u16(type), vec16(body)]);
const list16 = (xs: readonly number[]) => vec16(Buffer.concat(xs.map(u16)));

export function clientHello(h: Hello): Buffer {
  const extensions =
    h.version === VERSION.ssl3
      ? Buffer.alloc(0)
      : Buffer.concat([
          h.groups ? ext(10, list16(h.groups)) : Buffer.alloc(0),
          h.groups ? ext(11, Buffer.from([1, 0])) : Buffer.alloc(0), // ec_point_formats: uncompressed
          h.sigalgs && h.version >= VERSION.tls12 ? ext(13, list16(h.sigalgs)) : Buffer.alloc(0),
          h.encryptThenMac ? ext(EXT.encryptThenMac, Buffer.alloc(0)) : Buffer.alloc(0),
          ext(EXT.extendedMasterSecret, Buffer.alloc(0)),
          ext(0xff01, Buffer.from([0])), // renegotiation_info (RFC 5746)
        ]);
  const body = Buffer.concat([
    u16(h.version),
    randomBytes(32),
    Buffer.from([0]), // no session id
    list16(h.suites),
    Buffer.from([1, 0]), // compression: null
    extensions.length ? vec16(extensions) : Buffer.alloc(0),
  ]);
  const handshake = Buffer.concat([
    Buffer.from([1, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]),
    body,
  ]);
  const recordVersion = Math.min(h.version, VERSION.tls10);
  return Buffer.concat([Buffer.from([0x16]), u16(recordVersion), vec16(handshake)]);
}

function parseServerHello(hs: Buffer): Answer {
  // Handshake header (4), server_version (2), random (32), session id (1 + n), suite (2), compression (1), extensions.
  const version = hs.readUInt16BE(4);
  let p = 38;
  p += 1 + hs[p]!;
  const suite = hs.readUInt16BE(p);
  p += 3;
  const extensions: number[] = [];
  if (p + 2 <= hs.length) {
    const end = p + 2 + hs.readUInt16BE(p);
    for (p += 2; p + 4 <= end; p += 4 + hs.readUInt16BE(p + 2)) extensions.push(hs.readUInt16BE(p));
  }
  return { kind: 'server-hello', version, suite, extensions };
}

/** Sends `hello` to 127.0.0.1:`port` and returns the server's first answer. */
export function probe(port: number, hello: Hello): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(clientHello(hello)));
    let buf = Buffer.alloc(0);
    const done = (a: Answer) => {
      socket.destroy();
      resolve(a);
    };
    socket.setTimeout(20_000, () => {
      socket.destroy();
      reject(new Error('no answer to the ClientHello'));
    });
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 5) return;
      const len = buf.readUInt16BE(3);
      if (buf.length < 5 + len) return;
      const record = buf.subarray(5, 5 + len);
      if (buf[0] === 0x15) done({ kind: 'alert', level: record[0]!, description: record[1]! });
      else if (buf[0] === 0x16 && record[0] === 2) done(parseServerHello(record));
      else done({ kind: 'closed' });
    });
    socket.on('error', () => done({ kind: 'closed' }));
    socket.on('end', () => done({ kind: 'closed' }));
  });
}
