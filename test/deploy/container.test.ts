/**
 * Issue 13: the container files agree with the code, checked without Docker (it cannot run
 * here): the Dockerfile copies what exists and documents the paths the defaults read;
 * deploy/compose.yaml mounts what exists where the server looks, and its server settings pass
 * the server's own configuration schema and agree with the load balancer and Prometheus.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadRegistry } from '../../src/config/relying-parties.js';
import { parseServerConfig } from '../../src/config/server-config.js';
import { ROOT } from '../support/cli.js';

const DEPLOY = join(ROOT, 'deploy');
const WORKDIR = '/srv/neid';

/** A default path of the server (relative to its working directory) as it lies in the image. */
const inImage = (p: string) => join(WORKDIR, relative(process.cwd(), p));

interface Stage {
  readonly from: string;
  readonly workdir?: string;
  readonly env: Record<string, string>;
  readonly copies: { from?: string; src: string[]; dest: string }[];
  readonly expose: number[];
  readonly cmd?: string[];
}

function dockerfile(): { stages: Stage[]; comments: string } {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const stages: Stage[] = [];
  // Continuation lines joined; comments kept apart.
  const lines = text.replace(/\\\n\s*/g, ' ').split('\n');
  for (const line of lines) {
    const [op, ...rest] = line.trim().split(/\s+/);
    const args = rest.join(' ');
    const cur = stages.at(-1) as { -readonly [K in keyof Stage]: Stage[K] } | undefined;
    if (op === 'FROM') stages.push({ from: args, env: {}, copies: [], expose: [] });
    else if (op === 'WORKDIR' && cur) cur.workdir = args;
    else if (op === 'ENV' && cur) for (const m of args.matchAll(/(\w+)=(\S+)/g)) cur.env[m[1]!] = m[2]!;
    else if (op === 'COPY' && cur) {
      const parts = args.split(/\s+/);
      const from = parts[0]!.startsWith('--from=') ? parts.shift()!.slice(7) : undefined;
      const dest = parts.pop()!;
      cur.copies.push({ ...(from ? { from } : {}), src: parts, dest });
    } else if (op === 'EXPOSE' && cur) cur.expose.push(...args.split(/\s+/).map(Number));
    else if (op === 'CMD' && cur) cur.cmd = JSON.parse(args) as string[];
  }
  return { stages, comments: lines.filter((l) => l.startsWith('#')).join('\n') };
}

const compose = () =>
  parse(readFileSync(join(DEPLOY, 'compose.yaml'), 'utf8'), { merge: true }) as {
    services: Record<string, Record<string, unknown>>;
    volumes: Record<string, unknown>;
  };

/** The deploy server settings as the container reads them (defaults resolved in its working directory). */
function deployConfig() {
  const c = parseServerConfig(
    parse(readFileSync(join(DEPLOY, 'config/server.yaml'), 'utf8')),
    `${WORKDIR}/config/server.yaml`,
    { NODE_ENV: 'production' },
  );
  const at = (p: string) => (p.startsWith(`${process.cwd()}/`) ? inImage(p) : p);
  return {
    ...c,
    varDir: at(c.varDir),
    relyingParties: at(c.relyingParties),
    pki: { ...c.pki, dir: at(c.pki.dir) },
    sessions: { ...c.sessions, keyFile: at(c.sessions.keyFile) },
  };
}

describe('Dockerfile', () => {
  const { stages, comments } = dockerfile();
  const [build, run] = stages;

  it('copies files that exist; the build stage produces what the runtime stage takes', () => {
    for (const c of [...build!.copies, ...run!.copies].filter((c) => !c.from))
      for (const src of c.src) expect(existsSync(join(ROOT, src)), src).toBe(true);
    const outDir = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')).compilerOptions.outDir;
    const produced = ['node_modules', outDir, 'bin'].map((p) => `${build!.workdir}/${p}`);
    for (const c of run!.copies.filter((c) => c.from === 'build')) expect(produced).toContain(c.src[0]);
    // CMD runs the compiled src/server/main.ts.
    expect(run!.cmd).toEqual(['node', `${outDir}/server/main.js`]);
    expect(existsSync(join(ROOT, 'src/server/main.ts'))).toBe(true);
  });

  it('runs in /srv/neid under NODE_ENV=production, and documents the paths the defaults read there', () => {
    expect(run!.workdir).toBe(WORKDIR);
    expect(run!.env.NODE_ENV).toBe('production');
    expect(run!.env.NEID_CONFIG).toBeUndefined(); // config/server.yaml is read when present
    const c = parseServerConfig({}, undefined, { NODE_ENV: 'production' });
    const documented = [...comments.matchAll(/#\s+(\/srv\/neid\/\S+)/g)].map((m) => m[1]!);
    expect(documented).toEqual(
      expect.arrayContaining([
        inImage(c.relyingParties),
        inImage(resolve('config/server.yaml')),
        inImage(c.pki.dir),
        inImage(c.varDir),
      ]),
    );
    expect(inImage(c.sessions.keyFile).startsWith(`${inImage(c.varDir)}/`)).toBe(true);
    expect(c.pki.autoCreate).toBe(false);
    expect(c.demo.enabled).toBe(false);
  });

  it('exposes the default ports of every listener', () => {
    const c = parseServerConfig({}, undefined, {});
    expect(run!.expose).toEqual(
      expect.arrayContaining([c.web.port, c.psk!.port, c.soap!.port, c.oidcMtls!.port, c.metrics!.port]),
    );
  });
});

describe('deploy/compose.yaml', () => {
  const { services, volumes } = compose();
  const instances = Object.entries(services).filter(
    ([, s]) => s.image === 'n-eid-server:latest' && !s.profiles,
  );

  it('runs two server instances, Redis, PostgreSQL, Prometheus and a load balancer', () => {
    expect(instances.map(([n]) => n)).toEqual(['neid-1', 'neid-2']);
    for (const name of ['redis', 'postgres', 'prometheus', 'lb']) expect(services[name], name).toBeDefined();
    expect(services.postgres!.healthcheck).toBeDefined();
    expect(services.redis!.healthcheck).toBeDefined();
    // neid-2 waits for neid-1: the key files of the shared volume are created once.
    expect(services['neid-2']!.depends_on).toMatchObject({ 'neid-1': { condition: 'service_healthy' } });
  });

  it('builds the image from the Dockerfile and mounts existing files where the server reads them', () => {
    const c = deployConfig();
    for (const [name, s] of instances) {
      expect(s.build, name).toEqual({ context: '..', dockerfile: 'Dockerfile' });
      expect(existsSync(join(DEPLOY, '..', 'Dockerfile'))).toBe(true);
      expect(s.environment).toMatchObject({ NODE_ENV: 'production' });
      const mounts = (s.volumes as string[]).map((v) => v.split(':'));
      const config = mounts.find(([, target]) => target === `${WORKDIR}/config`)!;
      expect(existsSync(join(DEPLOY, config[0]!, 'server.yaml'))).toBe(true);
      expect(existsSync(join(DEPLOY, config[0]!, relative(`${WORKDIR}/config`, c.relyingParties)))).toBe(
        true,
      );
      const varMount = mounts.find(([, target]) => target === c.varDir)!;
      expect(varMount[0]! in volumes).toBe(true);
      // Everything written at run time lies in the shared volume.
      for (const p of [c.pki.dir, c.sessions.keyFile]) expect(p.startsWith(`${c.varDir}/`), p).toBe(true);
      // The grace period of `docker stop` covers the server's own.
      expect(Number.parseInt(String(s.stop_grace_period), 10)).toBeGreaterThan(c.shutdown.graceSeconds);
    }
    for (const [name, s] of Object.entries(services))
      for (const v of (s.volumes as string[] | undefined) ?? []) {
        const host = v.split(':')[0]!;
        if (host.startsWith('.')) expect(existsSync(join(DEPLOY, host)), `${name}: ${host}`).toBe(true);
        else expect(host in volumes, `${name}: ${host}`).toBe(true);
      }
  });

  it('its server settings pass the configuration schema and fit the other services', () => {
    const c = deployConfig();
    expect(c.production).toBe(true);
    expect(c.sessions.store).toBe('redis');
    expect(new URL(c.sessions.redisUrl).hostname in services).toBe(true);
    for (const l of [c.web, c.psk!, c.soap!]) expect(l.host).toBe('0.0.0.0');
    expect(c.metrics).toEqual({ host: '0.0.0.0', port: 9464 });
    // The registry passes its schema too; the published demo keys are not in it.
    const registry = loadRegistry(c.relyingParties.replace(`${WORKDIR}/config`, join(DEPLOY, 'config')));
    expect(registry.eServices.map((e) => e.id)).not.toContain('demo-portal');
    // The load balancer publishes the ports of the public URLs and forwards to the listeners.
    const published = (services.lb!.ports as string[]).map((p) => p.split(':').map(Number));
    const haproxy = readFileSync(join(DEPLOY, 'haproxy.cfg'), 'utf8');
    for (const l of [c.web, c.psk!, c.soap!]) {
      const port = Number(new URL(l.publicUrl).port);
      expect(published.some(([, hostPort, inner]) => hostPort === port && inner === port)).toBe(true);
      expect(haproxy).toContain(`bind :${port}`);
      for (const [name] of instances) expect(haproxy).toContain(`server ${name} ${name}:${l.port}`);
    }
    expect(haproxy).toContain(`check port ${c.metrics!.port}`);
    expect(haproxy).toContain('option httpchk GET /ready');
    // Prometheus scrapes each instance's operations listener.
    const prom = parse(readFileSync(join(DEPLOY, 'prometheus.yml'), 'utf8')) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
      rule_files: string[];
    };
    expect(prom.scrape_configs[0]!.static_configs[0]!.targets).toEqual(
      instances.map(([n]) => `${n}:${c.metrics!.port}`),
    );
    for (const f of prom.rule_files) expect(existsSync(join(DEPLOY, f))).toBe(true);
  });
});
