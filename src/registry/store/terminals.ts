/** Repository of terminal certificates, their requests and keys (neid.terminals, neid.sector_keys). */
import type { Queryable } from '../db/database.js';
import { notFound } from '../errors.js';
import type { TerminalPurpose, TerminalRecord, TerminalStatus } from '../model.js';
import { bytes, date, opt, type Row, text } from './rows.js';

export function terminalOf(r: Row): TerminalRecord {
  return {
    chr: r.chr as string,
    eServiceId: r.eservice_id as string,
    ...opt('applicationId', text(r.application_id)),
    status: r.status as TerminalStatus,
    purpose: r.purpose as TerminalPurpose,
    environment: (r.environment as 'test' | 'production' | undefined) ?? 'production',
    keyStore: r.key_store as TerminalRecord['keyStore'],
    ...opt('privateKey', bytes(r.private_key)),
    ...opt('keyLabel', text(r.key_label)),
    ...opt('publicKey', bytes(r.public_key)),
    ...opt('request', bytes(r.request)),
    ...opt('certificate', bytes(r.certificate)),
    description: bytes(r.description)!,
    chat: bytes(r.chat)!,
    ...opt('effectiveDate', text(r.effective_date)),
    ...opt('expirationDate', text(r.expiration_date)),
    ...opt('previousChr', text(r.previous_chr)),
    createdAt: date(r.created_at)!,
    ...opt('activatedAt', date(r.activated_at)),
  };
}

export async function insertTerminal(
  q: Queryable,
  t: Omit<TerminalRecord, 'createdAt' | 'environment'> & { environment?: TerminalRecord['environment'] },
): Promise<void> {
  await q.query(
    `INSERT INTO neid.terminals (chr, eservice_id, application_id, status, purpose, key_store, private_key, key_label,
       public_key, request, certificate, description, chat, effective_date, expiration_date, previous_chr, activated_at,
       environment)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
    [
      t.chr,
      t.eServiceId,
      t.applicationId ?? null,
      t.status,
      t.purpose,
      t.keyStore,
      t.privateKey ?? null,
      t.keyLabel ?? null,
      t.publicKey ?? null,
      t.request ?? null,
      t.certificate ?? null,
      t.description,
      t.chat,
      t.effectiveDate ?? null,
      t.expirationDate ?? null,
      t.previousChr ?? null,
      t.activatedAt ?? null,
      t.environment ?? 'production',
    ],
  );
}

export async function getTerminal(q: Queryable, chr: string, lock = false): Promise<TerminalRecord> {
  const [row] = await q.query<Row>(
    `SELECT * FROM neid.terminals WHERE chr = $1${lock ? ' FOR UPDATE' : ''}`,
    [chr],
  );
  if (!row) throw notFound(`terminal certificate ${chr}`);
  return terminalOf(row);
}

export async function terminalsOf(q: Queryable, eServiceId: string): Promise<TerminalRecord[]> {
  return (
    await q.query<Row>('SELECT * FROM neid.terminals WHERE eservice_id = $1 ORDER BY created_at, chr', [
      eServiceId,
    ])
  ).map(terminalOf);
}

export async function terminalsByStatus(
  q: Queryable,
  statuses: readonly TerminalStatus[],
): Promise<TerminalRecord[]> {
  return (
    await q.query<Row>(
      'SELECT * FROM neid.terminals WHERE status = ANY($1::text[]) ORDER BY eservice_id, chr',
      [statuses],
    )
  ).map(terminalOf);
}

export async function setTerminalStatus(
  q: Queryable,
  chr: string,
  status: TerminalStatus,
  extra: { certificate?: Buffer; effectiveDate?: string; expirationDate?: string } = {},
): Promise<void> {
  await q.query(
    `UPDATE neid.terminals SET status = $2,
       certificate = COALESCE($3, certificate), effective_date = COALESCE($4, effective_date),
       expiration_date = COALESCE($5, expiration_date),
       activated_at = CASE WHEN $2 = 'active' THEN now() ELSE activated_at END
     WHERE chr = $1`,
    [chr, status, extra.certificate ?? null, extra.effectiveDate ?? null, extra.expirationDate ?? null],
  );
}

export async function deleteTerminal(q: Queryable, chr: string): Promise<void> {
  await q.query('DELETE FROM neid.terminals WHERE chr = $1', [chr]);
}

/** CHRs ever used by an eService's mnemonic (for the next sequence number). */
export async function chrsOf(q: Queryable, eServiceId: string): Promise<string[]> {
  return (
    await q.query<{ chr: string }>('SELECT chr FROM neid.terminals WHERE eservice_id = $1', [eServiceId])
  ).map((r) => r.chr);
}

export async function getSectorKey(q: Queryable, eServiceId: string): Promise<Buffer | undefined> {
  const [row] = await q.query<Row>('SELECT private_key FROM neid.sector_keys WHERE eservice_id = $1', [
    eServiceId,
  ]);
  return bytes(row?.private_key);
}

export async function insertSectorKey(q: Queryable, eServiceId: string, sealed: Buffer): Promise<void> {
  await q.query('INSERT INTO neid.sector_keys (eservice_id, private_key) VALUES ($1, $2)', [
    eServiceId,
    sealed,
  ]);
}
