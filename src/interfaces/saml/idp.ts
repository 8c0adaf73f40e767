/**
 * The SAML IdP on the web listener (docs/saml-idp.md):
 *
 *   GET  /saml/metadata      signed IdP metadata (cached, ETag)
 *   GET  /saml/sso           AuthnRequest, HTTP-Redirect binding  ─┐ browser: activation page,
 *   POST /saml/sso           AuthnRequest, HTTP-POST binding      ─┘ then BrowserLogins → Response
 *   GET  /saml/tctoken       AuthnRequest from the eID-Client (TR-03130-1 §4.2.1) → TC Token
 *   GET  /saml/refresh/:ref  the eID-Client's return (TR-03130-1 §4.2.3) → Response
 *
 * Refused requests: HTTP 400 without a SAML message (errors.ts); verified
 * requests the IdP will not serve: a SAML error Response (status.ts) in the
 * browser flow, and an HTTP error without a TC Token at /saml/tctoken.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Registry } from '../../config/relying-parties.js';
import type { Metrics } from '../../operations/metrics.js';
import type { KeySource } from '../../provisioning/keys/source.js';
import { AuthRequestError, UnavailableError } from '../../workflows/session/errors.js';
import type { SessionService } from '../../workflows/session/service.js';
import type { AuthRequest } from '../../workflows/session/types.js';
import type { BrowserLogins } from '../browser/login.js';
import { sendErrorPage } from '../browser/pages.js';
import type { MountContext } from '../mount-context.js';
import { SIG } from './algorithms.js';
import { type AnswerDeps, deliverError, finishLogin } from './answer.js';
import { encryptionKeyReused, keySigner, loadIdpKeys } from './crypto/keys.js';
import { EidClientLogins } from './eid-client-flow.js';
import { SamlRejection, SamlStatusError } from './errors.js';
import { type ReceivedRequest, receiveAuthnRequest } from './intake.js';
import type { SamlLog } from './log.js';
import { buildIdpMetadata, type SignedMetadata } from './metadata/idp-metadata.js';
import type { Binding } from './namespaces.js';
import { type LoginContext, planLogin } from './plan.js';
import { ReplayCache } from './replay.js';
import { ServiceProviders } from './service-providers.js';
import { keyForAuthRequestError, type StatusKey } from './status.js';
import { SamlUnavailable } from './unavailable.js';

/** What the IdP needs from the server (a subset of MountContext, src/interfaces/mount-context.ts). */
export interface SamlMountContext {
  readonly config: { readonly pki: { readonly dir: string } };
  /** The signing keys' source: PEM files or a PKCS#11 token. */
  readonly pki: { readonly keys: KeySource };
  readonly log: SamlLog;
  readonly registry: Registry;
  readonly sessions: SessionService;
  readonly urls: { readonly web: string; readonly psk?: string };
  readonly webRouter: Router;
  readonly logins: Pick<BrowserLogins, 'register' | 'begin'>;
  /** Error answers by reason code (metrics); absent in tests that mount the IdP alone. */
  readonly metrics?: Pick<Metrics, 'failure'>;
  readonly refusalPages: MountContext['refusalPages'];
}

/** The IdP as other components (the demo SP, tests) see it. */
export interface SamlIdp {
  readonly entityId: string;
  readonly metadataUrl: string;
  readonly ssoUrl: string;
  readonly tcTokenUrl: string;
  readonly metadata: SignedMetadata;
  readonly serviceProviders: ServiceProviders;
}

export const SAML_BASE = '/saml';
/** Requests older than this (after IssueInstant) are refused; also the replay window. */
export const REQUEST_MAX_AGE_MS = 5 * 60_000;

const clientAddress = (ctx: Context): string | undefined => {
  const ip = ctx.ip || undefined;
  return ip?.startsWith('::ffff:') ? ip.slice(7) : ip;
};

/**
 * The TR-03130 profile answers in the HTTP-Redirect binding (TR-03130-1 §4.2.3, §4.1): when the ACS
 * the request resolved to also offers Redirect at the same Location, the answer goes that way.
 */
export function preferRedirect(r: ReceivedRequest): ReceivedRequest {
  if (r.acs.binding === 'redirect') return r;
  const redirect = r.sp.metadata.acs.find((a) => a.location === r.acs.location && a.binding === 'redirect');
  return redirect ? { ...r, acs: redirect } : r;
}

export function mountSamlIdp(s: SamlMountContext): SamlIdp {
  const web = s.urls.web;
  const endpoints = {
    entityId: `${web}${SAML_BASE}/metadata`,
    ssoUrl: `${web}${SAML_BASE}/sso`,
    tcTokenUrl: `${web}${SAML_BASE}/tctoken`,
  };
  const keys = loadIdpKeys(s.config.pki.dir, s.pki.keys);
  if (encryptionKeyReused(keys)) {
    s.log.warn(
      {},
      'the SAML encryption key equals the RSA signing key (TR-03130-1 §4.9.1 wants separate key pairs)',
    );
  }
  const sps = ServiceProviders.load(s.registry, s.log);
  const signers = {
    ec: keySigner(keys.signingEc.key, keys.signingEc.certificate, SIG.ecdsaSha256),
    rsa: keySigner(keys.signingRsa.key, keys.signingRsa.certificate, SIG.rsaSha256),
  };
  const metadata = buildIdpMetadata(endpoints, keys, signers.ec);
  const replay = new ReplayCache({ store: s.sessions, maxAgeMs: REQUEST_MAX_AGE_MS, skewMs: 60_000 });
  const answer: AnswerDeps = {
    entityId: endpoints.entityId,
    signers,
    sps,
    log: s.log,
    failed: (eService, reason) => s.metrics?.failure('saml', reason, eService),
  };
  const finish = finishLogin(answer);
  const eidClient = new EidClientLogins(s.sessions, `${web}${SAML_BASE}/refresh`);
  const channel: AuthRequest['channel'] = s.urls.psk ? 'psk' : 'attached';
  s.logins.register('saml', finish);

  const refuse = (ctx: Context, e: SamlRejection) => {
    s.log.warn({ path: ctx.path, code: e.code, reason: e.message, ...e.context }, 'SAML request refused');
    s.metrics?.failure('saml', `refused:${e.code}`);
    sendErrorPage(ctx, 400, {
      title: { zh: '無法登入', en: 'Cannot log in' },
      message: {
        zh: '服務網站送來的登入請求無法驗證，因此無法在此登入。請回到服務網站重新開始；若問題持續，請聯絡該服務。',
        en: "The service's login request could not be verified, so you cannot log in here. Go back to the service and start again; if this keeps happening, contact the service.",
      },
      detail: `Bad Request: the SAML request was refused (${e.code}).`,
    });
  };
  const baseContext = (r: ReceivedRequest): LoginContext => ({
    sp: r.sp.entityId,
    requestId: r.request.id,
    acs: r.acs.location,
    binding: r.acs.binding,
    ...(r.relayState !== undefined ? { relayState: r.relayState } : {}),
    requested: { required: [], optional: [], restrictedId: false, notOnChip: [] },
    ageRequired: false,
    placeRequired: false,
  });

  /**
   * The eID-Client called /saml/tctoken with a request this IdP will not serve: no TC Token and
   * no SAML message, an HTTP error the client shows (TR-03130-1 §4.8.1; TR-03124-1 §2.5.4.3
   * communication error without refreshURL; TR-03130-4 B1_2_01, B1_3_04…B1_3_08). 400, or 503
   * with Retry-After when the eService merely has too many open sessions.
   */
  const refuseTcToken = (ctx: Context, r: ReceivedRequest, key: StatusKey, reason: string) => {
    s.log.warn(
      {
        path: ctx.path,
        eService: r.sp.eService.id,
        request: r.request.id.slice(0, 16),
        outcome: key,
        reason,
      },
      'SAML request refused without a TC Token',
    );
    const busy = key === 'too-many-sessions';
    ctx.status = busy ? 503 : 400;
    if (busy) ctx.set('Retry-After', '30');
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = `${busy ? 'Service Unavailable' : 'Bad Request'}: the SAML request was refused (${key}).\n`;
  };

  /** Intake and planning shared by both entry points; the answer on failure is sent here. */
  async function accept(
    ctx: Context,
    binding: Binding,
    url: string,
    flow: 'browser' | 'eid-client',
    start: (r: ReceivedRequest, p: ReturnType<typeof planLogin>) => Promise<void>,
    answerBy: (r: ReceivedRequest) => ReceivedRequest = (r) => r,
  ): Promise<void> {
    let received: ReceivedRequest;
    try {
      received = answerBy(await receiveAuthnRequest(ctx, binding, url, { sps, replay }));
    } catch (e) {
      if (e instanceof SamlRejection) return refuse(ctx, e);
      if (e instanceof SamlUnavailable) return unavailable(ctx, e.received, e.cause);
      throw e;
    }
    try {
      const planned = planLogin(received, keys.encryption.key, clientAddress(ctx), flow);
      if (planned.ignored.length)
        s.log.info(
          { eService: received.sp.eService.id, ignored: planned.ignored },
          'SAML request: optional attributes ignored',
        );
      s.log.info(
        {
          eService: received.sp.eService.id,
          request: received.request.id.slice(0, 16),
          binding,
          acs: received.acs.location,
          answerBinding: received.acs.binding,
          signed: received.signed,
        },
        'SAML AuthnRequest accepted',
      );
      await start(received, planned);
    } catch (e) {
      if (e instanceof SamlRejection)
        return refuse(
          ctx,
          e.withContext({
            eService: received.sp.eService.id,
            sp: received.sp.entityId,
            requestId: received.request.id,
            acs: received.acs.location,
          }),
        );
      if (e instanceof UnavailableError) return unavailable(ctx, received, e);
      const key =
        e instanceof SamlStatusError
          ? e.key
          : e instanceof AuthRequestError
            ? keyForAuthRequestError(e.code)
            : undefined;
      if (!key) throw e;
      const reason = (e as Error).message;
      if (flow === 'eid-client') return refuseTcToken(ctx, received, key, reason);
      return deliverError(ctx, answer, received.sp, baseContext(received), key, reason);
    }
  }

  /** A verified request while a dependency is down: Responder / internalError, at once. */
  function unavailable(ctx: Context, r: ReceivedRequest, e: UnavailableError): void {
    s.log.warn(
      { eService: r.sp.eService.id, dependency: e.dependency, reason: e.message },
      'SAML request failed: unavailable',
    );
    deliverError(ctx, answer, r.sp, baseContext(r), 'internal-error', 'temporarily unavailable');
  }

  const browser = (binding: Binding) => (ctx: Context) =>
    accept(ctx, binding, endpoints.ssoUrl, 'browser', async (r, p) => {
      const es = r.sp.eService;
      await s.logins.begin(
        ctx,
        { ...p.auth, channel },
        {
          title: '以新一代身分證登入 Log in with the New eID',
          eServiceName: `${es.displayName.zh} ${es.displayName.en}`,
        },
      );
    });

  const router = s.webRouter;
  router.get(`${SAML_BASE}/metadata`, (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.set('ETag', metadata.etag);
    if (ctx.get('If-None-Match') === metadata.etag) {
      ctx.status = 304;
      return;
    }
    ctx.type = 'application/samlmetadata+xml';
    ctx.body = metadata.xml;
  });
  router.get(`${SAML_BASE}/sso`, browser('redirect'));
  router.post(`${SAML_BASE}/sso`, browser('post'));
  router.get(`${SAML_BASE}/tctoken`, (ctx) =>
    accept(
      ctx,
      'redirect',
      endpoints.tcTokenUrl,
      'eid-client',
      async (_r, p) => {
        const created = await eidClient.create({ ...p.auth, channel });
        ctx.set('Cache-Control', 'no-store');
        ctx.status = 303;
        ctx.redirect(created.tcTokenUrl);
      },
      preferRedirect,
    ),
  );
  router.get(`${SAML_BASE}/refresh/:ref`, (ctx) => eidClient.finish(ctx, finish));
  // A Redirect-binding request too long for the HTTP parser (431): refused like any malformed one.
  s.refusalPages.set(SAML_BASE, (reason) => ({
    type: 'text/plain; charset=utf-8',
    body: `Bad Request: the SAML request was refused (malformed: ${reason}).\n`,
  }));

  s.log.info({ entityId: endpoints.entityId, sps: sps.all.map((sp) => sp.eService.id) }, 'SAML IdP mounted');
  return { ...endpoints, metadataUrl: endpoints.entityId, metadata, serviceProviders: sps };
}
