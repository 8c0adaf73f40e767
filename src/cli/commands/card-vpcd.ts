/**
 * `neid card vpcd --card card.json [--host 127.0.0.1] [--port 35963]`
 *
 * Inserts the virtual card into vsmartcard's virtual reader (pcscd with the
 * vpcd driver), so any PC/SC program sees it. Retry counters, PIN, current
 * date and trust points are written back to the card file. Runs until
 * SIGINT/SIGTERM.
 */
import { resolve } from 'node:path';
import { VirtualCard } from '../../card/virtual-card.js';
import { connectVpcd, VPCD_DEFAULT_HOST, VPCD_DEFAULT_PORT } from '../../card/vpcd.js';
import { parse, UsageError } from '../../config/args.js';

export async function cardVpcd(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    card: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
  });
  if (!values.card) throw new UsageError('--card is required');
  const port = values.port === undefined ? VPCD_DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError('--port must be a TCP port number');
  const card = VirtualCard.fromFile(resolve(values.card), { persist: true });
  const conn = connectVpcd(card, {
    host: values.host ?? VPCD_DEFAULT_HOST,
    port,
    log: (m) => process.stderr.write(`${m}\n`),
  });
  process.stderr.write(
    `virtual card inserted into vpcd at ${values.host ?? VPCD_DEFAULT_HOST}:${port}; Ctrl-C to remove it\n`,
  );
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await conn.close();
  return 0;
}
