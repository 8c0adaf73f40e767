/**
 * `neid-client read-public --can CAN (--card FILE | --reader NAME)
 *    [--challenge TOKEN] [--fields FIELD,...] [--out FILE]`
 *
 * The Open API reader (docs/open-api.md §2): PACE with the CAN, the public
 * area and EF.CardSecurity, Chip Authentication with the verifier's challenge
 * (`neid verify-public --new-challenge`, or `POST /challenge` of
 * `neid verify-public --serve`), and the public-data bundle as JSON on stdout
 * or in FILE. Nothing is sent anywhere: the citizen hands the bundle to the
 * eService, which verifies it itself. A summary without personal data goes
 * to stderr.
 */
import { writeFileSync } from 'node:fs';
import { parse, UsageError } from '../config/args.js';
import { serializeBundle } from '../open-api/bundle.js';
import { readPublicData } from '../open-api/reader.js';
import { type FieldId, isFieldId } from '../profile/fields.js';
import type { OpenedCard } from './card-source.js';

export async function readPublic(
  argv: string[],
  openCard: (v: { card?: string; reader?: string }) => Promise<OpenedCard>,
): Promise<number> {
  const { values } = parse(argv, {
    can: { type: 'string' },
    card: { type: 'string' },
    reader: { type: 'string' },
    challenge: { type: 'string' },
    fields: { type: 'string' },
    out: { type: 'string' },
  });
  if (!values.can || !/^\d{6}$/.test(values.can))
    throw new UsageError('--can must be the 6 digits printed on the card');
  const fields = values.fields
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = (fields ?? []).filter((f) => !isFieldId(f));
  if (unknown.length) throw new UsageError(`--fields: unknown field ${unknown.join(', ')}`);
  const opened = await openCard(values);
  try {
    const r = await readPublicData(opened.card, {
      can: values.can,
      ...(fields ? { fields: fields as FieldId[] } : {}),
      ...(values.challenge ? { challenge: values.challenge } : {}),
    });
    const json = serializeBundle(r.bundle);
    if (values.out) writeFileSync(values.out, json, { mode: 0o600 });
    else process.stdout.write(json);
    const ca = {
      performed: 'chip authentication: performed with the verifier’s challenge',
      'not-requested':
        'chip authentication: not performed (no --challenge); a verifier refuses such a bundle unless it allows it',
      'not-offered': 'chip authentication: the card does not offer it without Terminal Authentication',
    }[r.chipAuthentication];
    process.stderr.write(
      `read ${r.bundle.dataGroups.size} data groups from ${opened.name}${r.absent.length ? ` (not on the card: ${r.absent.join(', ')})` : ''}; ${ca}\n`,
    );
    return 0;
  } finally {
    await opened.close();
  }
}
