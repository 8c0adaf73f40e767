/**
 * The network addresses of 表8 (主機網路位址 / 子網路遮罩) as CIDR blocks, and
 * the check every call of an eService passes against the addresses the
 * reviewer registered. On the SOAP listener the address is the TCP peer's (the
 * socket's): it authenticates eServices with mutual TLS, which a proxy cannot
 * terminate. The admin API reads X-Forwarded-For only from the reverse proxies
 * named in admin.trustedProxies (`callerAddress`; docs/admin.md §9).
 */
import { BlockList, isIP } from 'node:net';
import { invalid } from './errors.js';

/** `a.b.c.d/nn` or `x:…/nnn` in canonical text, or an invalid-value error naming `field`. */
export function parseCidr(text: string, field: string): string {
  const m = /^([0-9a-fA-F:.]+)(?:\/(\d{1,3}))?$/.exec(text.trim());
  const family = m ? isIP(m[1]!) : 0;
  const max = family === 4 ? 32 : 128;
  const prefix = m?.[2] === undefined ? max : Number(m[2]);
  if (!m || family === 0 || prefix > max)
    throw invalid(field, `"${text}" is not an address or a CIDR block (a.b.c.d/nn)`, 'not-a-cidr');
  return `${m[1]!.toLowerCase()}/${prefix}`;
}

/** The prefix length of a dotted subnet mask (255.255.255.0 → 24), or of `/24`, `24`. */
export function prefixOfMask(mask: string): number | undefined {
  const bare = /^\/?(\d{1,3})$/.exec(mask);
  if (bare) return Number(bare[1]);
  if (isIP(mask) !== 4) return undefined;
  const bits = mask
    .split('.')
    .map((o) => Number(o).toString(2).padStart(8, '0'))
    .join('');
  return /^1*0*$/.test(bits) ? (bits.indexOf('0') === -1 ? 32 : bits.indexOf('0')) : undefined;
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d), else the address. */
export const plainAddress = (a: string): string => a.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');

/** Whether `address` is inside one of `networks`; an empty list allows every address. */
export function networkAllows(networks: readonly string[], address: string | undefined): boolean {
  if (networks.length === 0) return true;
  if (!address) return false;
  const ip = plainAddress(address);
  const family = isIP(ip);
  if (!family) return false;
  const list = new BlockList();
  for (const n of networks) {
    const [net, len] = n.split('/');
    const f = isIP(net!);
    if (f) list.addSubnet(net!, Number(len), f === 4 ? 'ipv4' : 'ipv6');
  }
  return list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The caller's address: the TCP peer's, unless the peer is one of `proxies` (admin.trustedProxies);
 * then the last X-Forwarded-For entry that is not a trusted proxy (the entries before it could be
 * written by anyone). An entry that is not an address is returned as it is, which no network allows.
 */
export function callerAddress(
  peer: string | undefined,
  forwardedFor: string | undefined,
  proxies: readonly string[],
): string | undefined {
  if (!peer || proxies.length === 0 || !forwardedFor || !networkAllows(proxies, peer)) return peer;
  const hops = forwardedFor
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean)
    .slice(-32);
  for (let i = hops.length - 1; i >= 0; i--) if (!networkAllows(proxies, hops[i]!)) return hops[i];
  return hops[0] ?? peer;
}
