/** StartPAOSResponse (TR-03112-7 §3.2.1): the server's last message, with the overall result. */
import { el } from '../../xml/build.js';
import { buildEnvelope, type Envelope, expectBody } from '../envelope.js';
import { NS } from '../namespaces.js';
import { buildResult, type EcardResult, parseResult } from '../result.js';

export function buildStartPaosResponse(
  result: EcardResult,
  ids: { messageId: string; relatesTo?: string },
): string {
  return buildEnvelope(
    el('StartPAOSResponse', { xmlns: NS.iso, Profile: NS.ecard }, buildResult(result)),
    ids,
  );
}

export function parseStartPaosResponse(env: Envelope): EcardResult {
  return parseResult(expectBody(env, NS.iso, 'StartPAOSResponse'));
}
