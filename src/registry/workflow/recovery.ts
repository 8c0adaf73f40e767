/**
 * Start-up recovery of steps a crash interrupted (no half state survives a
 * restart): a token key announced (`generating`) but never recorded is
 * destroyed with its marker; an approved application whose terminal request
 * was never stored is ordered again.
 */
import type { RegistryContext } from '../context.js';
import type { Principal } from '../roles.js';
import { listApplications } from '../store/applications.js';
import { deleteTerminal, terminalsByStatus } from '../store/terminals.js';
import { discardTerminalKey } from '../terminal-keys.js';
import { issueForApplication } from './decisions.js';

export interface Recovered {
  readonly discardedKeys: readonly string[];
  readonly reordered: readonly string[];
  readonly failed: readonly { readonly application: string; readonly error: string }[];
}

export async function recoverRegistry(ctx: RegistryContext, actor: Principal): Promise<Recovered> {
  const discardedKeys: string[] = [];
  for (const t of await terminalsByStatus(ctx.db, ['generating'])) {
    discardTerminalKey(ctx, { name: { terminal: t.eServiceId, chr: t.chr } });
    await deleteTerminal(ctx.db, t.chr);
    discardedKeys.push(t.chr);
  }
  const pending = new Set(
    (await terminalsByStatus(ctx.db, ['requested']))
      .map((t) => t.applicationId)
      .filter((x): x is string => !!x),
  );
  const reordered: string[] = [];
  const failed: { application: string; error: string }[] = [];
  for (const app of await listApplications(ctx.db, { limit: 10_000, status: 'approved' })) {
    if (pending.has(app.id)) continue;
    try {
      await issueForApplication(ctx, actor, app.id);
      reordered.push(app.id);
    } catch (e) {
      failed.push({ application: app.id, error: (e as Error).message });
    }
  }
  return { discardedKeys, reordered, failed };
}
