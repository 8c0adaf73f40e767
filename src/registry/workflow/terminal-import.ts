/**
 * The production side of terminal certificates: importing what the
 * Ministry's DV issued for a pending request (checked against the request
 * and the approval), withdrawing a request, and ordering renewals a
 * configured number of days before expiry (with an outer signature by the
 * current key, TR-03110-3 §C.2.6).
 */
import { CvCertificate } from '../../pki/cvc/certificate.js';
import { hashCertificateDescription } from '../../pki/cvc/certificate-description.js';
import { validateChain } from '../../pki/cvc/chain.js';
import { Chat } from '../../pki/cvc/chat.js';
import { dateString } from '../../pki/cvc/dates.js';
import { expectTlv } from '../../tlv/tlv.js';
import { appendAudit } from '../audit/chain.js';
import { markChanged, type RegistryContext } from '../context.js';
import { RegistryError } from '../errors.js';
import type { TerminalRecord } from '../model.js';
import type { Principal } from '../roles.js';
import { getEService } from '../store/eservices.js';
import { getTerminal, setTerminalStatus, terminalsByStatus } from '../store/terminals.js';
import { discardTerminalKey } from '../terminal-keys.js';
import { activate, orderTerminal } from './terminals.js';

const spki = (k: { export(o: { format: 'der'; type: 'spki' }): Buffer }) =>
  k.export({ format: 'der', type: 'spki' });

/**
 * Imports the certificate the DV issued for a pending request: it must chain to this PKI's DV and
 * CVCA, certify the requested key under the requested CHR, grant exactly the approved CHAT and
 * carry the hash of the CertificateDescription made for it.
 */
export async function importTerminalCertificate(
  ctx: RegistryContext,
  actor: Principal,
  der: Buffer,
): Promise<TerminalRecord> {
  let cert: CvCertificate;
  try {
    cert = CvCertificate.decode(der);
  } catch (e) {
    throw new RegistryError('invalid', `not a CV certificate: ${(e as Error).message}`, '/certificate');
  }
  return ctx.db.tx(async (q) => {
    const t = await getTerminal(q, cert.chr, true).catch(() => {
      throw new RegistryError('not-found', `no terminal request with CHR ${cert.chr}`, '/certificate');
    });
    if (t.status !== 'requested')
      throw new RegistryError('wrong-state', `terminal ${t.chr} is ${t.status}, not awaiting a certificate`);
    const fail = (m: string) => new RegistryError('invalid', `certificate ${cert.chr}: ${m}`, '/certificate');
    // A request of the test phase is answered by the test environment's DV, every other by production's.
    const env = t.environment === 'test' && ctx.pki.testEnv ? ctx.pki.testEnv : ctx.pki;
    try {
      validateChain([env.dv, cert], {
        trustPoints: [env.cvca],
        currentDate: dateString(ctx.now()),
        dateMode: 'clock',
      });
    } catch (e) {
      throw fail(`does not chain to DV ${env.dv.chr} and CVCA ${env.cvca.chr}: ${(e as Error).message}`);
    }
    if (cert.role !== 'terminal') throw fail('is not a terminal certificate');
    if (!spki(cert.keyObject(ctx.pki.curve)).equals(t.publicKey!))
      throw fail('certifies another key than the request');
    const requested = terminalChatHex(t);
    if (cert.chat.toHex() !== requested)
      throw fail(`grants CHAT ${cert.chat.toHex()}, but exactly ${requested} was approved`);
    const want = hashCertificateDescription(t.description, cert.hash);
    if (!cert.descriptionHash?.equals(want))
      throw fail('does not carry the hash of the CertificateDescription made for it');
    await appendAudit(
      q,
      [
        {
          actor: actor.id,
          action: 'terminal.import',
          target: `terminal:${t.chr}`,
          outcome: 'ok',
          details: { fingerprint: cert.fingerprint() },
        },
      ],
      ctx.now(),
    );
    return activate(ctx, q, actor, t, cert);
  });
}

/** The CHAT a terminal was requested with (hex, as Chat.toHex prints it). */
export const terminalChatHex = (t: Pick<TerminalRecord, 'chat'>): string => terminalChat(t).toHex();
export const terminalChat = (t: Pick<TerminalRecord, 'chat'>): Chat =>
  Chat.decode(expectTlv(t.chat, 0x7f4c, 'CHAT'));

/** Withdraws a pending request (its key is destroyed); the eService keeps its current certificate. */
export async function withdrawTerminalRequest(
  ctx: RegistryContext,
  actor: Principal,
  chr: string,
): Promise<void> {
  const t = await getTerminal(ctx.db, chr);
  if (t.status !== 'requested' && t.status !== 'generating')
    throw new RegistryError(
      'wrong-state',
      `terminal ${chr} is ${t.status}; only a pending request can be withdrawn`,
    );
  await ctx.db.tx(async (q) => {
    await setTerminalStatus(q, chr, 'withdrawn');
    await q.query('UPDATE neid.terminals SET private_key = NULL WHERE chr = $1', [chr]);
    await appendAudit(
      q,
      [{ actor: actor.id, action: 'terminal.withdraw', target: `terminal:${chr}`, outcome: 'ok' }],
      ctx.now(),
    );
    await markChanged(q);
  });
  if (t.keyStore === 'pkcs11') discardTerminalKey(ctx, { name: { terminal: t.eServiceId, chr } });
}

/** Orders a renewal for every active terminal within `renewDaysBefore` of expiry (and none pending). */
export async function renewDueTerminals(ctx: RegistryContext, actor: Principal): Promise<TerminalRecord[]> {
  const horizon = dateString(new Date(ctx.now().getTime() + ctx.terminals.renewDaysBefore * 86_400_000));
  const all = await terminalsByStatus(ctx.db, ['active', 'generating', 'requested']);
  const pending = new Set(all.filter((t) => t.status !== 'active').map((t) => t.eServiceId));
  const out: TerminalRecord[] = [];
  for (const t of all) {
    if (t.status !== 'active' || pending.has(t.eServiceId) || !t.expirationDate || t.expirationDate > horizon)
      continue;
    const es = await getEService(ctx.db, t.eServiceId);
    if (es.status !== 'active') continue;
    out.push(await orderTerminal(ctx, actor, { eServiceId: t.eServiceId, purpose: 'renewal' }));
  }
  return out;
}
