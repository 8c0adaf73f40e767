/**
 * CVCA link certificates (TR-03110-3 §2.4): when the CVCA key is renewed, the
 * new CVCA public key is certified by the previous one, so that a card which
 * still trusts the previous CVCA can reach the new one (and takes it as its
 * new trust point). The eID-Server sends all link certificates it knows in
 * EAC1InputType (TR-03112-7 §3.6.4.1; TR-03130-4 profile ALL_LINK, case
 * C1_1_11); the eID-Client picks what the card needs from its CAR.
 */
import type { Curve } from '../../crypto/curves.js';
import type { CvCertificate } from './certificate.js';
import { CvcError } from './errors.js';

export interface LinkChain {
  /** Link certificates, newest first: the first is the current CVCA's key certified by its predecessor. */
  readonly links: readonly CvCertificate[];
  /** CHRs of the CVCAs a card may trust and still reach the current CVCA: the current one and every predecessor. */
  readonly trustedCars: ReadonlySet<string>;
}

/**
 * Orders `links` into the chain that ends at `current` and checks it: every
 * link is a CVCA certificate that is not self-signed, the newest one
 * certifies the current CVCA's key, each link certifies the key of the link
 * above it, and every signature whose issuer key is at hand (the next older
 * link's) verifies. A link that does not lead to the current CVCA is refused.
 */
export function linkChain(current: CvCertificate, links: readonly CvCertificate[], curve: Curve): LinkChain {
  const byChr = new Map<string, CvCertificate>();
  for (const l of links) {
    if (l.role !== 'cvca' || l.isSelfSigned)
      throw new CvcError('wrong-role', `${l.chr} (by ${l.car}) is not a CVCA link certificate`);
    if (byChr.has(l.chr)) throw new CvcError('broken-chain', `two link certificates for ${l.chr}`);
    byChr.set(l.chr, l);
  }
  const ordered: CvCertificate[] = [];
  const trustedCars = new Set([current.chr]);
  let link = byChr.get(current.chr);
  if (link && !link.publicKey.point.equals(current.publicKey.point))
    throw new CvcError(
      'broken-chain',
      `the link certificate ${link.chr} (by ${link.car}) certifies another key`,
    );
  while (link) {
    if (trustedCars.has(link.car))
      throw new CvcError('broken-chain', `the link certificates of ${link.car} loop`);
    const issuer = byChr.get(link.car);
    if (issuer && !link.verifySignature(issuer.keyObject(curve), issuer.hash))
      throw new CvcError('bad-signature', `the link certificate ${link.chr} is not signed by ${link.car}`);
    ordered.push(link);
    trustedCars.add(link.car);
    link = issuer;
  }
  const stray = links.filter((l) => !ordered.includes(l));
  if (stray.length)
    throw new CvcError(
      'broken-chain',
      `link certificate(s) ${stray.map((l) => `${l.chr} by ${l.car}`).join(', ')} do not lead to the current CVCA ${current.chr}`,
    );
  return { links: ordered, trustedCars };
}
