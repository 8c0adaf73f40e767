/** Reading Prometheus text exposition in tests. */

/** The value of the first sample of `name` whose labels include `labels`, or undefined. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => got[k] === v))
      return m[3] === '+Inf'
        ? Number.POSITIVE_INFINITY
        : m[3] === '-Inf'
          ? Number.NEGATIVE_INFINITY
          : Number(m[3]);
  }
  return undefined;
}

/** Every label set of `name`, as objects. */
export function labelSets(text: string, name: string): Record<string, string>[] {
  return text
    .split('\n')
    .map((line) => /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} \S+$/.exec(line))
    .filter((m): m is RegExpExecArray => !!m && m[1] === name)
    .map((m) =>
      Object.fromEntries([...m[2]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, x[2]!])),
    );
}

export async function scrape(metricsUrl: string): Promise<string> {
  const r = await fetch(`${metricsUrl}/metrics`);
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
  return r.text();
}
