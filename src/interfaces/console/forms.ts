/**
 * The console's form posts: `application/x-www-form-urlencoded`, and
 * `multipart/form-data` (RFC 7578) for the two uploads — SAML metadata and a
 * terminal certificate from the DV. Bodies are read with a hard limit first;
 * a multipart body holds at most a few parts, each part's headers are bounded,
 * and only the fields the console asks for are read.
 */
import type { Context } from 'koa';
import { BodyTooLargeError, readBody } from '../http/body.js';

export class FormError extends Error {
  override readonly name = 'FormError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Upload {
  readonly filename: string;
  readonly data: Buffer;
}

export class Form {
  constructor(
    private readonly fields: ReadonlyMap<string, readonly string[]>,
    private readonly files: ReadonlyMap<string, Upload> = new Map(),
  ) {}

  /** The field's value, trimmed ('' when absent). */
  get(name: string): string {
    return (this.fields.get(name)?.[0] ?? '').trim();
  }

  /** Every value of a repeated field (checkboxes). */
  all(name: string): string[] {
    return [...(this.fields.get(name) ?? [])];
  }

  /** Non-empty lines of a textarea. */
  lines(name: string): string[] {
    return this.get(name)
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
  }

  file(name: string): Upload | undefined {
    const f = this.files.get(name);
    return f?.data.length ? f : undefined;
  }

  /** The values as the page shows them again after an error. */
  get values(): Readonly<Record<string, string>> {
    return Object.fromEntries([...this.fields].map(([k, v]) => [k, v.join('\n')]));
  }
}

const MAX_PARTS = 16;

async function body(ctx: Context, limit: number): Promise<Buffer> {
  try {
    return await readBody(ctx.req, limit);
  } catch (e) {
    if (e instanceof BodyTooLargeError) throw new FormError(413, e.message);
    throw e;
  }
}

function parseMultipart(raw: Buffer, boundary: string): Form {
  const fields = new Map<string, string[]>();
  const files = new Map<string, Upload>();
  const delim = Buffer.from(`--${boundary}`);
  let pos = raw.indexOf(delim);
  let parts = 0;
  while (pos >= 0) {
    const start = pos + delim.length;
    if (raw.subarray(start, start + 2).toString() === '--') break;
    const next = raw.indexOf(delim, start);
    if (next < 0) throw new FormError(400, 'multipart body is not terminated');
    if (++parts > MAX_PARTS) throw new FormError(400, 'too many parts');
    const part = raw.subarray(start + 2, next - 2); // after CRLF, before CRLF
    const headEnd = part.indexOf('\r\n\r\n');
    if (headEnd < 0 || headEnd > 1024) throw new FormError(400, 'malformed part headers');
    const head = part.subarray(0, headEnd).toString('utf8');
    const data = part.subarray(headEnd + 4);
    const disp = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(head)?.[1] ?? '';
    const name = /\bname="([^"]{1,100})"/.exec(disp)?.[1];
    const filename = /\bfilename="([^"]{0,255})"/.exec(disp)?.[1];
    if (name) {
      if (filename !== undefined) files.set(name, { filename, data: Buffer.from(data) });
      else fields.set(name, [...(fields.get(name) ?? []), data.toString('utf8')]);
    }
    pos = next;
  }
  return new Form(fields, files);
}

/** Reads a posted form (urlencoded; multipart where `multipart` allows it) of at most `limit` bytes. */
export async function readForm(ctx: Context, o: { limit?: number; multipart?: boolean } = {}): Promise<Form> {
  const limit = o.limit ?? 64 * 1024;
  const type = ctx.get('content-type');
  if (/^application\/x-www-form-urlencoded/i.test(type)) {
    const fields = new Map<string, string[]>();
    for (const [k, v] of new URLSearchParams((await body(ctx, limit)).toString('utf8')))
      fields.set(k, [...(fields.get(k) ?? []), v]);
    return new Form(fields);
  }
  const boundary = /^multipart\/form-data;.*\bboundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(type);
  if (o.multipart && boundary) return parseMultipart(await body(ctx, limit), (boundary[1] ?? boundary[2])!);
  throw new FormError(415, 'send the form as application/x-www-form-urlencoded');
}

/** A JSON body of a console script (passkeys), bounded. */
export async function readJson(ctx: Context, limit = 32 * 1024): Promise<Record<string, unknown>> {
  if (!ctx.is('application/json')) throw new FormError(415, 'send application/json');
  let v: unknown;
  try {
    v = JSON.parse((await body(ctx, limit)).toString('utf8'));
  } catch (e) {
    if (e instanceof FormError) throw e;
    throw new FormError(400, 'the body is not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new FormError(400, 'expected a JSON object');
  return v as Record<string, unknown>;
}
