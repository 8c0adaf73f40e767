/**
 * The ephemeral Chip Authentication key between the EAC1 and EAC2 messages (TR-03110-2 §3.4).
 *
 * It travels in the session as SEC1 DER, so that any worker or instance can serve the next
 * message. Usually the worker that made it serves the EAC2 response as well (the eID-Client keeps
 * its connection): that worker keeps the KeyObject for a short time, keyed by exactly the bytes in
 * the session, and takes it out when it is used — no parse at all. Any other worker imports the
 * DER; OpenSSL 3 parses SEC1 about four times faster than PKCS#8 (its decoder chain), and
 * sessions written before SEC1 was used (PKCS#8) are still read.
 *
 * Bounded: at most `MAX_KEPT` keys, each for at most `KEEP_MS` (a key not used by then is
 * imported from the session like on any other worker).
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';

const MAX_KEPT = 4096;
const KEEP_MS = 120_000;

const kept = new Map<string, { readonly key: KeyObject; readonly until: number }>();

function forget(now: number): void {
  for (const [der, entry] of kept) {
    if (entry.until > now && kept.size < MAX_KEPT) break;
    kept.delete(der);
  }
}

/** The DER to put in the session; the key stays at hand for `takeCaKey`. */
export function storeCaKey(key: KeyObject, now = Date.now()): Buffer {
  const der = key.export({ format: 'der', type: 'sec1' });
  forget(now);
  kept.set(der.toString('base64'), { key, until: now + KEEP_MS });
  return der;
}

/** The private key for the DER from the session: the kept one, else imported (SEC1, or PKCS#8 of older sessions). */
export function takeCaKey(der: Buffer, now = Date.now()): KeyObject {
  const id = der.toString('base64');
  const entry = kept.get(id);
  if (entry) {
    kept.delete(id);
    if (entry.until > now) return entry.key;
  }
  return createPrivateKey({ key: der, format: 'der', type: isVersionZero(der) ? 'pkcs8' : 'sec1' });
}

/** PKCS#8 PrivateKeyInfo starts with version 0, SEC1 ECPrivateKey with version 1 (RFC 5208, RFC 5915). */
function isVersionZero(der: Buffer): boolean {
  const at = (der[1] ?? 0) & 0x80 ? 2 + (der[1]! & 0x7f) : 2;
  return der[0] === 0x30 && der[at] === 0x02 && der[at + 1] === 0x01 && der[at + 2] === 0x00;
}
