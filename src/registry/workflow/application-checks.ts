/**
 * What an application must satisfy beyond its JSON schema: known fields and
 * functions, the eligibility for encrypted-area fields (seed 004 第陸章
 * 壹.二.(三)), IP addresses. Every refusal names the field (JSON pointer).
 */
import { isIP } from 'node:net';
import { FUNCTION_IDS, type FunctionId, isFunctionId } from '../../profile/authorization.js';
import { FIELD_IDS, type FieldId, fieldDef, isFieldId } from '../../profile/fields.js';
import { invalid } from '../errors.js';
import type { ApplicationForm } from '../model.js';

/** Fields of the encrypted area (加密區): only eligible applicants may read them. */
export const ENCRYPTED_FIELDS: readonly FieldId[] = FIELD_IDS.filter((f) => fieldDef(f).area === 'encrypted');

/** Checks what the JSON schema cannot: known fields, eligibility, addresses. Names the field. */
export function checkRequest(
  fields: readonly string[],
  functions: readonly string[],
  form: ApplicationForm,
): {
  fields: FieldId[];
  functions: FunctionId[];
} {
  fields.forEach((f, i) => {
    if (!isFieldId(f))
      throw invalid(`/requestedFields/${i}`, `unknown field "${f}" (known: ${FIELD_IDS.join(', ')})`, 'enum');
  });
  functions.forEach((f, i) => {
    if (!isFunctionId(f))
      throw invalid(
        `/requestedFunctions/${i}`,
        `unknown function "${f}" (known: ${FUNCTION_IDS.join(', ')})`,
        'enum',
      );
  });
  if (new Set(fields).size !== fields.length)
    throw invalid('/requestedFields', 'a field is listed twice', 'uniqueItems');
  if (fields.length === 0 && functions.length === 0)
    throw invalid(
      '/requestedFields',
      'an application requests at least one field or function',
      'nothing-requested',
    );
  const encrypted = fields.filter((f) => ENCRYPTED_FIELDS.includes(f as FieldId));
  if (encrypted.length && !form.eligibility) {
    throw invalid(
      '/form/eligibility',
      `encrypted-area fields (${encrypted.join(', ')}) need the eligibility: critical-infrastructure or designated-industry`,
      'eligibility',
    );
  }
  form.hostAddresses.forEach((a, i) => {
    if (!isIP(a)) throw invalid(`/form/hostAddresses/${i}`, `"${a}" is not an IP address`, 'not-an-ip');
  });
  if (form.subnetMask !== undefined && !isIP(form.subnetMask) && !/^\/?\d{1,3}$/.test(form.subnetMask))
    throw invalid('/form/subnetMask', `"${form.subnetMask}" is not a subnet mask`, 'not-a-mask');
  return { fields: fields as FieldId[], functions: functions as FunctionId[] };
}
