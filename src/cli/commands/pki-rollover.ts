/**
 * `neid pki rollover [--dir DIR] [--config FILE] [--relying-parties FILE]`
 *
 * CVCA key rollover of a PKI directory (provisioning/test-pki/rollover.ts): a new CVCA, the link
 * certificate from the previous one (eac/links/), a new DV and new terminal certificates for the
 * terminals' existing keys. Cards that trust the previous CVCA keep working through the link.
 */
import { resolve } from 'node:path';
import { parse } from '../../config/args.js';
import { loadRegistry } from '../../config/relying-parties.js';
import { loadServerConfig } from '../../config/server-config.js';
import { rollOverCvca } from '../../provisioning/test-pki/rollover.js';

export async function pkiRollover(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    dir: { type: 'string' },
    config: { type: 'string' },
    'relying-parties': { type: 'string' },
  });
  const server = loadServerConfig(values.config);
  const registry = loadRegistry(values['relying-parties'] ?? server.relyingParties);
  const dir = resolve(values.dir ?? server.pki.dir);
  const r = rollOverCvca({ dir, registry });
  process.stdout.write(
    `CVCA rolled over in ${dir}: ${r.previousCvca} → ${r.manifest.cvcaChr} (link certificate ${r.link}), DV ${r.manifest.dvChr}, ${Object.keys(r.manifest.terminals).length} terminal certificate(s) re-issued; restart the server\n`,
  );
  return 0;
}
