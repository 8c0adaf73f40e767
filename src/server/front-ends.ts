/**
 * The front-end interfaces mounted on the running server. Each interface
 * registers its routes and listeners here (SOAP eID-Interface, SAML IdP,
 * OpenID Provider, the demo).
 */
import type { RunningServer } from './server.js';

export async function mountFrontEnds(_s: Omit<RunningServer, 'close'>): Promise<void> {}
