/**
 * Request bodies are validated against the OpenAPI document's own schemas
 * (Ajv, JSON Schema 2020-12 as in OpenAPI 3.1). Every violation is reported
 * with the JSON pointer of the offending member.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { SCHEMAS } from './openapi/schemas.js';
import { type FieldError, Problem } from './problem.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const ajv = new Ajv2020({
  allErrors: true,
  // The components wrapper is not a JSON Schema keyword; everything else is checked strictly by the tests.
  strict: false,
  formats: {
    uri: (s: string) => URL.canParse(s),
    email: /^[^\s@]{1,64}@[^\s@]{1,253}\.[^\s@]{2,}$/,
    date: (s: string) => {
      const m = DATE.exec(s);
      if (!m) return false;
      const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
      return d.getUTCMonth() === +m[2]! - 1 && d.getUTCDate() === +m[3]!;
    },
  },
});
ajv.addSchema({ $id: 'neid-admin', components: { schemas: SCHEMAS } });

const compiled = new Map<string, ValidateFunction>();

function validator(name: string): ValidateFunction {
  let v = compiled.get(name);
  if (!v) {
    v = ajv.getSchema(`neid-admin#/components/schemas/${name}`);
    if (!v) throw new Error(`no schema ${name}`);
    compiled.set(name, v);
  }
  return v;
}

function fieldError(e: ErrorObject): FieldError {
  const p = e.params as { missingProperty?: string; additionalProperty?: string; format?: string };
  if (e.keyword === 'required')
    return { pointer: `${e.instancePath}/${p.missingProperty}`, detail: 'is required', keyword: 'required' };
  if (e.keyword === 'additionalProperties')
    return {
      pointer: `${e.instancePath}/${p.additionalProperty}`,
      detail: 'is not a member of this object',
      keyword: 'additionalProperties',
    };
  if (e.keyword === 'enum')
    return {
      pointer: e.instancePath || '/',
      detail: `must be one of ${((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).join(', ')}`,
      keyword: 'enum',
    };
  return {
    pointer: e.instancePath || '/',
    detail: e.message ?? 'is invalid',
    keyword: e.keyword === 'format' ? `format:${p.format}` : e.keyword,
  };
}

/** Returns `body` typed when it satisfies schema `name`; else a 422 Problem naming the fields. */
export function validateBody<T>(name: string, body: unknown): T {
  const v = validator(name);
  if (v(body)) return body as T;
  // oneOf failures repeat the branch errors; keep the distinct ones, most specific first.
  const seen = new Set<string>();
  const errors = (v.errors ?? [])
    .map(fieldError)
    .filter((e) => !seen.has(`${e.pointer} ${e.detail}`) && seen.add(`${e.pointer} ${e.detail}`))
    .slice(0, 20);
  const first = errors[0]!;
  throw new Problem(
    422,
    'invalid-body',
    'Invalid request body',
    `${first.pointer} ${first.detail}`,
    first.pointer,
    errors,
  );
}
