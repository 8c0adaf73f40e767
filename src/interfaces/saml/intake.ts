/**
 * Receiving an AuthnRequest (saml-profiles §4.1.4.1; saml-bindings §3.4–3.5;
 * TR-03130-1 §4.7.1, §4.8.1, §4.9.2). In this order, so that nothing is
 * believed before it is verified:
 *
 * 1. decode the binding (raw query string / form), parse with parseXml,
 *    refuse comments and duplicate IDs;
 * 2. find the SP by the (still unverified) Issuer — unknown: rejected;
 * 3. verify the signature with the SP's registered keys only: the query
 *    string (Redirect; the XML must then carry no signature) or the
 *    enveloped, root-bound signature (POST); unsigned only when the registry
 *    allows it for this SP;
 * 4. read the request from the verified element; its Issuer must be the SP;
 * 5. Destination = this endpoint; ACS URL/index/binding in the SP metadata;
 * 6. freshness and replay.
 *
 * Every failure is a SamlRejection: HTTP 400, no SAML message. It carries
 * what was known when it was refused — SP, request ID, the ACS asked for —
 * for the log line.
 */
import type { Element } from '@xmldom/xmldom';
import type { Context } from 'koa';
import { XmlError } from '../../xml/errors.js';
import { parseXml } from '../../xml/parse.js';
import { readPostMessage } from './bindings/post.js';
import { parseRedirectQuery, verifyRedirectSignature } from './bindings/redirect.js';
import { checkDocumentHygiene, verifyEnvelopedSignature } from './crypto/xmldsig-verify.js';
import { type RejectionContext, SamlRejection } from './errors.js';
import { type AuthnRequestData, peekIssuer, readAuthnRequest } from './messages/authn-request.js';
import { type AcsEndpoint, defaultEndpoint } from './metadata/sp-metadata.js';
import { type Binding, NS } from './namespaces.js';
import type { ReplayCache } from './replay.js';
import type { ServiceProvider, ServiceProviders } from './service-providers.js';
import { unavailableFor } from './unavailable.js';

export interface ReceivedRequest {
  readonly sp: ServiceProvider;
  readonly request: AuthnRequestData;
  readonly acs: AcsEndpoint;
  readonly relayState?: string;
  readonly signed: boolean;
  /** The request element to read further (extensions) — the verified one. */
  readonly element: Element;
}

export interface IntakeDeps {
  readonly sps: ServiceProviders;
  readonly replay: ReplayCache;
}

/** The ACS the Response goes to (saml-core §3.4.1; saml-profiles §4.1.4.1): only endpoints of the SP metadata. */
export function resolveAcs(sp: ServiceProvider, r: AuthnRequestData): AcsEndpoint {
  const list = sp.metadata.acs;
  let found: AcsEndpoint | undefined;
  if (r.acsIndex !== undefined) found = list.find((a) => a.index === r.acsIndex);
  else if (r.acsUrl !== undefined)
    found = list.find(
      (a) => a.location === r.acsUrl && (!r.protocolBinding || a.binding === r.protocolBinding),
    );
  else
    found = defaultEndpoint(r.protocolBinding ? list.filter((a) => a.binding === r.protocolBinding) : list);
  if (!found)
    throw new SamlRejection('acs', 'the AssertionConsumerService of the request is not in the SP metadata');
  return found;
}

/**
 * An AuthnRequest is a few KB (the largest, with an EncryptedAuthnRequestExtension and a signature,
 * about 10 KB) and some dozen elements; the limits leave room for generous SPs and nothing more.
 */
export const MAX_REQUEST_XML = 64 * 1024;
export const REQUEST_XML_LIMITS = { maxDepth: 16, maxNodes: 1_000 } as const;

function parse(xml: string): { xml: string; root: Element } {
  try {
    const doc = parseXml(xml, { maxBytes: MAX_REQUEST_XML, ...REQUEST_XML_LIMITS });
    checkDocumentHygiene(doc);
    return { xml, root: doc.documentElement! };
  } catch (e) {
    if (e instanceof XmlError) throw new SamlRejection('malformed', e.message);
    throw e;
  }
}

const clip = (s: string) => s.slice(0, 200);

export async function receiveAuthnRequest(
  ctx: Context,
  binding: Binding,
  endpointUrl: string,
  d: IntakeDeps,
): Promise<ReceivedRequest> {
  let known: RejectionContext = {};
  try {
    return await receive(ctx, binding, endpointUrl, d, (c) => {
      known = { ...known, ...c };
    });
  } catch (e) {
    if (e instanceof SamlRejection) throw e.withContext(known);
    throw e;
  }
}

/** What the (still unverified) root names: for log lines about its refusal. */
function describe(root: Element): RejectionContext {
  const id = root.getAttribute('ID');
  const acs =
    root.getAttribute('AssertionConsumerServiceURL') || root.getAttribute('AssertionConsumerServiceIndex');
  return { ...(id ? { requestId: clip(id) } : {}), ...(acs ? { acs: clip(acs) } : {}) };
}

async function receive(
  ctx: Context,
  binding: Binding,
  endpointUrl: string,
  d: IntakeDeps,
  note: (c: RejectionContext) => void,
): Promise<ReceivedRequest> {
  let element: Element;
  let sp: ServiceProvider | undefined;
  let relayState: string | undefined;
  let signed = false;
  if (binding === 'redirect') {
    const m = parseRedirectQuery(ctx.querystring, 'SAMLRequest');
    const { root } = parse(m.xml);
    relayState = m.relayState;
    note({ ...describe(root), sp: clip(peekIssuer(root)) });
    sp = d.sps.get(peekIssuer(root));
    if (!sp) throw new SamlRejection('unknown-sp', `unknown SP "${peekIssuer(root).slice(0, 200)}"`);
    note({ eService: sp.eService.id });
    if (root.getElementsByTagNameNS(NS.ds, 'Signature').length)
      throw new SamlRejection(
        'signature-wrapping',
        'an HTTP-Redirect message must not contain an XML signature',
      );
    if (m.signature) {
      verifyRedirectSignature(m.signature, sp.signingKeys, sp.inbound.signatures);
      signed = true;
    } else if (sp.settings.requireSignedRequests) {
      throw new SamlRejection('signature-missing', 'this SP must sign its requests');
    }
    element = root;
  } else {
    const m = await readPostMessage(ctx, 'SAMLRequest');
    const { xml, root } = parse(m.xml);
    relayState = m.relayState;
    note({ ...describe(root), sp: clip(peekIssuer(root)) });
    sp = d.sps.get(peekIssuer(root));
    if (!sp) throw new SamlRejection('unknown-sp', `unknown SP "${peekIssuer(root).slice(0, 200)}"`);
    note({ eService: sp.eService.id });
    if (root.getElementsByTagNameNS(NS.ds, 'Signature').length) {
      element = verifyEnvelopedSignature(xml, root.ownerDocument!, {
        keys: sp.signingKeys,
        algorithms: sp.inbound,
      }).element;
      signed = true;
    } else if (sp.settings.requireSignedRequests) {
      throw new SamlRejection('signature-missing', 'this SP must sign its requests');
    } else {
      element = root;
    }
  }
  const request = readAuthnRequest(element);
  if (request.issuer !== sp.entityId)
    throw new SamlRejection('signature-wrapping', 'the verified Issuer differs');
  if (request.destination !== undefined ? request.destination !== endpointUrl : signed) {
    throw new SamlRejection('destination', `Destination must be ${endpointUrl}`);
  }
  const acs = resolveAcs(sp, request);
  const received = { sp, request, acs, ...(relayState !== undefined ? { relayState } : {}), signed, element };
  await d.replay.accept(sp.entityId, request.id, request.issueInstant).catch(unavailableFor(received));
  return received;
}
