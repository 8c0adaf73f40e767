/** What the admin API's routes work with. */
import type { AuditTrail } from '../../registry/audit/trail.js';
import type { RegistryContext } from '../../registry/context.js';
import type { LiveRegistry } from '../../registry/live.js';
import type { MetadataPolicy } from './saml-metadata.js';

export interface AdminDeps {
  readonly ctx: RegistryContext;
  readonly live: LiveRegistry;
  readonly trail: AuditTrail;
  readonly metadata: MetadataPolicy;
}
