/**
 * PACE, chip side (TR-03110-2 §3.2; TR-03110-3 A.3, B.1; ICAO 9303-11 §4.4),
 * generic mapping on ECDH. General Authenticate chain, CLA with the chaining
 * bit for steps 1-3 (B.13):
 *
 *   1. 7C{}          → 7C{80 z = E(Kπ, s)}
 *   2. 7C{81 PK_map} → 7C{82 PK_map_PICC}           Ĝ = s·G + SK_map·PK_map
 *   3. 7C{83 PK_eph} → 7C{84 PK_eph_PICC}           K = x(SK_eph·PK_eph), PK_eph ≠ PK_eph_PICC
 *   4. 7C{85 T_PCD}  → 7C{86 T_PICC [87 CAR, 88 CAR]}
 *
 * Password states (TR-03110-2 §2.2.3, B.14.2): a blocked password is refused
 * with 6983; a suspended PIN (RC 1) with 6985 unless PACE with CAN resumed it
 * in this session. A wrong PIN or user code shows at step 4: the retry counter
 * decreases and the answer is 63CX with the new value; a wrong CAN is 6300.
 * Success resets the counter and (re)starts secure messaging with KSenc/KSmac,
 * SSC 0; a second PACE inside a session answers under the old keys and then
 * switches (TR-03110-2 §3.2.2).
 */
import { diffieHellman } from 'node:crypto';
import type { CommandApdu } from '../../apdu/apdu.js';
import { SW } from '../../apdu/status.js';
import { decodePoint, encodePoint, toFixed } from '../../crypto/curves.js';
import { CryptoError } from '../../crypto/errors.js';
import { privateKeyFromScalar, publicKeyFromPoint } from '../../crypto/keys.js';
import {
  authToken,
  encryptNonce,
  ephemeralKey,
  mapNonce,
  passwordKey,
  sessionKeys,
} from '../../crypto/pace.js';
import { constantTimeEqual } from '../../crypto/symmetric.js';
import { SecureMessaging } from '../../sm/secure-messaging.js';
import { type Tlv, tlv } from '../../tlv/tlv.js';
import type { CommandContext, CommandResult } from '../context.js';
import { CARD_SW, CardError, fail } from '../errors.js';
import type { PaceRun } from '../session.js';
import { expectObjects } from './objects.js';

const NONCE_BYTES = 16;

function checkPasswordUsable(ctx: CommandContext, run: PaceRun): void {
  const rc = ctx.state.retryCounter(run.password);
  if (rc === 0) fail(SW.AUTH_METHOD_BLOCKED, `the ${run.password} is blocked`);
  if (run.password === 'pin' && rc === 1 && !ctx.session.pinResumed)
    fail(SW.CONDITIONS_NOT_SATISFIED, 'the PIN is suspended: PACE with CAN first');
}

function step1(ctx: CommandContext, run: PaceRun, dos: Tlv[]): Buffer {
  if (dos.length) fail(SW.WRONG_DATA, 'step 1 carries no data');
  checkPasswordUsable(ctx, run);
  const secret = Buffer.from(ctx.state.secret(run.password), 'latin1');
  const kpi = ctx.hooks.passwordKey?.(run.password, run.bits) ?? passwordKey(secret, run.bits);
  run.nonce = ctx.rng.bytes(NONCE_BYTES, 'pace-nonce');
  return tlv(0x80, encryptNonce(kpi, run.nonce));
}

function step2(ctx: CommandContext, run: PaceRun, dos: Tlv[]): Buffer {
  const pcdMapping =
    expectObjects(dos, [0x81], 'map nonce').get(0x81) ?? fail(SW.WRONG_DATA, 'mapping data (81) is missing');
  const curve = ctx.config.curve;
  run.mapping = ephemeralKey(curve, curve.Point.BASE, ctx.rng.scalar(curve, 'pace-mapping'));
  run.generator = mapNonce(curve, run.nonce!, run.mapping, pcdMapping);
  return tlv(0x82, encodePoint(run.mapping.Q));
}

function step3(ctx: CommandContext, run: PaceRun, dos: Tlv[]): Buffer {
  const pcd =
    expectObjects(dos, [0x83], 'key agreement').get(0x83) ??
    fail(SW.WRONG_DATA, 'ephemeral public key (83) is missing');
  const curve = ctx.config.curve;
  decodePoint(curve, pcd);
  run.ephemeral = ephemeralKey(curve, run.generator!, ctx.rng.scalar(curve, 'pace-ephemeral'));
  const own = encodePoint(run.ephemeral.Q);
  if (own.equals(pcd)) fail(SW.WRONG_DATA, 'the terminal sent the chip’s own ephemeral key');
  run.pcdEphemeral = Buffer.from(pcd);
  // K = x(SK·PK_PCD) on OpenSSL: ECDH needs no generator, only the point (TR-03111 §4.3.1).
  const k = diffieHellman({
    privateKey: privateKeyFromScalar(curve, toFixed(run.ephemeral.d, curve.size)),
    publicKey: publicKeyFromPoint(curve, pcd),
  });
  run.keys = sessionKeys(k, run.bits);
  return tlv(0x84, own);
}

function step4(ctx: CommandContext, run: PaceRun, dos: Tlv[]): CommandResult {
  const token =
    expectObjects(dos, [0x85], 'mutual authentication').get(0x85) ??
    fail(SW.WRONG_DATA, 'authentication token (85) is missing');
  const s = ctx.session;
  const own = encodePoint(run.ephemeral!.Q);
  if (!constantTimeEqual(token, authToken(run.keys!.mac, run.protocol, own))) {
    if (run.password === 'can') return { sw: SW.VERIFICATION_FAILED };
    return { sw: 0x63c0 | ctx.state.decrement(run.password) };
  }
  ctx.state.resetCounter(run.password);
  const items = [tlv(0x86, authToken(run.keys!.mac, run.protocol, run.pcdEphemeral!))];
  if (run.chat) {
    // B.1.4: the most recent CAR in 87, the previous one in 88.
    const cars = ctx.state.trustPoints.map((t) => t.chr);
    if (cars[0]) items.push(tlv(0x87, Buffer.from(cars[0], 'latin1')));
    if (cars[1]) items.push(tlv(0x88, Buffer.from(cars[1], 'latin1')));
  }
  const keys = run.keys!;
  const idPicc = toFixed(run.ephemeral!.Q.x, ctx.config.curve.size);
  return {
    sw: SW.OK,
    data: tlv(0x7c, items),
    after: () => {
      s.sm?.close();
      s.sm = new SecureMessaging(keys);
      s.pace = { password: run.password, idPicc, ...(run.chat ? { chat: run.chat } : {}) };
      if (run.password === 'can') s.pinResumed = true;
      s.ta = undefined;
      s.ca = false;
      s.taSetup = undefined;
      s.imported = undefined;
      s.dst = undefined;
      s.challenge = undefined;
    },
  };
}

export function paceStep(cmd: CommandApdu, ctx: CommandContext, run: PaceRun, dos: Tlv[]): CommandResult {
  const s = ctx.session;
  const chained = (cmd.cla & 0x10) !== 0;
  // Every failure ends this PACE attempt; an established session stays as it was.
  s.se = undefined;
  if (run.step === 3 && chained) fail(CARD_SW.LAST_COMMAND_EXPECTED, 'step 4 must end the command chain');
  if (run.step < 3 && !chained)
    fail(SW.CONDITIONS_NOT_SATISFIED, `PACE step ${run.step + 1} must be chained (CLA b5)`);
  try {
    switch (run.step) {
      case 0: {
        const data = step1(ctx, run, dos);
        run.step = 1;
        s.se = run;
        return { sw: SW.OK, data: tlv(0x7c, data) };
      }
      case 1: {
        const data = step2(ctx, run, dos);
        run.step = 2;
        s.se = run;
        return { sw: SW.OK, data: tlv(0x7c, data) };
      }
      case 2: {
        const data = step3(ctx, run, dos);
        run.step = 3;
        s.se = run;
        return { sw: SW.OK, data: tlv(0x7c, data) };
      }
      case 3:
        return step4(ctx, run, dos);
    }
  } catch (e) {
    if (e instanceof CryptoError) throw new CardError(SW.WRONG_DATA, `PACE: ${e.message}`);
    throw e;
  }
}
