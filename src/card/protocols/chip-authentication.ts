/**
 * Chip Authentication version 2, chip side (TR-03110-2 §3.4; TR-03110-3
 * A.4.1.3, B.2, B.14.2):
 *
 *   GA 00 86 00 00 7C{80 PK_PCD} → 7C{81 r, 82 T}
 *
 * PK_PCD must be on the chip's curve and its compression (x-coordinate) must
 * equal the 91 value authenticated in Terminal Authentication (§3.3.2). After
 * PACE with the CAN, CA also runs without TA (chip-profile §3.3 A8); the
 * access rights then stay those of PACE with the CAN (the public area).
 * K = x(SK_CA·PK_PCD) (node:crypto ECDH), KSenc/KSmac = KDF(K ‖ r, 1/2),
 * T = CMAC(KSmac, 7F49{06 OID, 86 PK_PCD}) truncated to 8 bytes (A.2.4.2).
 * The response travels under the PACE keys; then secure messaging restarts
 * with the new keys and SSC 0. On failure the PACE channel stays (§3.4.2).
 */
import { diffieHellman } from 'node:crypto';
import type { CommandApdu } from '../../apdu/apdu.js';
import { SW } from '../../apdu/status.js';
import { decodePoint } from '../../crypto/curves.js';
import { CryptoError } from '../../crypto/errors.js';
import { publicKeyFromPoint } from '../../crypto/keys.js';
import { authToken, sessionKeys } from '../../crypto/pace.js';
import { constantTimeEqual } from '../../crypto/symmetric.js';
import { SecureMessaging } from '../../sm/secure-messaging.js';
import { type Tlv, tlv } from '../../tlv/tlv.js';
import type { CommandContext, CommandResult } from '../context.js';
import { CARD_SW, fail } from '../errors.js';
import { expectObjects } from './objects.js';

export function chipAuthentication(cmd: CommandApdu, ctx: CommandContext, dos: Tlv[]): CommandResult {
  const s = ctx.session;
  if (cmd.cla & 0x10) fail(CARD_SW.LAST_COMMAND_EXPECTED, 'Chip Authentication is a single command');
  // TR-03110-2 §3.4: TA precedes CA. The one exception of this profile (chip-profile §3.3 A8): after
  // PACE with the CAN, which grants the public area only and never admits TA for an eService, CA runs
  // without TA, so an Open API reader can prove the chip to its verifier (docs/open-api.md).
  const ta = s.ta;
  if (!ta && s.pace?.password !== 'can')
    fail(SW.SECURITY_STATUS_NOT_SATISFIED, 'Terminal Authentication must precede Chip Authentication');
  if (s.ca) fail(SW.CONDITIONS_NOT_SATISFIED, 'Chip Authentication was already performed');
  const pk =
    expectObjects(dos, [0x80], 'Chip Authentication').get(0x80) ??
    fail(SW.WRONG_DATA, 'ephemeral public key (80) is missing');
  const { curve, ca } = ctx.config;
  try {
    decodePoint(curve, pk);
  } catch (e) {
    if (e instanceof CryptoError) fail(SW.WRONG_DATA, `PK_PCD: ${e.message}`);
    throw e;
  }
  if (ta && !constantTimeEqual(pk.subarray(1, 1 + curve.size), ta.pkPcdComp)) {
    fail(SW.SECURITY_STATUS_NOT_SATISFIED, 'PK_PCD is not the key authenticated in Terminal Authentication');
  }
  const k = diffieHellman({ privateKey: ca.key, publicKey: publicKeyFromPoint(curve, pk) });
  const r = ctx.rng.bytes(8, 'ca-nonce');
  const keys = sessionKeys(k, ca.bits, r);
  const token = authToken(keys.mac, ca.protocol, pk);
  return {
    sw: SW.OK,
    data: tlv(0x7c, [tlv(0x81, r), tlv(0x82, token)]),
    after: () => {
      s.sm?.close();
      s.sm = new SecureMessaging(keys);
      s.ca = true;
      s.se = undefined;
    },
  };
}
