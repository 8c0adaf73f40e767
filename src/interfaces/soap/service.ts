/**
 * The three functions of the eID-Interface (TR-03130-1 §3.2) on top of the
 * session service: what they mean, independent of SOAP and WS-Security.
 *
 * - useID: REQUIRED fields become the session's required fields (the
 *   RequiredCHAT), ALLOWED ones its optional fields (OptionalCHAT); a request
 *   beyond the eService's approval is useID#missingTerminalRights before any
 *   card contact. The eService serves the TC Token itself (§3.1.2 step 3)
 *   from Session, eCardServerAddress and PSK.
 * - getResult: noResultYet while the authentication runs; every other answer
 *   ends the session and deletes its data.
 * - getServerInfo: the rights of the eService's terminal certificate.
 */
import type { EService } from '../../config/relying-parties.js';
import { grantsOf } from '../../profile/authorization.js';
import type { FieldId } from '../../profile/fields.js';
import type { PkiMaterial } from '../../provisioning/store.js';
import { AuthRequestError } from '../../workflows/session/errors.js';
import type { SessionService } from '../../workflows/session/service.js';
import type { AuthRequest, AuthResult, AuthSession } from '../../workflows/session/types.js';
import { buildGetResultResponse, type GetResultRequest } from './messages/get-result.js';
import { buildGetServerInfoResponse } from './messages/get-server-info.js';
import { buildUseIdResponse, type UseIdRequest } from './messages/use-id.js';
import {
  type AttributeResponse,
  isField,
  isFunction,
  OPERATION_IDS,
  type OperationId,
} from './operations.js';
import { errorResult, failureResult, OK, RESULT_MINOR, SoapError, useIdErrorMinor } from './result-codes.js';

export interface EidInterfaceDeps {
  readonly sessions: SessionService;
  readonly pki: PkiMaterial;
  readonly log: { info(o: object, m: string): void };
  /** getResult reported a failed authentication: eService and ResultMinor (metrics). */
  readonly failed?: (eService: string, minor: string) => void;
}

/** A live SOAP session of this eService (another eService's session is as unknown as an expired one). */
const ownedBy = (s: AuthSession | undefined, es: EService): s is AuthSession =>
  !!s && s.request.frontEnd === 'soap' && s.request.eServiceId === es.id;

/** Session context key: how the eService asked for RestrictedID (it is not a card field). */
const RI_CONTEXT = 'soapRestrictedId';

export class EidInterface {
  constructor(private readonly d: EidInterfaceDeps) {}

  /** The operations the eService's terminal certificate allows (getServerInfo, useID). */
  rights(es: EService): Set<OperationId> {
    const t = this.d.pki.terminals.get(es.id);
    if (!t) return new Set();
    const g = grantsOf(t.cert.chat);
    return new Set<OperationId>([
      ...g.fields,
      ...g.functions,
      ...(g.restrictedIdentification ? (['restrictedId'] as const) : []),
    ]);
  }

  /** Ends `id` if it is a live SOAP session of `es` (after a getResult that violated the schema). */
  async endOwnSession(es: EService, id: string): Promise<void> {
    if (!ownedBy(await this.d.sessions.get(id), es)) return;
    await this.d.sessions.discard(id);
  }

  getServerInfo(es: EService): string {
    return buildGetServerInfoResponse(this.rights(es));
  }

  async useId(es: EService, req: UseIdRequest): Promise<string> {
    const ops = req.operations;
    if (ops.size === 0)
      throw new SoapError(RESULT_MINOR.missingArgument, 'UseOperations selects no operation');
    if (ops.has('ageVerification') && req.age === undefined) {
      throw new SoapError(
        RESULT_MINOR.missingArgument,
        'AgeVerification is selected but AgeVerificationRequest is missing',
      );
    }
    if (ops.has('placeVerification') && req.place === undefined) {
      throw new SoapError(
        RESULT_MINOR.missingArgument,
        'PlaceVerification is selected but PlaceVerificationRequest is missing',
      );
    }
    if (ops.has('restrictedId') && !this.rights(es).has('restrictedId')) {
      throw new SoapError(
        RESULT_MINOR.missingTerminalRights,
        'the terminal certificate does not allow Restricted Identification',
      );
    }
    const fields = [...ops].filter(([op]) => isField(op)) as [FieldId, 'REQUIRED' | 'ALLOWED'][];
    if (fields.length === 0 && !ops.has('ageVerification') && !ops.has('placeVerification')) {
      throw new SoapError(
        RESULT_MINOR.missingArgument,
        'select at least one field or verification besides RestrictedID',
      );
    }
    const age = ops.get('ageVerification');
    const place = ops.get('placeVerification');
    const ri = ops.get('restrictedId');
    const request: AuthRequest = {
      eServiceId: es.id,
      frontEnd: 'soap',
      required: fields.filter(([, v]) => v === 'REQUIRED').map(([f]) => f),
      optional: fields.filter(([, v]) => v === 'ALLOWED').map(([f]) => f),
      ...(age ? { ageVerification: { age: req.age!, required: age === 'REQUIRED' } } : {}),
      ...(place ? { placeVerification: { areaCode: req.place!, required: place === 'REQUIRED' } } : {}),
      channel: 'psk',
      ...(req.psk ? { eServicePsk: req.psk.key, eServicePskId: req.psk.id } : {}),
      // The eService serves its own TC Token with its own RefreshAddress; ours would need this.
      ...(es.url ? { refreshAddress: es.url } : {}),
      ...(req.transactionInfo ? { transactionInfo: req.transactionInfo } : {}),
      ...(ri ? { context: { [RI_CONTEXT]: ri } } : {}),
    };
    let created: Awaited<ReturnType<SessionService['create']>>;
    try {
      created = await this.d.sessions.create(request, undefined, { claimed: true });
    } catch (e) {
      if (e instanceof AuthRequestError) throw new SoapError(useIdErrorMinor(e), e.message);
      throw e;
    }
    if (!created.psk) throw new Error('a PSK session was created without PSK');
    return buildUseIdResponse(
      {
        sessionId: created.sessionId,
        eCardServerAddress: created.serverAddress,
        psk: { id: created.identity, key: created.psk },
      },
      OK,
    );
  }

  async getResult(es: EService, req: GetResultRequest): Promise<string> {
    const { sessions } = this.d;
    const id = req.sessionId;
    const s = await sessions.get(id);
    // Another eService's or front-end's session is as unknown as an expired one (and is left alone).
    if (!ownedBy(s, es))
      throw new SoapError(RESULT_MINOR.invalidSession, 'unknown, expired or finished session');
    // The counter lives in the session store beside the session (all instances see it; it ends with the session).
    if (
      !(await sessions.acceptCounter(
        id,
        req.requestCounter,
        es.soap?.requestCounter ?? 'strict',
        s.expiresAt,
      ))
    ) {
      await sessions.discard(id);
      throw new SoapError(
        RESULT_MINOR.invalidCounter,
        'the RequestCounter did not rise as required; the session is ended',
      );
    }
    const out = await sessions.consume(id);
    if (!out) throw new SoapError(RESULT_MINOR.invalidSession, 'unknown, expired or finished session');
    if (out.kind === 'pending')
      return buildGetResultResponse(
        undefined,
        errorResult(RESULT_MINOR.noResultYet, 'the authentication has not ended yet'),
      );
    if (out.kind === 'failure') {
      const r = failureResult(out.failure);
      if (r.minor) this.d.failed?.(es.id, r.minor);
      return buildGetResultResponse(undefined, r);
    }
    return buildGetResultResponse(this.outcome(out.result, out.session.request), OK);
  }

  /** OperationsAllowedByUser for every operation; RestrictedID only if it was asked for. */
  private outcome(r: AuthResult, req: AuthRequest) {
    const askedRi = req.context?.[RI_CONTEXT] !== undefined;
    const operations = new Map<OperationId, AttributeResponse>();
    for (const op of OPERATION_IDS) {
      if (op === 'restrictedId') {
        if (askedRi) operations.set(op, r.restrictedId ? 'ALLOWED' : 'NOTONCHIP');
      } else if (isField(op) || isFunction(op)) {
        const v = r.operations[op];
        if (v) operations.set(op, v);
      }
    }
    return {
      fields: r.fields,
      operations,
      ...(askedRi && r.restrictedId ? { restrictedId: r.restrictedId } : {}),
      ...(r.ageVerification !== undefined ? { ageVerification: r.ageVerification } : {}),
      ...(r.placeVerification !== undefined ? { placeVerification: r.placeVerification } : {}),
    };
  }
}
