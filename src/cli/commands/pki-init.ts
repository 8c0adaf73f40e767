/**
 * `neid pki init --out DIR [--force] [--cvca-chr CHR] [--curve NAME] [--config FILE] [--server-url URL]
 *                [--pkcs11 | --pkcs11-module PATH --pkcs11-token LABEL] [--pkcs11-pin-env NAME]
 *                [--pkcs11-replace]`
 *
 * With a PKCS#11 token (the options, or `--pkcs11` for the server's `keys.pkcs11`), the terminal,
 * SAML signing and SOAP signing key pairs are generated inside the token under their fixed labels
 * (docs/operations.md) and no private key file is written for them. The PIN is read from the
 * environment variable (default NEID_PKCS11_PIN).
 */
import { resolve } from 'node:path';
import { parse, UsageError } from '../../config/args.js';
import { loadRegistry } from '../../config/relying-parties.js';
import { loadServerConfig, type ServerConfig } from '../../config/server-config.js';
import { openKeySource } from '../../provisioning/keys/source.js';
import { pkiExists } from '../../provisioning/store.js';
import { createTestPki } from '../../provisioning/test-pki/create.js';

type Pkcs11Settings = NonNullable<ServerConfig['keys']['pkcs11']>;

function tokenSettings(
  v: { pkcs11?: boolean; module?: string; token?: string; pinEnv?: string },
  configured: Pkcs11Settings | null,
): Pkcs11Settings | undefined {
  if (!v.pkcs11 && !v.module && !v.token) return undefined;
  const module = v.module ? resolve(v.module) : configured?.module;
  const token = v.token ?? configured?.token;
  if (!module || !token) {
    throw new UsageError(
      'a PKCS#11 token needs --pkcs11-module and --pkcs11-token (or keys.pkcs11 in the server configuration)',
    );
  }
  const pinEnv = v.pinEnv ?? configured?.pinEnv ?? 'NEID_PKCS11_PIN';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(pinEnv))
    throw new UsageError('--pkcs11-pin-env must be an environment variable name');
  return { module, token, pinEnv };
}

export async function pkiInit(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    out: { type: 'string' },
    'cvca-chr': { type: 'string' },
    curve: { type: 'string' },
    config: { type: 'string' },
    'relying-parties': { type: 'string' },
    'server-url': { type: 'string' },
    pkcs11: { type: 'boolean' },
    'pkcs11-module': { type: 'string' },
    'pkcs11-token': { type: 'string' },
    'pkcs11-pin-env': { type: 'string' },
    'pkcs11-replace': { type: 'boolean' },
    force: { type: 'boolean' },
  });
  const server = loadServerConfig(values.config);
  const registry = loadRegistry(values['relying-parties'] ?? server.relyingParties);
  const dir = resolve(values.out ?? server.pki.dir);
  // A new CVCA makes every card issued under the old one refuse this server (PSO:Verify Certificate 6300).
  if (pkiExists(dir) && !values.force) {
    throw new UsageError(
      `${dir} holds a PKI already; a new one would have a new CVCA, which every existing card refuses. ` +
        'New eServices get terminal certificates through the registry (docs/admin.md); --force overwrites',
    );
  }
  const pkcs11 = tokenSettings(
    {
      ...(values.pkcs11 ? { pkcs11: true } : {}),
      ...(values['pkcs11-module'] ? { module: values['pkcs11-module'] } : {}),
      ...(values['pkcs11-token'] ? { token: values['pkcs11-token'] } : {}),
      ...(values['pkcs11-pin-env'] ? { pinEnv: values['pkcs11-pin-env'] } : {}),
    },
    server.keys.pkcs11,
  );
  if (values['pkcs11-replace'] && !pkcs11) throw new UsageError('--pkcs11-replace needs a PKCS#11 token');
  const keys = pkcs11
    ? await openKeySource({ pkcs11 }, dir, { readWrite: true, replace: values['pkcs11-replace'] ?? false })
    : undefined;
  let m: ReturnType<typeof createTestPki>;
  try {
    m = createTestPki({
      dir,
      registry,
      curve: values.curve ?? server.pki.curve,
      serverUrl: values['server-url'] ?? server.web.publicUrl,
      ...((values['cvca-chr'] ?? server.pki.cvcaChr)
        ? { cvcaChr: values['cvca-chr'] ?? server.pki.cvcaChr }
        : {}),
      ...(keys?.generator ? { tokenKeys: keys.generator } : {}),
    });
  } finally {
    keys?.close();
  }
  process.stdout.write(
    `test PKI written to ${dir}: CVCA ${m.cvcaChr}, DV ${m.dvChr}, ${Object.keys(m.terminals).length} terminal certificate(s), curve ${m.curve}` +
      `${keys ? `; signing keys generated in ${keys.description}` : ''}\n`,
  );
  return 0;
}
