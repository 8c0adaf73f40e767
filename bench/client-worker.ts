/**
 * The eID-Client and the card for the benchmark, in their own process so that
 * the server's CPU time is measured alone. Reads "tcTokenUrl<TAB>cardFile"
 * lines from stdin, runs each authentication, writes "ok" or "error <reason>".
 */
import { createInterface } from 'node:readline';
import { VirtualCard } from '../src/card/virtual-card.js';
import { EacClient } from '../src/client/eac-client.js';
import { runOnlineAuthentication } from '../src/client/paos-client.js';

const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  const [url, file] = line.split('\t');
  if (!url || !file) continue;
  try {
    const card = VirtualCard.fromFile(file);
    card.reset();
    const eac = new EacClient({ card, consent: async () => ({ accept: true, deselect: [], pin: '123456' }) });
    const outcome = await runOnlineAuthentication(url, eac);
    process.stdout.write(outcome.ok ? 'ok\n' : `error ${outcome.error?.message ?? 'failed'}\n`);
  } catch (e) {
    process.stdout.write(`error ${(e as Error).message}\n`);
  }
}
