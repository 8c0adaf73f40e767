/**
 * The layering of docs/architecture.md, enforced: every relative import in
 * src/ (static, `export … from`, dynamic `import()`) goes to the same module
 * or to a lower layer. Modules of one layer do not import each other (the
 * front-end interfaces are independent of one another). src/ never imports
 * test/ or bench/, and files stay small.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';

/** Lowest first. A module is a directory under src/ (interfaces/* counted separately). */
const LAYERS: readonly (readonly string[])[] = [
  ['tlv', 'xml'],
  ['asn1'],
  ['crypto'],
  ['pki'],
  ['profile'],
  ['config'],
  ['provisioning'],
  ['registry'],
  ['apdu'],
  ['sm'],
  ['card'],
  ['eac'],
  ['paos', 'open-api'],
  ['workflows'],
  ['operations'],
  ['interfaces/http'],
  ['interfaces/browser'],
  ['interfaces'],
  ['interfaces/eid', 'interfaces/soap', 'interfaces/saml', 'interfaces/oidc', 'interfaces/trust'],
  ['interfaces/admin'],
  ['interfaces/console'],
  ['client', 'cli'],
  ['demo'],
  ['server'],
];
const RANK = new Map(LAYERS.flatMap((mods, i) => mods.map((m) => [m, i] as const)));
const SRC = join(ROOT, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function moduleOf(file: string): string {
  const parts = relative(SRC, file).split('/');
  if (parts[0] === 'interfaces' && parts.length > 2) return `interfaces/${parts[1]}`;
  return parts[0]!;
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

const edges = files(SRC).flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(IMPORT)]
    .map((m) => m[1] ?? m[2]!)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => ({ file: relative(ROOT, file), target: resolve(dirname(file), spec) })),
);

describe('architecture', () => {
  it('every module of src/ has a layer (and the import scanner sees the imports)', () => {
    expect(edges.length).toBeGreaterThan(1000);
    const modules = new Set(files(SRC).map(moduleOf));
    expect([...modules].filter((m) => !RANK.has(m))).toEqual([]);
  });

  it('imports go to the same module or to a lower layer, never sideways or up', () => {
    const bad = edges
      .filter((e) => e.target.startsWith(`${SRC}/`))
      .map((e) => ({ ...e, from: moduleOf(join(ROOT, e.file)), to: moduleOf(e.target) }))
      .filter((e) => e.from !== e.to && !(RANK.get(e.to)! < RANK.get(e.from)!))
      .map((e) => `${e.file}: ${e.from} → ${e.to}`);
    expect(bad).toEqual([]);
  });

  it('src/ never imports test/ or bench/', () => {
    const bad = edges.filter((e) => !e.target.startsWith(`${SRC}/`)).map((e) => `${e.file} → ${e.target}`);
    expect(bad).toEqual([]);
  });

  it('files stay small (split past ~300 lines)', () => {
    const long = files(SRC)
      .map((f) => [relative(ROOT, f), readFileSync(f, 'utf8').split('\n').length] as const)
      .filter(([, n]) => n > 320);
    expect(long).toEqual([]);
  });
});
