/**
 * The secure-messaging work after Chip Authentication, as Transmit batches
 * (TR-03112-7 §3.6.4.4): EF.ChipSecurity when encrypted-area data groups are
 * read (their hashes are not in EF.CardSecurity, docs/chip-profile.md §7),
 * SELECT of the eID application, VERIFY for document validity, age and
 * place, Restricted Identification with the eService's sector key, and the
 * data groups the citizen released. No AcceptableStatusCode is set, so the
 * client runs every command and the server sees every answer.
 */
import type { CommandApdu, ResponseApdu } from '../../apdu/apdu.js';
import { SW } from '../../apdu/status.js';
import { EacError } from '../../eac/errors.js';
import { applyDataGroupResponses, planDataGroupReads } from '../../eac/read.js';
import {
  readBinarySfi,
  SHORT_READ_MAX,
  selectEidApplication,
  selectMasterFile,
} from '../../eac/read-commands.js';
import { generalAuthenticateRi, mseSetAtRi, parseRestrictedIdentificationResponse } from '../../eac/ri.js';
import { interpretVerify, verifyCommand } from '../../eac/verify.js';
import type { BatchOp, PaosState } from './state.js';
import { loadReadState, storeReadState } from './state.js';

export const EF_CHIP_SECURITY_SFI = 0x1b;

export interface FirstBatchPlan {
  readonly dgs: readonly number[];
  readonly chipSecurity: boolean;
  readonly verify: readonly ('age' | 'place' | 'validity')[];
  readonly ri?: { readonly keyId: number; readonly sectorPublicKey: Buffer };
  readonly readMode: 'extended' | 'short';
}

export function firstBatch(p: FirstBatchPlan): {
  commands: CommandApdu[];
  ops: BatchOp[];
  read: PaosState['read'];
} {
  const commands: CommandApdu[] = [];
  const ops: BatchOp[] = [];
  const add = (c: CommandApdu, op: BatchOp) => {
    commands.push(c);
    ops.push(op);
  };
  if (p.chipSecurity) {
    add(selectMasterFile(), { kind: 'select-mf' });
    add(readBinarySfi(EF_CHIP_SECURITY_SFI, 0, 65536), { kind: 'read-chip-security' });
  }
  add(selectEidApplication(), { kind: 'select-application' });
  for (const v of p.verify) add(verifyCommand(v), { kind: 'verify', what: v });
  if (p.ri) {
    add(mseSetAtRi({ keyId: p.ri.keyId }), { kind: 'ri-mse' });
    add(generalAuthenticateRi(p.ri.sectorPublicKey), { kind: 'ri-ga' });
  }
  const extended = p.readMode === 'extended';
  const plan = planDataGroupReads(p.dgs, {
    firstChunk: extended ? 65536 : SHORT_READ_MAX,
    extended,
    selectApplication: false,
  });
  return { commands: [...commands, ...plan.commands.map((c) => c.command)], ops, read: storeReadState(plan) };
}

export interface OpOutcomes {
  restrictedId?: string;
  age?: boolean;
  place?: boolean;
  validity?: boolean;
  /** Verifications the card could not perform because it has no such data group (6A88). */
  notOnChip?: ('age' | 'place')[];
  chipSecurity?: Buffer;
}

/** Interprets the answers to the non-read commands of the first batch. */
export function applyOps(ops: readonly BatchOp[], responses: readonly ResponseApdu[], out: OpOutcomes): void {
  ops.forEach((op, i) => {
    const r = responses[i];
    if (!r) throw new EacError('malformed-response', `no answer to ${op.kind}`);
    switch (op.kind) {
      case 'select-mf':
      case 'select-application':
      case 'ri-mse':
        if (r.sw !== SW.OK)
          throw new EacError('card-error', `${op.kind} answered ${r.sw.toString(16)}`, { sw: r.sw });
        return;
      case 'read-chip-security':
        // Absent (6A82): the data groups that need its hashes fail their check in finish().
        if (r.sw === SW.FILE_NOT_FOUND) return;
        if (r.sw !== SW.OK)
          throw new EacError('card-error', `reading EF.ChipSecurity answered ${r.sw.toString(16)}`, {
            sw: r.sw,
          });
        out.chipSecurity = Buffer.from(r.data);
        return;
      case 'verify':
        // Age and place on a card without DG8/DG18: NOTONCHIP, like the field itself. Document
        // validity stays mandatory: without it, interpretVerify fails the card.
        if (op.what !== 'validity' && r.sw === SW.REFERENCE_DATA_NOT_FOUND) {
          out.notOnChip = [...(out.notOnChip ?? []), op.what];
          return;
        }
        out[op.what] = interpretVerify(r, `VERIFY ${op.what}`);
        return;
      case 'ri-ga':
        out.restrictedId = parseRestrictedIdentificationResponse(r).identifier.toString('hex');
        return;
    }
  });
}

/** Applies read responses; returns the next read state and its commands (empty when done). */
export function continueReads(read: NonNullable<PaosState['read']>, responses: readonly ResponseApdu[]) {
  const next = applyDataGroupResponses(loadReadState(read), responses);
  return { state: next, stored: storeReadState(next), commands: next.commands.map((c) => c.command) };
}
