/**
 * The server as `npm start` runs it — the real front-ends (mountFrontEnds)
 * with the demo enabled — on free ports. The demo SP's metadata is
 * registered for this test's origin, with the same published keys as
 * metadata/demo-portal (src/demo/portal.ts finds them beside the XML).
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountFrontEnds } from '../../src/server/front-ends.js';
import { ROOT } from './cli.js';
import { freePort, startTestServer, type TestServer, type TestServerOptions } from './server.js';

export interface DemoServer extends TestServer {
  /** The demo citizen's card file (created by the server on start). */
  readonly card: string;
  readonly clientPort: number;
}

export async function startDemoServer(
  o: Pick<TestServerOptions, 'logLevel' | 'logs' | 'extra' | 'cvcaChr'> & { clientPort?: number } = {},
): Promise<DemoServer> {
  const dir = mkdtempSync(join(tmpdir(), 'neid-demo-'));
  const webPort = await freePort();
  const clientPort = o.clientPort ?? (await freePort());
  const origin = `https://127.0.0.1:${webPort}`;
  cpSync(join(ROOT, 'metadata/demo-portal'), join(dir, 'demo-portal'), { recursive: true });
  writeFileSync(
    join(dir, 'demo-portal.xml'),
    readFileSync(join(ROOT, 'metadata/demo-portal.xml'), 'utf8').replaceAll('https://127.0.0.1:8443', origin),
  );
  writeFileSync(
    join(dir, 'relying-parties.yaml'),
    readFileSync(join(ROOT, 'config/relying-parties.yaml'), 'utf8').replace(
      '../metadata/demo-portal.xml',
      join(dir, 'demo-portal.xml'),
    ),
  );
  const card = join(dir, 'demo.json');
  const ts = await startTestServer({
    webPort,
    relyingParties: join(dir, 'relying-parties.yaml'),
    mount: mountFrontEnds,
    ...(o.logLevel ? { logLevel: o.logLevel } : {}),
    ...(o.logs ? { logs: o.logs } : {}),
    ...(o.cvcaChr ? { cvcaChr: o.cvcaChr } : {}),
    extra: { demo: { enabled: true, card, clientPort }, ...o.extra },
  });
  return { ...ts, card, clientPort };
}
