/**
 * Field values in the card file: JSON-friendly forms of src/profile values
 * (the photo as base64, the household address as an object, everything else
 * as strings), validated with the profile's own rules.
 */
import { FIELD_IDS, type FieldId, isFieldId } from '../profile/fields.js';
import { type FieldValue, type FieldValues, validateFieldValue } from '../profile/values.js';

export type FieldsJson = Partial<Record<FieldId, unknown>>;

export function fieldValueFromJson(id: FieldId, v: unknown): FieldValue {
  const value = id === 'photo' ? Buffer.from(typeof v === 'string' ? v : '', 'base64') : v;
  validateFieldValue(id, value);
  return value as FieldValue;
}

export function fieldsFromJson(input: unknown): FieldValues {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new TypeError('fields must be an object');
  const out: FieldValues = {};
  for (const [k, v] of Object.entries(input)) {
    if (!isFieldId(k)) throw new TypeError(`unknown field ${k}`);
    (out as Record<string, FieldValue>)[k] = fieldValueFromJson(k, v);
  }
  return out;
}

export function fieldsToJson(values: FieldValues): FieldsJson {
  const out: FieldsJson = {};
  for (const id of FIELD_IDS) {
    const v = values[id];
    if (v === undefined) continue;
    out[id] = Buffer.isBuffer(v) ? v.toString('base64') : typeof v === 'object' ? { ...v } : v;
  }
  return out;
}
