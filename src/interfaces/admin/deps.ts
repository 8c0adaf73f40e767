/** What the admin API's routes work with. */
import type { CertificateExpiry } from '../../operations/metrics.js';
import type { RevocationLists } from '../../provisioning/revocation.js';
import type { AuditTrail } from '../../registry/audit/trail.js';
import type { RegistryContext } from '../../registry/context.js';
import type { LiveRegistry } from '../../registry/live.js';
import type { ConsoleEServiceOptions } from '../../registry/workflow/console-eservice.js';
import type { MetadataPolicy } from './saml-metadata.js';

export interface AdminDeps {
  readonly ctx: RegistryContext;
  readonly live: LiveRegistry;
  readonly trail: AuditTrail;
  readonly metadata: MetadataPolicy;
  /** Invitations of people: how long they stay open, and the link that carries the token. */
  readonly invitations: { readonly hours: number; url(token: string): string };
  /** The console's own eService (set up with the first invitation: people log in through it). */
  readonly console?: ConsoleEServiceOptions;
  /** The certificates and CRLs the metrics watch (the overview's expiry list). */
  readonly certificates: MountCertificates;
  /** The card revocation list (the overview reports its age). */
  readonly revocation: Pick<RevocationLists, 'updates' | 'isCurrent'>;
}

export interface MountCertificates {
  expiries(): readonly CertificateExpiry[];
  crls(): readonly { readonly issuer: string; readonly thisUpdate: Date }[];
}
