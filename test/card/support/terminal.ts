/**
 * A test-only terminal (PCD) that drives the virtual card through raw APDUs:
 * PACE, Terminal Authentication, Chip Authentication, Restricted
 * Identification, reads and auxiliary-data verification, with secure
 * messaging from src/sm. It checks what a terminal checks (PACE and CA
 * tokens, response MACs) and reports status words instead of throwing, so
 * tests can assert on refusals.
 */
import { createHash, diffieHellman, type KeyObject } from 'node:crypto';
import {
  type CommandApdu,
  command,
  encodeCommand,
  parseResponse,
  type ResponseApdu,
} from '../../../src/apdu/apdu.js';
import type { CardTransport } from '../../../src/apdu/transport.js';
import { oid as derOid } from '../../../src/asn1/der.js';
import { encodeOidValue } from '../../../src/asn1/oid.js';
import { OID } from '../../../src/asn1/oids.js';
import { type Curve, curveByStandardizedId, encodePoint, toFixed } from '../../../src/crypto/curves.js';
import { ecdsaSign } from '../../../src/crypto/ecdsa.js';
import { type EcKeyPair, generateEcKeyPair, publicKeyFromPoint } from '../../../src/crypto/keys.js';
import {
  authToken,
  decryptNonce,
  ephemeralKey,
  keyBitsOfProtocol,
  mapNonce,
  passwordKey,
  type SessionKeys,
  sessionKeys,
  sharedSecret,
} from '../../../src/crypto/pace.js';
import { randomScalar } from '../../../src/crypto/random.js';
import { CvCertificate } from '../../../src/pki/cvc/certificate.js';
import type { Chat } from '../../../src/pki/cvc/chat.js';
import { decodeSecurityInfos, type SecurityInfo } from '../../../src/pki/security-infos.js';
import { parseCms } from '../../../src/pki/x509/cms.js';
import { SecureMessaging, SmError } from '../../../src/sm/secure-messaging.js';
import { childrenOf, findTlv, parseTlv, type Tlv, tlv } from '../../../src/tlv/tlv.js';

export type PasswordName = 'can' | 'pin' | 'puk';
const REF: Record<PasswordName, number> = { can: 0x02, pin: 0x03, puk: 0x04 };

export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
export const swOf = (r: ResponseApdu): string => r.sw.toString(16).toUpperCase().padStart(4, '0');

export interface PaceOptions {
  readonly password: PasswordName;
  /** The password text, or Kπ directly. */
  readonly secret: string | { readonly kpi: Buffer };
  readonly chat?: Chat;
  /** Fixed terminal keys (worked examples). */
  readonly mappingKey?: bigint;
  readonly ephemeralKey?: bigint;
  /** Send a wrong authentication token. */
  readonly wrongToken?: boolean;
}

export interface PaceResult {
  readonly sw: number;
  /** Status word of MSE:Set AT (9000 or 63CX). */
  readonly mseSw: number;
  readonly ok: boolean;
  readonly steps: ResponseApdu[];
  readonly cars: string[];
  readonly idPicc?: Buffer;
  readonly keys?: SessionKeys;
  readonly encryptedNonce?: Buffer;
  readonly chipMappingPublic?: Buffer;
  readonly chipEphemeralPublic?: Buffer;
  readonly chipToken?: Buffer;
  readonly terminalToken?: Buffer;
}

export interface TaOptions {
  /** CV certificates to send, in order (DV, terminal; optionally link certificates first). */
  readonly chain: readonly Buffer[];
  readonly terminalKey: KeyObject;
  /** The 67 authenticated auxiliary data object. */
  readonly aux?: Buffer;
  /** Flip a bit of the signature. */
  readonly badSignature?: boolean;
}

export interface TaResult {
  readonly sw: number;
  /** Status words of every command, in order. */
  readonly sws: number[];
  readonly ephemeral: EcKeyPair;
}

/** 67 { 73 { 06 OID, 53 data } … } */
export function auxData(entries: readonly [string, Buffer][]): Buffer {
  return tlv(
    0x67,
    entries.map(([o, d]) => tlv(0x73, [derOid(o), tlv(0x53, d)])),
  );
}

export class TestTerminal {
  sm?: SecureMessaging;
  cardAccess?: SecurityInfo[];
  idPicc?: Buffer;
  /** Status word of the last response that the card sent in plain inside a session (SM aborted). */
  lastPlainSw?: number;

  constructor(readonly card: CardTransport) {}

  /** Sends raw bytes, no secure messaging. */
  async raw(apdu: Buffer | string): Promise<ResponseApdu> {
    return parseResponse(await this.card.transmit(typeof apdu === 'string' ? hex(apdu) : apdu));
  }

  /** Sends a command, protected when a session is open. A plain answer inside a session closes it. */
  async send(c: CommandApdu, opts: { extended?: boolean } = {}): Promise<ResponseApdu> {
    const sm = this.sm;
    if (!sm) return this.raw(encodeCommand(c, opts.extended));
    const wrapped = sm.wrapCommand(c);
    const r = await this.raw(encodeCommand(wrapped, opts.extended));
    try {
      return sm.unwrapResponse(r);
    } catch (e) {
      if (!(e instanceof SmError)) throw e;
      this.sm = undefined;
      this.lastPlainSw = r.sw;
      return { data: Buffer.alloc(0), sw: r.sw };
    }
  }

  async readCardAccess(): Promise<SecurityInfo[]> {
    await this.send(command(0x00, 0xa4, 0x00, 0x0c, hex('3F00')));
    const data = await this.readEf(0x1c);
    this.cardAccess = decodeSecurityInfos(data);
    return this.cardAccess;
  }

  private paceInfo(): { protocol: string; curve: Curve } {
    const p = this.cardAccess?.find((i) => i.kind === 'pace');
    if (p?.kind !== 'pace') throw new Error('read EF.CardAccess first');
    return { protocol: p.protocol, curve: curveByStandardizedId(p.parameterId!) };
  }

  /** PACE with generic mapping (TR-03110-3 B.1). */
  async pace(o: PaceOptions): Promise<PaceResult> {
    if (!this.cardAccess) await this.readCardAccess();
    const { protocol, curve } = this.paceInfo();
    const bits = keyBitsOfProtocol(protocol);
    const steps: ResponseApdu[] = [];
    const mseData = [
      tlv(0x80, encodeOidValue(protocol)),
      tlv(0x83, Buffer.from([REF[o.password]])),
      ...(o.chat ? [o.chat.encode()] : []),
    ];
    const mse = await this.send(command(0x00, 0x22, 0xc1, 0xa4, Buffer.concat(mseData)));
    const fail = (sw: number): PaceResult => ({ sw, mseSw: mse.sw, ok: false, steps, cars: [] });
    if (mse.sw !== 0x9000 && (mse.sw & 0xfff0) !== 0x63c0) return fail(mse.sw);
    const ga = async (chained: boolean, inner: Buffer[]): Promise<Tlv[] | number> => {
      const r = await this.send(command(chained ? 0x10 : 0x00, 0x86, 0, 0, tlv(0x7c, inner), 256));
      steps.push(r);
      if (r.sw !== 0x9000) return r.sw;
      return childrenOf(parseTlv(r.data));
    };
    const kpi =
      typeof o.secret === 'string' ? passwordKey(Buffer.from(o.secret, 'latin1'), bits) : o.secret.kpi;
    const r1 = await ga(true, []);
    if (typeof r1 === 'number') return fail(r1);
    const z = findTlv(r1, 0x80)!.value;
    const s = decryptNonce(kpi, z);
    const mapping = ephemeralKey(curve, curve.Point.BASE, o.mappingKey ?? randomScalar(curve));
    const r2 = await ga(true, [tlv(0x81, encodePoint(mapping.Q))]);
    if (typeof r2 === 'number') return fail(r2);
    const chipMapping = findTlv(r2, 0x82)!.value;
    const g = mapNonce(curve, s, mapping, chipMapping);
    const eph = ephemeralKey(curve, g, o.ephemeralKey ?? randomScalar(curve));
    const r3 = await ga(true, [tlv(0x83, encodePoint(eph.Q))]);
    if (typeof r3 === 'number') return fail(r3);
    const chipEph = findTlv(r3, 0x84)!.value;
    const keys = sessionKeys(sharedSecret(curve, eph.d, chipEph), bits);
    const token = authToken(keys.mac, protocol, chipEph);
    if (o.wrongToken) token[0]! ^= 1;
    const r4 = await ga(false, [tlv(0x85, token)]);
    if (typeof r4 === 'number') return fail(r4);
    const chipToken = findTlv(r4, 0x86)!.value;
    if (!chipToken.equals(authToken(keys.mac, protocol, encodePoint(eph.Q))))
      throw new Error('the chip’s PACE token is wrong');
    const cars = [findTlv(r4, 0x87), findTlv(r4, 0x88)]
      .filter((t): t is Tlv => !!t)
      .map((t) => t.value.toString('latin1'));
    this.sm = new SecureMessaging({ enc: Buffer.from(keys.enc), mac: Buffer.from(keys.mac) });
    this.idPicc = Buffer.from(chipEph.subarray(1, 1 + curve.size));
    return {
      sw: 0x9000,
      mseSw: mse.sw,
      ok: true,
      steps,
      cars,
      idPicc: this.idPicc,
      keys,
      encryptedNonce: z,
      chipMappingPublic: chipMapping,
      chipEphemeralPublic: chipEph,
      chipToken,
      terminalToken: token,
    };
  }

  async select(p1: number, data: Buffer, p2 = 0x0c): Promise<ResponseApdu> {
    return this.send(command(0x00, 0xa4, p1, p2, data, p2 === 0x0c ? 0 : 256));
  }

  async selectEid(): Promise<ResponseApdu> {
    return this.select(0x04, hex('E80704007F00070302'));
  }

  /** READ BINARY with a short EF identifier, then by offset until the end; throws on errors. */
  async readEf(sfi: number, chunk = 0xdf): Promise<Buffer> {
    const r = await this.readSfi(sfi, chunk);
    if (r.sw === 0x6282) return r.data;
    if (r.sw !== 0x9000) throw new Error(`READ BINARY SFI ${sfi}: ${swOf(r)}`);
    return this.readRest(r.data, chunk);
  }

  async readSfi(sfi: number, ne = 256): Promise<ResponseApdu> {
    return this.send(command(0x00, 0xb0, 0x80 | sfi, 0x00, Buffer.alloc(0), ne));
  }

  /** Completes a file whose beginning is `head`, using the length of its outer TLV. */
  async readRest(head: Buffer, chunk = 0xdf): Promise<Buffer> {
    const parts = [head];
    let got = head.length;
    const total = tlvLength(head);
    while (got < total) {
      const r = await this.send(
        command(0x00, 0xb0, got >> 8, got & 0xff, Buffer.alloc(0), Math.min(chunk, total - got)),
      );
      if (r.sw !== 0x9000 && r.sw !== 0x6282) throw new Error(`READ BINARY at ${got}: ${swOf(r)}`);
      if (!r.data.length) break;
      parts.push(r.data);
      got += r.data.length;
    }
    return Buffer.concat(parts);
  }

  /** Reads and decodes EF.CardSecurity's SecurityInfos (no signature check). */
  async readCardSecurity(): Promise<{ raw: Buffer; infos: SecurityInfo[] }> {
    await this.select(0x00, hex('3F00'));
    const raw = await this.readEf(0x1d);
    return { raw, infos: decodeSecurityInfos(parseCms(raw).content) };
  }

  /** Terminal Authentication version 2 (TR-03110-3 B.3). */
  async ta(o: TaOptions, curve?: Curve): Promise<TaResult> {
    const c = curve ?? this.paceInfo().curve;
    const ephemeral = generateEcKeyPair(c);
    const sws: number[] = [];
    const step = async (cmd: CommandApdu): Promise<ResponseApdu> => {
      const r = await this.send(cmd, { extended: cmd.data.length > 255 });
      sws.push(r.sw);
      return r;
    };
    const done = (sw: number): TaResult => ({ sw, sws, ephemeral });
    let terminal: CvCertificate | undefined;
    for (const raw of o.chain) {
      const cert = CvCertificate.decode(raw);
      const dst = await step(command(0x00, 0x22, 0x81, 0xb6, tlv(0x83, Buffer.from(cert.car, 'latin1'))));
      if (dst.sw !== 0x9000) return done(dst.sw);
      const body = parseTlv(raw).value;
      const pso = await step(command(0x00, 0x2a, 0x00, 0xbe, body));
      if (pso.sw !== 0x9000) return done(pso.sw);
      terminal = cert;
    }
    if (!terminal) throw new Error('empty chain');
    const comp = toFixed(ephemeral.curve.Point.fromBytes(ephemeral.publicPoint).x, c.size);
    const setAt = [
      tlv(0x80, encodeOidValue(terminal.publicKey.algorithm)),
      tlv(0x83, Buffer.from(terminal.chr, 'latin1')),
      ...(o.aux ? [o.aux] : []),
      tlv(0x91, comp),
    ];
    const mse = await step(command(0x00, 0x22, 0x81, 0xa4, Buffer.concat(setAt)));
    if (mse.sw !== 0x9000) return done(mse.sw);
    const ch = await step(command(0x00, 0x84, 0x00, 0x00, Buffer.alloc(0), 8));
    if (ch.sw !== 0x9000) return done(ch.sw);
    const message = Buffer.concat([this.idPicc!, ch.data, comp, o.aux ?? Buffer.alloc(0)]);
    const sig = ecdsaSign(terminal.hash, message, o.terminalKey, 'plain');
    if (o.badSignature) sig[5]! ^= 0x01;
    const ea = await step(command(0x00, 0x82, 0x00, 0x00, sig));
    return done(ea.sw);
  }

  /** Chip Authentication version 2 (TR-03110-3 B.2) with the key from EF.CardSecurity. */
  async ca(ephemeral: EcKeyPair, caInfos?: SecurityInfo[]): Promise<{ sw: number; ok: boolean }> {
    const infos = caInfos ?? (await this.readCardSecurity()).infos;
    const ca = infos.find((i) => i.kind === 'ca');
    const pk = infos.find((i) => i.kind === 'caPublicKey');
    if (ca?.kind !== 'ca' || pk?.kind !== 'caPublicKey')
      throw new Error('no Chip Authentication in EF.CardSecurity');
    const mse = await this.send(
      command(
        0x00,
        0x22,
        0x41,
        0xa4,
        Buffer.concat([tlv(0x80, encodeOidValue(ca.protocol)), tlv(0x84, Buffer.from([ca.keyId ?? 1]))]),
      ),
    );
    if (mse.sw !== 0x9000) return { sw: mse.sw, ok: false };
    const r = await this.send(command(0x00, 0x86, 0, 0, tlv(0x7c, tlv(0x80, ephemeral.publicPoint)), 256));
    if (r.sw !== 0x9000) return { sw: r.sw, ok: false };
    const dos = childrenOf(parseTlv(r.data));
    const nonce = findTlv(dos, 0x81)!.value;
    const token = findTlv(dos, 0x82)!.value;
    const k = diffieHellman({
      privateKey: ephemeral.privateKey,
      publicKey: publicKeyFromPoint(pk.curve, pk.point),
    });
    const keys = sessionKeys(k, keyBitsOfProtocol(ca.protocol), nonce);
    if (!token.equals(authToken(keys.mac, ca.protocol, ephemeral.publicPoint)))
      throw new Error('the chip’s CA token is wrong');
    this.sm = new SecureMessaging(keys);
    return { sw: r.sw, ok: true };
  }

  /** Restricted Identification (TR-03110-3 B.4) with a sector public key data object (7F49 …). */
  async ri(sectorKeyObject: Buffer, keyId = 1): Promise<ResponseApdu & { id?: Buffer }> {
    const mse = await this.send(
      command(
        0x00,
        0x22,
        0x41,
        0xa4,
        Buffer.concat([tlv(0x80, encodeOidValue(OID.idRiEcdhSha256)), tlv(0x84, Buffer.from([keyId]))]),
      ),
    );
    if (mse.sw !== 0x9000) return mse;
    const inner = parseTlv(sectorKeyObject).value;
    const r = await this.send(command(0x00, 0x86, 0, 0, tlv(0x7c, tlv(0xa0, inner)), 256), {
      extended: true,
    });
    if (r.sw !== 0x9000) return r;
    return { ...r, id: findTlv(childrenOf(parseTlv(r.data)), 0x81)!.value };
  }

  /** VERIFY of authenticated auxiliary data (B.14.10), CLA 8C as the TR requires. */
  async verify(auxOid: string): Promise<ResponseApdu> {
    return this.send(command(0x80, 0x20, 0x80, 0x00, derOid(auxOid)));
  }
}

/** The total length of the TLV object at the start of `b`. */
export function tlvLength(b: Buffer): number {
  const l0 = b[1]!;
  if (l0 < 0x80) return 2 + l0;
  const n = l0 & 0x7f;
  return 2 + n + b.readUIntBE(2, n);
}

export const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();
