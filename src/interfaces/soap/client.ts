/**
 * The eService side of the eID-Interface: a minimal client that calls the
 * server over mutual TLS with signed requests and accepts only responses
 * whose signature verifies with the server's registered SOAP signing
 * certificate (TR-03130-1 §3.5.2.2). Used by the tests and as a reference for
 * integrators (docs/soap-interface.md).
 */
import { request } from 'node:https';
import type { Element } from '@xmldom/xmldom';
import { parseXml } from '../../xml/parse.js';
import {
  buildGetResultRequest,
  type GetResultOutcome,
  parseGetResultResponse,
} from './messages/get-result.js';
import { buildGetServerInfoRequest, parseGetServerInfoResponse } from './messages/get-server-info.js';
import { buildUseIdRequest, parseUseIdResponse, type UseIdGranted } from './messages/use-id.js';
import { SOAP_ACTION } from './namespaces.js';
import type { SoapResult } from './result-codes.js';
import { type SigningCredential, signEnvelope } from './wss/sign.js';
import { verifySignedEnvelope } from './wss/verify.js';

export interface EidInterfaceClientOptions {
  /** https://host:port/eid-interface */
  readonly url: string;
  /** TLS client key and certificate (PEM). */
  readonly tls: { readonly key: string; readonly cert: string };
  /** Trust anchor for the server's TLS certificate (PEM). */
  readonly serverTlsCert: string;
  readonly signing: SigningCredential;
  /** The server's SOAP signing certificate (PEM). */
  readonly serverSigningCert: string;
}

export interface RawResponse {
  readonly status: number;
  readonly body: string;
}

export class EidInterfaceClient {
  constructor(readonly o: EidInterfaceClientOptions) {}

  /** POSTs `envelope` as it is (tests use this to send crafted messages). */
  post(envelope: string, soapAction = '', contentType = 'text/xml; charset=utf-8'): Promise<RawResponse> {
    const u = new URL(this.o.url);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname + u.search,
          method: 'POST',
          key: this.o.tls.key,
          cert: this.o.tls.cert,
          ca: this.o.serverTlsCert,
          minVersion: 'TLSv1.2',
          agent: false,
          headers: { 'content-type': contentType, soapaction: `"${soapAction}"` },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(envelope);
    });
  }

  /** Signs `body`, sends it and returns the verified response Body's single child. */
  async call(body: string, soapAction: string) {
    const r = await this.post(signEnvelope(body, this.o.signing), soapAction);
    if (!r.body) throw new Error(`the server did not answer (HTTP ${r.status})`);
    const verified = verifySignedEnvelope(r.body, parseXml(r.body), this.o.serverSigningCert);
    const child = verified.body.firstChild;
    if (child?.nodeType !== 1) throw new Error('empty response Body');
    return { status: r.status, element: child as Element };
  }

  async useId(
    req: Parameters<typeof buildUseIdRequest>[0],
  ): Promise<{ granted?: UseIdGranted; result: SoapResult }> {
    return parseUseIdResponse((await this.call(buildUseIdRequest(req), SOAP_ACTION.useID)).element);
  }

  async getResult(
    sessionId: string,
    counter: number,
  ): Promise<{ outcome?: GetResultOutcome; result: SoapResult }> {
    return parseGetResultResponse(
      (await this.call(buildGetResultRequest(sessionId, counter), SOAP_ACTION.getResult)).element,
    );
  }

  async getServerInfo() {
    return parseGetServerInfoResponse(
      (await this.call(buildGetServerInfoRequest(), SOAP_ACTION.getServerInfo)).element,
    );
  }
}
