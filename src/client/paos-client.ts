/**
 * Online authentication as the eID-Client runs it (TR-03124-1 §2.7): fetch
 * the TC Token, open the trusted channel (TLS-PSK, or the TLS session of the
 * TC Token fetch in attached mode), speak PAOS (StartPAOS → DIDAuthenticate
 * EAC1/EAC2 → Transmit … → StartPAOSResponse), then determine where to send
 * the browser.
 */
import { randomBytes } from 'node:crypto';
import { Agent } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { newMessageId, parseEnvelope } from '../paos/envelope.js';
import { buildDidAuthenticateResponse, parseDidAuthenticate } from '../paos/messages/did-authenticate.js';
import { buildEac1Output, parseEac1Input } from '../paos/messages/eac1.js';
import { buildEac2Output, parseEac2Input } from '../paos/messages/eac2.js';
import { buildStartPaos } from '../paos/messages/start-paos.js';
import { parseStartPaosResponse } from '../paos/messages/start-paos-response.js';
import { parseTcToken, type TcToken } from '../paos/messages/tctoken.js';
import { buildTransmitResponse, parseTransmit } from '../paos/messages/transmit.js';
import { EAC_PROTOCOL, NS, PAOS_CONTENT_TYPE, PAOS_VERSION } from '../paos/namespaces.js';
import { type EcardResult, isOk, OK, RESULT_MAJOR, RESULT_MINOR } from '../paos/result.js';
import { XmlError } from '../xml/errors.js';
import type { EacClient } from './eac-client.js';
import { ClientError, type ClientMinor } from './errors.js';
import { getFollowingRedirects, httpsCall, peerCertificateDer, type SeenCertificate } from './network.js';
import { determineRefreshUrl, withResult } from './refresh.js';

export const CLIENT_NAME = 'neid-client';
export const CLIENT_VERSION = '0.1.0';
const EID_APPLICATION = 'E80704007F00070302';

export interface OnlineAuthenticationOutcome {
  readonly ok: boolean;
  /** Where the browser goes next, with ResultMajor/ResultMinor (undefined: "Bad Request" to the caller). */
  readonly redirectUrl?: string;
  readonly error?: ClientError;
  /** The server's final result (StartPAOSResponse). */
  readonly serverResult?: EcardResult;
}

export async function runOnlineAuthentication(
  tcTokenUrl: string,
  eac: EacClient,
): Promise<OnlineAuthenticationOutcome> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, maxCachedSessions: 8 });
  const seen: SeenCertificate[] = [];
  let token: TcToken;
  let tcTokenSocket: TLSSocket | undefined;
  try {
    const { response } = await getFollowingRedirects(tcTokenUrl, agent, seen);
    if (response.status !== 200)
      throw new ClientError('communicationError', `TC Token URL answered HTTP ${response.status}`);
    token = parseTcToken(response.body);
    tcTokenSocket = response.socket;
  } catch (e) {
    agent.destroy();
    const err =
      e instanceof ClientError
        ? e
        : new ClientError('communicationError', `no TC Token: ${(e as Error).message}`);
    return { ok: false, error: err };
  }

  let error: ClientError | undefined;
  let serverResult: EcardResult | undefined;
  try {
    for (const u of [token.serverAddress, token.refreshAddress]) {
      if (!u || new URL(u).protocol !== 'https:')
        throw new ClientError('communicationError', 'the TC Token names a non-https address');
    }
    serverResult = await converse(token, tcTokenUrl, eac, agent, seen, tcTokenSocket);
    if (!isOk(serverResult))
      error = new ClientError(
        'serverError',
        `the eID-Server reported ${serverResult.minor ?? serverResult.major}`,
      );
  } catch (e) {
    error = e instanceof ClientError ? e : new ClientError('clientError', (e as Error).message);
  }

  const minor: ClientMinor | undefined = error?.minor;
  try {
    const refresh = await determineRefreshUrl({
      refreshAddress: token.refreshAddress,
      tcTokenUrl,
      ...(eac.eServiceDescription ? { description: eac.eServiceDescription } : {}),
      hash: eac.descriptionHash,
      agent,
    });
    return {
      ok: !error,
      redirectUrl: withResult(refresh, minor, error?.message),
      ...(error ? { error } : {}),
      ...(serverResult ? { serverResult } : {}),
    };
  } catch (e) {
    const commErr =
      e instanceof ClientError ? e : new ClientError('communicationError', (e as Error).message);
    const cea = token.communicationErrorAddress;
    return {
      ok: false,
      error: error ?? commErr,
      ...(cea ? { redirectUrl: withResult(cea, 'communicationError') } : {}),
    };
  } finally {
    agent.destroy();
  }
}

/**
 * The PAOS loop. Returns the server's final result; when the client itself
 * reported an error in the conversation, that error is thrown once the
 * server has closed it with StartPAOSResponse.
 */
async function converse(
  token: TcToken,
  tcTokenUrl: string,
  eac: EacClient,
  tcAgent: Agent,
  seen: SeenCertificate[],
  tcTokenSocket?: TLSSocket,
): Promise<EcardResult> {
  const url = new URL(token.serverAddress);
  const agent = token.psk ? new Agent({ keepAlive: true, maxSockets: 1, maxCachedSessions: 0 }) : tcAgent;
  const firstSocket: { s?: TLSSocket } = {};
  const post = async (xml: string) => {
    const r = await httpsCall(url, {
      method: 'POST',
      agent,
      body: xml,
      headers: {
        'content-type': `${PAOS_CONTENT_TYPE}; charset=UTF-8`,
        accept: `text/html; ${PAOS_CONTENT_TYPE}`,
        paos: `ver="${PAOS_VERSION}"`,
        requestid: token.sessionIdentifier,
      },
      ...(token.psk ? { psk: { identity: token.sessionIdentifier, key: token.psk } } : {}),
    }).catch((e) => {
      throw new ClientError(
        'trustedChannelEstablishmentFailed',
        `trusted channel to ${url.origin}: ${(e as Error).message}`,
        RESULT_MINOR.trustedChannelEstablishmentFailed,
      );
    });
    if (!firstSocket.s) {
      firstSocket.s = r.socket;
      seen.push({ origin: url.origin, der: peerCertificateDer(r.socket) });
      // Attached mode: the very connection of the TC Token fetch, or a resumption of its TLS session (TR-03124-1 §2.7.2).
      if (!token.psk && r.socket !== tcTokenSocket && !r.socket.isSessionReused()) {
        throw new ClientError(
          'trustedChannelEstablishmentFailed',
          'attached mode: the TLS session of the TC Token fetch could not be resumed',
          RESULT_MINOR.trustedChannelEstablishmentFailed,
        );
      }
    }
    if (r.status !== 200) throw new ClientError('serverError', `the eID-Server answered HTTP ${r.status}`);
    return r.body;
  };

  try {
    let reply = buildStartPaos(
      {
        sessionIdentifier: token.sessionIdentifier,
        connectionHandle: {
          cardApplication: EID_APPLICATION,
          slotHandle: randomBytes(8).toString('hex').toUpperCase(),
        },
        userAgent: { name: CLIENT_NAME, version: CLIENT_VERSION },
        supportedApiVersions: ['1.1.5'],
      },
      newMessageId(),
    );
    let reported: ClientError | undefined;
    for (let round = 0; round < 64; round++) {
      const env = parseEnvelope(await post(reply), { maxBytes: 4 * 1024 * 1024 });
      const ids = { messageId: newMessageId(), ...(env.messageId ? { relatesTo: env.messageId } : {}) };
      const name = env.body.localName;
      if (env.body.namespaceURI === NS.iso && name === 'StartPAOSResponse') {
        const result = parseStartPaosResponse(env);
        if (reported) throw reported;
        return result;
      }
      try {
        if (reported) throw new ClientError('clientError', `unexpected ${name} after an error was reported`);
        if (name === 'DIDAuthenticate') {
          const { step, data } = parseDidAuthenticate(env);
          if (data.getAttribute('Protocol') !== EAC_PROTOCOL)
            throw new ClientError(
              'clientError',
              'unsupported DIDAuthenticate protocol',
              RESULT_MINOR.unsupportedProtocol,
            );
          if (step === 'EAC1InputType') {
            const out = await eac.eac1(parseEac1Input(data), tcTokenUrl, seen);
            reply = buildDidAuthenticateResponse(OK, 'EAC1OutputType', buildEac1Output(out), ids);
          } else if (step === 'EAC2InputType') {
            const out = await eac.eac2(parseEac2Input(data));
            reply = buildDidAuthenticateResponse(OK, 'EAC2OutputType', buildEac2Output(out), ids);
          } else {
            throw new ClientError('clientError', `unsupported EAC step ${step}`, RESULT_MINOR.parameterError);
          }
        } else if (name === 'Transmit') {
          const t = parseTransmit(env);
          reply = buildTransmitResponse({ result: OK, responses: await eac.transmit(t.apdus) }, ids);
        } else {
          throw new ClientError(
            'clientError',
            `unexpected PAOS message ${name}`,
            RESULT_MINOR.parameterError,
          );
        }
      } catch (e) {
        const err =
          e instanceof ClientError
            ? e
            : e instanceof XmlError
              ? new ClientError('clientError', e.message, RESULT_MINOR.parameterError)
              : new ClientError('clientError', (e as Error).message);
        // Report the error to the server in the response it waits for, then expect StartPAOSResponse.
        const result: EcardResult = {
          major: RESULT_MAJOR.error,
          minor: err.resultMinor ?? RESULT_MINOR.internalError,
          message: err.message,
        };
        reply =
          name === 'Transmit'
            ? buildTransmitResponse({ result, responses: [] }, ids)
            : buildDidAuthenticateResponse(result, undefined, '', ids);
        if (reported) throw err;
        reported = err;
      }
    }
    throw new ClientError('clientError', 'the PAOS conversation did not end');
  } finally {
    if (agent !== tcAgent) agent.destroy();
  }
}
