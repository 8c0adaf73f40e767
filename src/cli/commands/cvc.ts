/**
 * `neid cvc print FILE...` — CV certificates (or concatenated chains) as JSON.
 * `neid cvc verify FILE...` — validates CVCA → (link) → DV → terminal with
 * today's date and prints the effective authorization as field names.
 */
import { readFileSync } from 'node:fs';
import { parse, UsageError } from '../../config/args.js';
import {
  CvCertificate,
  CvcError,
  dateString,
  decodeCertificateDescription,
  validateChain,
} from '../../pki/cvc/index.js';
import { grantsOf } from '../../profile/authorization.js';

function describe(c: CvCertificate) {
  const g = grantsOf(c.chat);
  return {
    car: c.car,
    chr: c.chr,
    role: c.role,
    terminalType: c.chat.terminalType,
    chat: c.chat.toHex(),
    fields: g.fields,
    functions: g.functions,
    restrictedIdentification: g.restrictedIdentification,
    effectiveDate: c.effectiveDate,
    expirationDate: c.expirationDate,
    algorithm: c.publicKey.algorithm,
    ...(c.publicKey.curve ? { curve: c.publicKey.curve.name } : {}),
    publicKey: c.publicKey.point.toString('hex'),
    extensions: c.extensions.map((e) => ({
      oid: e.oid,
      objects: e.objects.map((o) => ({ tag: o.tag.toString(16), value: o.value.toString('hex') })),
    })),
  };
}

function readAll(files: string[]): CvCertificate[] {
  if (files.length === 0) throw new UsageError('name at least one certificate file');
  return files.flatMap((f) => CvCertificate.decodeAll(readFileSync(f)));
}

export async function cvcPrint(argv: string[]): Promise<number> {
  const { positionals, values } = parse(argv, { description: { type: 'string' } }, true);
  const out: unknown[] = readAll(positionals).map(describe);
  if (values.description)
    out.push({ certificateDescription: decodeCertificateDescription(readFileSync(values.description)) });
  process.stdout.write(`${JSON.stringify(out.length === 1 ? out[0] : out, null, 2)}\n`);
  return 0;
}

export async function cvcVerify(argv: string[]): Promise<number> {
  const { positionals, values } = parse(
    argv,
    { trust: { type: 'string', multiple: true }, date: { type: 'string' } },
    true,
  );
  const certs = readAll(positionals);
  const trust = values.trust
    ? readAll(values.trust)
    : certs.filter((c) => c.role === 'cvca' && c.isSelfSigned);
  if (trust.length === 0)
    throw new UsageError('no trust point: give the self-signed CVCA certificate or --trust FILE');
  const rest = certs.filter((c) => !trust.some((t) => t.raw.equals(c.raw)));
  try {
    const v = validateChain(rest, {
      trustPoints: trust,
      currentDate: values.date ?? dateString(),
      dateMode: 'clock',
    });
    const g = grantsOf(v.effectiveChat);
    process.stdout.write(
      `${JSON.stringify({ valid: true, terminal: v.terminal.chr, dv: v.dv.chr, cvca: v.cvca.chr, effectiveChat: v.effectiveChat.toHex(), ...g }, null, 2)}\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof CvcError) {
      process.stderr.write(`invalid chain (${e.code}): ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
