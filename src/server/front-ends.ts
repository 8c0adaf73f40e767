/**
 * The front-end interfaces mounted on the running server. Each interface
 * registers its routes and listeners here (SOAP eID-Interface, SAML IdP,
 * OpenID Provider, the demo).
 */
import { mountOidc } from '../interfaces/oidc/mount.js';
import { mountSamlIdp } from '../interfaces/saml/idp.js';
import { mountSoap } from '../interfaces/soap/mount.js';
import type { MountContext } from './server.js';

export async function mountFrontEnds(s: MountContext): Promise<void> {
  await mountOidc(s);
  mountSamlIdp(s);
  await mountSoap(s);
}
