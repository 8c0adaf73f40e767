/**
 * One SOAP request of an identified eService, from bytes to the signed
 * response (TR-03130-1 §3.5.2):
 *
 * 1. parse with parseXml (no DTD, no entities, size and depth limits);
 * 2. verify the WS-Security signature with the eService's registered
 *    certificate. A message without any signature — or that is not XML at
 *    all — is not answered (HTTP 400, empty body: §3.5.2.1 "MUST NOT answer
 *    to requests … not signed at all"); an invalid signature is answered
 *    with common#internalError only; a correctly signed SOAP 1.2 envelope
 *    with a SOAP 1.1 VersionMismatch fault (the WSDL binds SOAP 1.1; SOAP 1.2
 *    Part 1 Appendix A);
 * 3. refuse a replay: what the signature covers (Timestamp and Body) is
 *    remembered in the session store — shared by all instances — for as
 *    long as its Timestamp would be accepted, and a second message with the
 *    same signed content is refused (common#internalError);
 * 4. read the operation from the signed Body only, validate it strictly
 *    (common#schemaViolation), and run it;
 * 5. sign the response. Errors of every kind are mapped to the wire here.
 */
import type { Document, Element } from '@xmldom/xmldom';
import type { EService } from '../../config/relying-parties.js';
import type { CallAudit } from '../../registry/audit/trail.js';
import { UnavailableError } from '../../workflows/session/errors.js';
import { el, textEl } from '../../xml/build.js';
import { parseXml } from '../../xml/parse.js';
import { type SoapClient, SoapClients } from './clients.js';
import { buildResult, RESPONSE_NS } from './messages/common.js';
import { buildGetResultResponse, parseGetResultRequest, sessionIdOf } from './messages/get-result.js';
import { parseGetServerInfoRequest } from './messages/get-server-info.js';
import { buildUseIdResponse, parseUseIdRequest } from './messages/use-id.js';
import { NS } from './namespaces.js';
import { errorResult, RESULT_MINOR, SoapError, type SoapResult } from './result-codes.js';
import type { EidInterface } from './service.js';
import { type SigningCredential, signEnvelope } from './wss/sign.js';
import { acceptedUntil } from './wss/timestamp.js';
import {
  SIGNED_BODY_MAX_NODES,
  type TimestampPolicy,
  type VerifiedEnvelope,
  verifySignedEnvelope,
  WssError,
} from './wss/verify.js';

export const MAX_REQUEST_BYTES = 256 * 1024;

export interface EndpointDeps {
  readonly service: EidInterface;
  readonly signing: SigningCredential;
  readonly timestamps: TimestampPolicy;
  /** One-time claims shared by all instances (SessionService.claim): replay protection. */
  readonly claims: { claim(key: string, expiresAt: number): Promise<boolean> };
  /** Records every call's outcome in the audit log. */
  readonly audit?: CallAudit;
  readonly log: {
    info(o: object, m: string): void;
    warn(o: object, m: string): void;
    error(o: object, m: string): void;
  };
  /** An error Result was answered: eService and ResultMinor (metrics). */
  readonly failed?: (eService: string, minor: string) => void;
}

export interface EndpointResponse {
  readonly status: number;
  /** Signed SOAP envelope; empty when the request is not answered. */
  readonly body: string;
}

type Operation = 'useID' | 'getResult' | 'getServerInfo';

const OPERATIONS: Record<string, Operation> = {
  useIDRequest: 'useID',
  getResultRequest: 'getResult',
  getServerInfoRequest: 'getServerInfo',
};

/** The operation a Body names (its single child), if it is one of ours. */
function operationOf(body: Element | undefined): { op?: Operation; element?: Element } {
  if (!body) return {};
  const kids: Element[] = [];
  for (let c = body.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) kids.push(c as Element);
  const e = kids.length === 1 ? kids[0] : undefined;
  const op = e && e.namespaceURI === NS.eid ? OPERATIONS[e.localName ?? ''] : undefined;
  return { ...(op ? { op } : {}), ...(e ? { element: e } : {}) };
}

/** An unverified peek at the Body, only to choose which response element carries an error. */
function claimedOperation(doc: Document): Operation | undefined {
  const env = doc.documentElement;
  for (let c = env?.firstChild; c; c = c.nextSibling) {
    const e = c as Element;
    if (c.nodeType === 1 && e.namespaceURI === NS.soap && e.localName === 'Body') return operationOf(e).op;
  }
  return undefined;
}

/** An error in the response element of the operation; a SOAP Fault where the operation has no Result. */
function errorBody(op: Operation | undefined, r: SoapResult): { status: number; body: string } {
  if (op === 'useID') return { status: 200, body: buildUseIdResponse(undefined, r) };
  if (op === 'getResult') return { status: 200, body: buildGetResultResponse(undefined, r) };
  // getServerInfoResponse has no Result element (§3.2.3.2): SOAP 1.1 Fault with dss:Result as detail.
  const client = r.minor !== RESULT_MINOR.internalError;
  return {
    status: 500,
    body: el(
      'soap:Fault',
      { 'xmlns:soap': NS.soap, ...RESPONSE_NS },
      textEl('faultcode', client ? 'soap:Client' : 'soap:Server'),
      textEl('faultstring', r.message ?? r.minor ?? 'error'),
      el('detail', {}, buildResult(r)),
    ),
  };
}

/** SOAP 1.1 §4.4.1 VersionMismatch: the answer of a SOAP 1.1 node to a SOAP 1.2 envelope. */
function versionMismatch(): { status: number; body: string } {
  return {
    status: 500,
    body: el(
      'soap:Fault',
      { 'xmlns:soap': NS.soap },
      textEl('faultcode', 'soap:VersionMismatch'),
      textEl('faultstring', 'the eID-Interface binds SOAP 1.1 (http://schemas.xmlsoap.org/soap/envelope/)'),
    ),
  };
}

export class SoapEndpoint {
  constructor(private readonly d: EndpointDeps) {}

  async handle(client: SoapClient, raw: Buffer, now = Date.now()): Promise<EndpointResponse> {
    const es = client.eService;
    const text = raw.toString('utf8');
    let doc: Document;
    try {
      doc = parseXml(text, { maxBytes: MAX_REQUEST_BYTES, maxDepth: 24, maxNodes: SIGNED_BODY_MAX_NODES });
    } catch (e) {
      this.d.log.warn(
        { eService: es.id, outcome: 'refused', reason: (e as Error).message },
        'SOAP request is not acceptable XML; not answered',
      );
      return { status: 400, body: '' };
    }
    let verified: VerifiedEnvelope;
    try {
      verified = this.verify(client, text, doc, now);
    } catch (e) {
      if (e instanceof WssError && e.code !== 'invalid-signature') {
        this.d.log.warn(
          { eService: es.id, outcome: 'refused', reason: e.message },
          e.code === 'not-signed'
            ? 'unsigned SOAP request; not answered'
            : 'not a SOAP envelope; not answered',
        );
        this.d.audit?.call({
          eServiceId: es.id,
          protocol: 'soap',
          operation: 'request',
          outcome: e.code === 'not-signed' ? 'unsigned' : 'not-soap',
        });
        return { status: 400, body: '' };
      }
      this.d.log.warn(
        { eService: es.id, outcome: 'invalid-signature', reason: (e as Error).message },
        'SOAP request signature refused',
      );
      this.d.failed?.(es.id, RESULT_MINOR.internalError);
      this.d.audit?.call({
        eServiceId: es.id,
        protocol: 'soap',
        operation: claimedOperation(doc) ?? 'request',
        outcome: 'invalid-signature',
        code: RESULT_MINOR.internalError,
      });
      return this.respond(errorBody(claimedOperation(doc), errorResult(RESULT_MINOR.internalError)), now);
    }
    if (verified.soapVersion === '1.2') {
      this.d.log.warn(
        { eService: es.id, outcome: 'refused', signed: true, soapVersion: '1.2' },
        'correctly signed SOAP 1.2 request refused: the eID-Interface binds SOAP 1.1',
      );
      return this.respond(versionMismatch(), now);
    }
    const replayKey = `soap-request\n${es.id}\n${verified.signedDigest}`;
    const { op, element } = operationOf(verified.body);
    try {
      if (!(await this.d.claims.claim(replayKey, acceptedUntil(verified, this.d.timestamps)))) {
        this.d.log.warn(
          { eService: es.id, outcome: 'replay', op: claimedOperation(doc) },
          'SOAP request replayed (same signed Timestamp and Body); refused',
        );
        this.d.failed?.(es.id, RESULT_MINOR.internalError);
        this.d.audit?.call({
          eServiceId: es.id,
          protocol: 'soap',
          operation: op ?? 'request',
          outcome: 'replay',
          code: RESULT_MINOR.internalError,
        });
        return this.respond(errorBody(op, errorResult(RESULT_MINOR.internalError, 'replayed request')), now);
      }
      if (!op || !element)
        throw new SoapError(
          RESULT_MINOR.schemaViolation,
          'the Body must hold exactly one useIDRequest, getResultRequest or getServerInfoRequest',
        );
      const out = await this.run(es, op, element);
      this.d.log.info({ eService: es.id, op, outcome: 'ok' }, 'eID-Interface call');
      this.d.audit?.call({ eServiceId: es.id, protocol: 'soap', operation: op, outcome: 'ok' });
      return this.respond({ status: 200, body: out }, now);
    } catch (e) {
      if (!(e instanceof SoapError)) {
        this.d.failed?.(es.id, RESULT_MINOR.internalError);
        // The session store is down or the server is stopping: common#internalError, one line, no stack.
        if (e instanceof UnavailableError)
          this.d.log.warn(
            { eService: es.id, op, reason: e.message },
            'eID-Interface call failed: unavailable',
          );
        else
          this.d.log.error(
            { eService: es.id, op, err: { message: (e as Error).message, stack: (e as Error).stack } },
            'internal error in the eID-Interface',
          );
        this.d.audit?.call({
          eServiceId: es.id,
          protocol: 'soap',
          operation: op ?? 'request',
          outcome: e instanceof UnavailableError ? 'unavailable' : 'internal-error',
          code: RESULT_MINOR.internalError,
        });
        return this.respond(errorBody(op, errorResult(RESULT_MINOR.internalError, 'internal error')), now);
      }
      if (e.minor === RESULT_MINOR.schemaViolation && op === 'getResult' && element) {
        // A session whose getResult violated the schema is ended (TR-03130-4 EIDSERVER_A1_4_15).
        const id = sessionIdOf(element);
        if (id) await this.d.service.endOwnSession(es, id);
      }
      this.d.log.info(
        { eService: es.id, op, outcome: e.minor.replace(/^.*resultminor\//, ''), reason: e.message },
        'eID-Interface call refused',
      );
      this.d.failed?.(es.id, e.minor);
      this.d.audit?.call({
        eServiceId: es.id,
        protocol: 'soap',
        operation: op ?? 'request',
        outcome: 'refused',
        code: e.minor,
      });
      return this.respond(errorBody(op, errorResult(e.minor, e.message)), now);
    }
  }

  /**
   * WS-Security with the eService's registered signing certificates that are valid now (several
   * during a rollover: the first that verifies wins). An expired one is refused like a wrong one.
   */
  private verify(client: SoapClient, text: string, doc: Document, now: number): VerifiedEnvelope {
    const certs = SoapClients.validSigning(client, now);
    if (certs.length === 0)
      throw new WssError(
        'invalid-signature',
        'no registered WS-Security signing certificate is valid now (expired?)',
      );
    let last: unknown;
    for (const pem of certs) {
      try {
        return verifySignedEnvelope(text, doc, pem, this.d.timestamps, now);
      } catch (e) {
        if (e instanceof WssError && e.code === 'not-signed') throw e;
        last = e;
      }
    }
    throw last;
  }

  private async run(es: EService, op: Operation, e: Element): Promise<string> {
    switch (op) {
      case 'useID':
        return this.d.service.useId(es, parseUseIdRequest(e));
      case 'getResult':
        return this.d.service.getResult(es, parseGetResultRequest(e));
      case 'getServerInfo':
        parseGetServerInfoRequest(e);
        return this.d.service.getServerInfo(es);
    }
  }

  private respond(r: { status: number; body: string }, now: number): EndpointResponse {
    return { status: r.status, body: signEnvelope(r.body, this.d.signing, { now }) };
  }
}
