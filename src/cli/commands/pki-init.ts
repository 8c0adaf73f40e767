/** `neid pki init --out DIR [--cvca-chr CHR] [--curve NAME] [--config FILE] [--server-url URL]` */
import { resolve } from 'node:path';
import { parse } from '../../config/args.js';
import { loadRegistry } from '../../config/relying-parties.js';
import { loadServerConfig } from '../../config/server-config.js';
import { createTestPki } from '../../provisioning/test-pki/create.js';

export async function pkiInit(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    out: { type: 'string' },
    'cvca-chr': { type: 'string' },
    curve: { type: 'string' },
    config: { type: 'string' },
    'relying-parties': { type: 'string' },
    'server-url': { type: 'string' },
  });
  const server = loadServerConfig(values.config);
  const registry = loadRegistry(values['relying-parties'] ?? server.relyingParties);
  const dir = resolve(values.out ?? server.pki.dir);
  const m = createTestPki({
    dir,
    registry,
    curve: values.curve ?? server.pki.curve,
    serverUrl: values['server-url'] ?? server.web.publicUrl,
    ...((values['cvca-chr'] ?? server.pki.cvcaChr)
      ? { cvcaChr: values['cvca-chr'] ?? server.pki.cvcaChr }
      : {}),
  });
  process.stdout.write(
    `test PKI written to ${dir}: CVCA ${m.cvcaChr}, DV ${m.dvChr}, ${Object.keys(m.terminals).length} terminal certificate(s), curve ${m.curve}\n`,
  );
  return 0;
}
