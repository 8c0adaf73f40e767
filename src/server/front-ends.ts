/**
 * The front-end interfaces mounted on the running server. Each interface
 * registers its routes and listeners here (the admin API and web console, SOAP eID-Interface,
 * SAML IdP, OpenID Provider, the Open API trust material, the demo).
 */
import { mountDemo } from '../demo/index.js';
import { checkPublishedKeys } from '../demo/published-keys.js';
import { mountAdminApi } from '../interfaces/admin/mount.js';
import { mountConsole } from '../interfaces/console/mount.js';
import type { MountContext } from '../interfaces/mount-context.js';
import { mountOidc } from '../interfaces/oidc/mount.js';
import { mountSamlIdp } from '../interfaces/saml/idp.js';
import { mountSoap } from '../interfaces/soap/mount.js';
import { mountTrust } from '../interfaces/trust/mount.js';

export async function mountFrontEnds(s: MountContext): Promise<void> {
  const admin = mountAdminApi(s);
  await mountConsole(s, admin);
  mountTrust(s);
  await mountOidc(s);
  const idp = mountSamlIdp(s);
  const published = checkPublishedKeys(
    idp.serviceProviders.all.map((sp) => ({
      eServiceId: sp.eService.id,
      certificates: [...sp.metadata.signingCertificates, ...sp.metadata.encryptionCertificates],
    })),
    process.env.NODE_ENV === 'production',
  );
  // The registered SPs' certificates expire too (metrics: neid_certificate_expiry_seconds{kind="saml-sp"}).
  s.certificates(() =>
    idp.serviceProviders.all.flatMap((sp) =>
      (['signing', 'encryption'] as const).flatMap((use) =>
        sp.metadata[`${use}Certificates`].map((c, i) => ({
          kind: 'saml-sp',
          name: `${sp.eService.id}/${use}${i ? `-${i}` : ''}`,
          notAfter: new Date(c.validTo),
        })),
      ),
    ),
  );
  if (published.length)
    s.log.warn(
      { eServices: published },
      'SAML SPs registered with the published DEMO keys of metadata/demo-portal: anyone can read their assertions',
    );
  await mountSoap(s);
  if (s.config.demo.enabled) await mountDemo(s, idp);
}
