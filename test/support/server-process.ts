/**
 * The server as `npm start` runs it — src/server/main.ts in its own process, configured by a
 * server.yaml through NEID_CONFIG — on free ports, with a test PKI issued for its URL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadRegistry } from '../../src/config/relying-parties.js';
import { createTestPki } from '../../src/provisioning/test-pki/create.js';
import { ROOT } from './cli.js';
import { freePort, testRsaKey } from './server.js';

export interface ServerSetup {
  readonly dir: string;
  readonly configFile: string;
  readonly web: string;
  readonly metrics: string;
  readonly pkiDir: string;
}

/**
 * A directory with server.yaml, a registry (the demo portal's, for this origin, or `registry`) and
 * (unless `pki: false`) a test PKI. `eServices` (YAML list items) are appended to the default
 * registry. `settings` are merged over the listener and path settings.
 */
export async function serverSetup(
  o: { registry?: string; eServices?: string; pki?: boolean; settings?: Record<string, unknown> } = {},
): Promise<ServerSetup> {
  const dir = mkdtempSync(join(tmpdir(), 'neid-process-'));
  const [webPort, pskPort, metricsPort, clientPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const web = `https://127.0.0.1:${webPort}`;
  let registry = o.registry;
  if (!registry) {
    cpSync(join(ROOT, 'metadata/demo-portal'), join(dir, 'demo-portal'), { recursive: true });
    writeFileSync(
      join(dir, 'demo-portal.xml'),
      readFileSync(join(ROOT, 'metadata/demo-portal.xml'), 'utf8').replaceAll('https://127.0.0.1:8443', web),
    );
    registry = join(dir, 'relying-parties.yaml');
    writeFileSync(
      registry,
      readFileSync(join(ROOT, 'config/relying-parties.yaml'), 'utf8').replace(
        '../metadata/demo-portal.xml',
        join(dir, 'demo-portal.xml'),
      ) + (o.eServices ? `\n${o.eServices}` : ''),
    );
  }
  const pkiDir = join(dir, 'pki');
  if (o.pki !== false)
    createTestPki({ dir: pkiDir, registry: loadRegistry(registry), serverUrl: web, rsaKey: testRsaKey });
  const base: Record<string, unknown> = {
    varDir: join(dir, 'var'),
    web: { port: webPort },
    psk: { port: pskPort },
    soap: { enabled: false },
    oidcMtls: { enabled: false },
    metrics: { port: metricsPort },
    pki: { dir: pkiDir },
    relyingParties: registry,
    demo: { enabled: true, card: join(dir, 'demo.json'), clientPort },
  };
  // One level deep: `{ pki: { allowTestPki: true } }` keeps the PKI directory.
  const settings = { ...base };
  for (const [k, v] of Object.entries(o.settings ?? {}))
    settings[k] =
      v && typeof v === 'object' && typeof base[k] === 'object' ? { ...(base[k] as object), ...v } : v;
  const configFile = join(dir, 'server.yaml');
  writeFileSync(configFile, stringify(settings));
  return { dir, configFile, web, metrics: `http://127.0.0.1:${metricsPort}`, pkiDir };
}

export interface ServerProcess {
  readonly child: ChildProcess;
  /** The JSON log lines so far. */
  readonly lines: (Record<string, unknown> & { msg: string })[];
  stderr(): string;
  /** Resolves with the first log line with this message (rejects when the process exits first). */
  line(msg: string): Promise<Record<string, unknown>>;
  /** The exit code. */
  readonly exited: Promise<number | null>;
}

export function startServerProcess(configFile: string, env: NodeJS.ProcessEnv = {}): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'development', ...env, NEID_CONFIG: configFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: ServerProcess['lines'] = [];
  let err = '';
  let buf = '';
  const waiting: { msg: string; resolve: (l: Record<string, unknown>) => void }[] = [];
  child.stdout!.on('data', (d) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const text = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!text.startsWith('{')) continue;
      const l = JSON.parse(text) as ServerProcess['lines'][number];
      lines.push(l);
      for (const w of waiting.filter((x) => x.msg === l.msg)) w.resolve(l);
    }
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    stderr: () => err,
    exited,
    line: (msg) => {
      const seen = lines.find((l) => l.msg === msg);
      if (seen) return Promise.resolve(seen);
      return Promise.race([
        new Promise<Record<string, unknown>>((resolve) => waiting.push({ msg, resolve })),
        exited.then((code) => {
          throw new Error(`the server exited (${code}) before "${msg}": ${err}`);
        }),
      ]);
    },
  };
}
