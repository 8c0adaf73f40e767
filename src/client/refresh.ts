/**
 * Returning the browser to the eService (TR-03124-1 §2.7.4): determine the
 * refresh URL, check the TLS certificate of every server on the way against
 * the CertificateDescription, and add ResultMajor / ResultMinor.
 */
import type { Agent } from 'node:https';
import type { CertificateDescription } from '../pki/cvc/certificate-description.js';
import { isListed } from './checks.js';
import { ClientError, type ClientMinor } from './errors.js';
import { httpsCall, peerCertificateDer, sameOrigin } from './network.js';

export interface RefreshInput {
  readonly refreshAddress: string;
  readonly tcTokenUrl: string;
  /** Known once EAC1 arrived; otherwise the TCToken URL stands in and certificate checks are skipped (§2.7.4.1). */
  readonly description?: CertificateDescription;
  readonly hash: 'sha256' | 'sha384' | 'sha512';
  readonly agent: Agent;
}

const REDIRECTS = new Set([302, 303, 307]);

async function checkedCall(url: URL, i: RefreshInput, method: 'GET' | 'HEAD' = 'GET') {
  const r = await httpsCall(url, { agent: i.agent, method: method === 'HEAD' ? 'GET' : method });
  if (i.description && !isListed(i.description, i.hash, peerCertificateDer(r.socket))) {
    throw new ClientError(
      'communicationError',
      `the TLS certificate of ${url.origin} is not listed in the CertificateDescription`,
    );
  }
  return r;
}

export async function determineRefreshUrl(i: RefreshInput): Promise<string> {
  const origin = i.description?.subjectUrl ?? i.tcTokenUrl;
  let working = new URL(i.refreshAddress);
  if (working.protocol !== 'https:')
    throw new ClientError('communicationError', 'RefreshAddress is not https');
  if (sameOrigin(working.href, origin)) {
    // A TLS handshake with the refresh server to see its certificate (§2.7.4.1, last paragraphs).
    if (i.description)
      await checkedCall(new URL('/', working), i).catch((e) => {
        if (e instanceof ClientError) throw e;
      });
    return working.href;
  }
  for (let hop = 0; hop < 10; hop++) {
    const r = await checkedCall(working, i);
    const loc = r.headers.location;
    if (!REDIRECTS.has(r.status) || !loc)
      throw new ClientError('communicationError', `${working.origin} did not redirect to the eService`);
    const next = new URL(loc, working);
    if (next.protocol !== 'https:')
      throw new ClientError('communicationError', 'redirect to a non-https URL');
    if (sameOrigin(working.href, origin)) return next.href;
    working = next;
  }
  throw new ClientError('communicationError', 'too many redirects while determining the refresh URL');
}

export function withResult(url: string, minor?: ClientMinor, message?: string): string {
  const u = new URL(url);
  if (!minor) {
    u.searchParams.set('ResultMajor', 'ok');
  } else {
    u.searchParams.set('ResultMajor', 'error');
    u.searchParams.set('ResultMinor', minor);
    if (message) u.searchParams.set('ResultMessage', message.slice(0, 200));
  }
  return u.href;
}
