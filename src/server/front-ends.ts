/**
 * The front-end interfaces mounted on the running server. Each interface
 * registers its routes and listeners here (SOAP eID-Interface, SAML IdP,
 * OpenID Provider, the demo).
 */
import type { MountContext } from './server.js';

export async function mountFrontEnds(_s: MountContext): Promise<void> {}
