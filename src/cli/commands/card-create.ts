/**
 * `neid card create --out card.json [--pki DIR] [--set FIELD=VALUE ...] [--no-field FIELD ...]
 *                   [--empty-field FIELD ...] [--pin N] [--can N] [--user-code X] [--serial S]
 *                   [--curve NAME] [--date YYYYMMDD]`
 *
 * Personalises a virtual New eID card from the test PKI (default var/pki) with
 * the sample citizen, replacing the fields given with --set: dates YYYYMMDD and
 * codes as strings, householdAddress as JSON, photo as @file.jpg or base64.
 * Prints a one-line summary without personal data.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fieldValueFromJson } from '../../card/fields-json.js';
import { createCard } from '../../card/personalize.js';
import { writeCardFileAtomic } from '../../card/virtual-card.js';
import { parse, UsageError } from '../../config/args.js';
import { type FieldId, isFieldId } from '../../profile/fields.js';
import type { FieldValues } from '../../profile/values.js';
import { FieldValueError } from '../../profile/values.js';

function fieldOverride(spec: string): [FieldId, unknown] {
  const eq = spec.indexOf('=');
  if (eq < 1) throw new UsageError(`--set expects FIELD=VALUE, got "${spec}"`);
  const id = spec.slice(0, eq);
  const raw = spec.slice(eq + 1);
  if (!isFieldId(id)) throw new UsageError(`unknown field "${id}"`);
  if (id === 'householdAddress') {
    try {
      return [id, JSON.parse(raw)];
    } catch {
      throw new UsageError('householdAddress must be JSON: {"state":…,"city":…,"street":…,"country":"TWN"}');
    }
  }
  if (id === 'photo' && raw.startsWith('@')) return [id, readFileSync(raw.slice(1)).toString('base64')];
  return [id, raw];
}

export async function cardCreate(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    out: { type: 'string' },
    pki: { type: 'string' },
    set: { type: 'string', multiple: true },
    'no-field': { type: 'string', multiple: true },
    'empty-field': { type: 'string', multiple: true },
    pin: { type: 'string' },
    can: { type: 'string' },
    'user-code': { type: 'string' },
    serial: { type: 'string' },
    curve: { type: 'string' },
    date: { type: 'string' },
    'test-card': { type: 'boolean' },
  });
  if (!values.out) throw new UsageError('--out is required');
  const fields: FieldValues = {};
  for (const spec of values.set ?? []) {
    const [id, v] = fieldOverride(spec);
    try {
      (fields as Record<string, unknown>)[id] = fieldValueFromJson(id, v);
    } catch (e) {
      throw new UsageError(e instanceof FieldValueError ? e.message : `${id}: ${(e as Error).message}`);
    }
  }
  const fieldIds = (list: readonly string[] | undefined) =>
    (list ?? []).map((f) => {
      if (!isFieldId(f)) throw new UsageError(`unknown field "${f}"`);
      return f;
    });
  const omit = fieldIds(values['no-field']);
  const empty = fieldIds(values['empty-field']);
  const card = createCard({
    pkiDir: resolve(values.pki ?? 'var/pki'),
    fields,
    omitFields: omit,
    emptyFields: empty,
    ...(values.pin ? { pin: values.pin } : {}),
    ...(values.can ? { can: values.can } : {}),
    ...(values['user-code'] ? { userCode: values['user-code'] } : {}),
    ...(values.serial ? { serialNumber: values.serial } : {}),
    ...(values.curve ? { curve: values.curve } : {}),
    ...(values.date ? { date: values.date } : {}),
    ...(values['test-card'] ? { testCard: true } : {}),
  });
  const out = resolve(values.out);
  writeCardFileAtomic(out, card);
  const dgs = Object.keys(card.fields).length;
  const trust = card.trustPoints.length;
  process.stdout.write(
    `virtual card written to ${out}: ${dgs} data groups, curve ${card.curve}, ${trust} trust point(s), current date ${card.currentDate}\n`,
  );
  return 0;
}
