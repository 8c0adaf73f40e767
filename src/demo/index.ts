/**
 * The demo a newcomer runs with `npm start` (issue 6; config `demo.*`): the
 * demo citizen's virtual card, the eID-Client in serve mode on
 * http://127.0.0.1:<demo.clientPort>/eID-Client with that card, and the demo
 * eService's SP page. All on localhost; `demo.enabled: false` turns it off.
 */

import { existsSync } from 'node:fs';
import { openVirtualCard } from '../client/card-source.js';
import { startClientServer } from '../client/serve.js';
import { loadRegistry } from '../config/relying-parties.js';
import type { ServerConfig } from '../config/server-config.js';
import type { MountContext } from '../interfaces/mount-context.js';
import { loadIdpKeys } from '../interfaces/saml/crypto/keys.js';
import type { SamlIdp } from '../interfaces/saml/idp.js';
import { ensureDemoCard } from './card.js';
import { mountDemoPortal } from './portal.js';

/** The registry id of the demo eService. */
export const DEMO_ESERVICE = 'demo-portal';

export async function mountDemo(
  s: MountContext & { readonly config: ServerConfig },
  idp: SamlIdp,
): Promise<void> {
  const demo = s.config.demo;
  if (ensureDemoCard(demo.card, s.config.pki.dir))
    s.log.info({ card: demo.card }, 'demo: created the demo citizen card (PIN1 123456)');

  let clientRunning = false;
  try {
    const client = await startClientServer({
      host: '127.0.0.1',
      port: demo.clientPort,
      // Read afresh for every login; a deleted demo card is simply made again.
      openCard: async () => {
        if (ensureDemoCard(demo.card, s.config.pki.dir))
          s.log.info({ card: demo.card }, 'demo: made a new demo citizen card (PIN1 123456)');
        return openVirtualCard(demo.card);
      },
    });
    clientRunning = true;
    s.onClose(client.close);
  } catch (e) {
    s.log.warn(
      { port: demo.clientPort, reason: (e as Error).message },
      'demo: the eID-Client could not listen (another eID-Client running?); the demo uses whichever answers',
    );
  }

  const sp = idp.serviceProviders.all.find((p) => p.eService.id === DEMO_ESERVICE);
  if (!sp) {
    s.log.warn({ eService: DEMO_ESERVICE }, 'demo: no SAML SP of that id in the registry; no demo page');
    return;
  }
  const acs = sp.metadata.acs.find((a) => a.binding === 'post');
  if (!acs || new URL(acs.location).origin !== new URL(s.urls.web).origin) {
    s.log.warn(
      { acs: acs?.location, web: s.urls.web },
      'demo: the demo SP is registered for another origin than this server; no demo page',
    );
    return;
  }
  const keys = loadIdpKeys(s.config.pki.dir, s.pki.keys);
  const portal = mountDemoPortal({
    router: s.webRouter,
    idp,
    idpCertificates: {
      signing: [keys.signingEc.certificate, keys.signingRsa.certificate],
      encryption: keys.encryption.certificate,
    },
    sp,
    // The registry holds the metadata itself; its keys lie beside the file the registry file names.
    ...(existsSync(sp.settings.metadata) ? {} : demoMetadataFile(s.config.relyingParties)),
    claimOnce: (key, until) => s.sessions.claim(key, until),
    clientRunning: () => clientRunning,
    log: s.log,
  });
  s.webRouter.get('/', (ctx) => ctx.redirect(portal.url));
  s.log.info({ url: `${s.urls.web}${portal.url}` }, 'demo: open the demo portal in a browser');
}

function demoMetadataFile(registryFile: string): { spMetadataFile?: string } {
  if (!existsSync(registryFile)) return {};
  const file = loadRegistry(registryFile).get(DEMO_ESERVICE)?.saml?.metadata;
  return file ? { spMetadataFile: file } : {};
}
