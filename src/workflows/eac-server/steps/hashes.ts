/** Data-group hashes of a verified EIDSecurityInfo (TR-03110-3 A.1.1.8), as dg → hex. */
import type { SecurityInfo } from '../../../pki/security-infos.js';

export function hashesOf(infos: readonly SecurityInfo[]): {
  hashes: Record<string, string>;
  algorithm?: string;
} {
  const eid = infos.find((i) => i.kind === 'eidSecurity');
  if (eid?.kind !== 'eidSecurity') return { hashes: {} };
  const hashes: Record<string, string> = {};
  for (const [dg, h] of eid.dataGroupHashes) hashes[String(dg)] = h.toString('hex');
  return { hashes, algorithm: eid.hash };
}
