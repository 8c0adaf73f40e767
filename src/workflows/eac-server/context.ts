/** Everything the server side of the EAC conversation needs, built once at start-up. */
import type { Registry } from '../../config/relying-parties.js';
import type { PkiMaterial } from '../../provisioning/store.js';
import type { Meter } from './meter.js';
import type { PassiveAuthenticator } from './passive-auth-cache.js';

export interface EacServerContext {
  readonly pki: PkiMaterial;
  readonly registry: Registry;
  readonly passiveAuth: PassiveAuthenticator;
  /** Sector-specific identifiers (hex) of revoked cards, per eService. */
  readonly blacklist: (eServiceId: string) => ReadonlySet<string>;
  /** 'extended': one extended-length READ BINARY per file; 'short': 0xDF-byte chunks (two round trips). */
  readonly readMode: 'extended' | 'short';
  readonly now: () => Date;
  /** CPU accounting by category (benchmarks); default none. */
  readonly meter?: Meter;
}
