/**
 * `neid audit verify` — walk the hash chain; exit 1 naming the first edited, inserted or deleted entry.
 * `neid audit export [--out FILE] [--after SEQ]` — the entries as JSON Lines, in chain order.
 */
import { createWriteStream } from 'node:fs';
import { parse, UsageError } from '../../config/args.js';
import { auditView } from '../../interfaces/admin/views.js';
import { rowOf, verifyAudit } from '../../registry/audit/chain.js';
import { withRegistry } from './registry-open.js';

export async function auditVerify(argv: string[]): Promise<number> {
  const { values } = parse(argv, { config: { type: 'string' } });
  return withRegistry(values.config, async (r) => {
    const v = await verifyAudit(r.db);
    if (v.ok) {
      process.stdout.write(`audit chain intact: ${v.entries} entries, head ${v.head.seq} ${v.head.hash}\n`);
      return 0;
    }
    process.stdout.write(
      `audit chain BROKEN at entry ${v.problem!.seq} (${v.problem!.kind}): ${v.problem!.message}\n`,
    );
    return 1;
  });
}

export async function auditExport(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    config: { type: 'string' },
    out: { type: 'string' },
    after: { type: 'string' },
  });
  const after = Number(values.after ?? 0);
  if (!Number.isSafeInteger(after) || after < 0) throw new UsageError('--after must be a sequence number');
  return withRegistry(values.config, async (r) => {
    const out: NodeJS.WritableStream = values.out ? createWriteStream(values.out) : process.stdout;
    let last = after;
    let n = 0;
    for (;;) {
      const page = (
        await r.db.query<Record<string, unknown>>(
          'SELECT * FROM neid.audit_log WHERE seq > $1 ORDER BY seq LIMIT 1000',
          [last],
        )
      ).map(rowOf);
      for (const e of page) {
        const line = JSON.stringify(auditView(e));
        if (!out.write(`${line}\n`)) await new Promise<void>((res) => out.once('drain', () => res()));
        last = e.seq;
        n++;
      }
      if (page.length < 1000) break;
    }
    if (values.out) {
      await new Promise<void>((res) => out.end(() => res()));
      process.stderr.write(`${n} audit entries written to ${values.out}\n`);
    }
    return 0;
  });
}
