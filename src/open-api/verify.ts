/**
 * `verifyPublicData(bundle, trust)`: the verification an eService runs itself,
 * with no call to the server (docs/open-api.md §6). The checks of checks.ts,
 * in order, stop at the first failure:
 *
 *   bundle → trust material current → EF.CardSecurity structure → passive
 *   authentication (CSCA, validity, CRL, signature; pki/x509/passive-
 *   authentication.ts, ICAO 9303-11 §5.1) → every data group's hash against the
 *   signed EIDSecurityInfo (TR-03110-3 A.1.1.8) and its decoding → renewal-due
 *   date → public card revocation list → Chip Authentication (chip-check.ts).
 *
 * Decoded fields are returned only when every check passed: nothing
 * unverified leaves this function. Nothing is logged here.
 */
import { createHash } from 'node:crypto';
import { OID } from '../asn1/oids.js';
import { dateString } from '../pki/cvc/dates.js';
import { chipKeyHash } from '../pki/revocation/public-card-revocation-list.js';
import { decodeSecurityInfos, type SecurityInfo } from '../pki/security-infos.js';
import { parseCms } from '../pki/x509/cms-parser.js';
import { PassiveAuthError, type PassiveAuthErrorCode } from '../pki/x509/errors.js';
import type { PassiveAuthResult } from '../pki/x509/passive-authentication.js';
import { decodeDataGroup } from '../profile/codecs.js';
import type { FieldValues } from '../profile/values.js';
import { type PublicDataBundle, parseBundle, serializeBundle } from './bundle.js';
import {
  CHECKS,
  CheckFailure,
  type CheckId,
  type CheckOutcome,
  type CheckResult,
  type FailureReason,
} from './checks.js';
import { type ChipCheckOptions, checkChipAuthentication } from './chip-check.js';
import { OpenApiError } from './errors.js';
import { type PublicTrust, trustProblems } from './trust.js';

export interface VerifyOptions extends ChipCheckOptions {
  /** The time of the check; default now. */
  readonly at?: Date;
}

export interface PublicDataVerification {
  readonly ok: boolean;
  /** Every check, in order: passed, warning, failed (at most one), not-run. */
  readonly checks: readonly CheckResult[];
  readonly failure?: { readonly check: CheckId; readonly reason: FailureReason; readonly message: string };
  /** The verified, decoded fields; only when ok. */
  readonly fields?: FieldValues;
  /** Only when ok. */
  readonly document?: {
    readonly documentSigner: string;
    readonly csca: string;
    /** SHA-256 of the chip's Chip Authentication key: how the card revocation list names it. */
    readonly chipKeySha256: string;
    readonly dataGroups: readonly number[];
  };
}

const STOP = Symbol('stop');

/** Where passive authentication's failure codes land in the list of checks. */
const PA_FAILURE: Readonly<Record<PassiveAuthErrorCode, [CheckId, FailureReason]>> = {
  'untrusted-signer': ['csca', 'unknown-csca'],
  expired: ['certificate-validity', 'expired'],
  'crl-missing': ['crl', 'crl-missing'],
  revoked: ['crl', 'revoked'],
  'wrong-content-type': ['signature', 'bad-signature'],
  'digest-mismatch': ['signature', 'bad-signature'],
  'bad-signature': ['signature', 'bad-signature'],
  malformed: ['signature', 'malformed'],
};
const PA_CHECKS: readonly CheckId[] = ['csca', 'certificate-validity', 'crl', 'signature'];

const subject = (s: string) => s.replace(/\n/g, ', ');

export function verifyPublicData(
  input: PublicDataBundle | string | Buffer | unknown,
  trust: PublicTrust,
  o: VerifyOptions = {},
): PublicDataVerification {
  const at = o.at ?? new Date();
  const checks: CheckResult[] = [];
  let failure: PublicDataVerification['failure'];
  const fail = (id: CheckId, reason: FailureReason, message: string): never => {
    checks.push({ id, status: 'failed', detail: message, reason });
    failure = { check: id, reason, message };
    throw STOP;
  };
  const run = <T>(id: CheckId, fn: () => CheckOutcome<T>): T => {
    let r: CheckOutcome<T>;
    try {
      r = fn();
    } catch (e) {
      if (e instanceof CheckFailure) return fail(id, e.reason, e.message);
      throw e;
    }
    checks.push({ id, status: r.warning ? 'warning' : 'passed', detail: r.detail });
    return r.value;
  };

  try {
    const bundle = run('bundle', () => {
      try {
        // A bundle object built by the caller gets the same bounds as JSON: it is checked in its JSON form.
        const b = parseBundle(isBundle(input) ? serializeBundle(input) : input);
        return {
          detail: `${b.dataGroups.size} data groups, EF.CardSecurity, ${b.chipAuthentication ? 'chip evidence' : 'no chip evidence'}`,
          value: b,
        };
      } catch (e) {
        if (e instanceof OpenApiError) throw new CheckFailure('malformed', e.message);
        throw e;
      }
    });
    run('trust-material', () => {
      const problems = trustProblems(trust, at);
      if (problems.length) throw new CheckFailure('stale-trust', `stale: ${problems.join('; ')}`);
      return {
        detail: `${trust.cscaCerts.length} CSCA(s) from the Master List of ${trust.source}, current`,
        value: undefined,
      };
    });
    run('security-object', () => {
      try {
        const cms = parseCms(bundle.cardSecurity);
        if (cms.contentType !== OID.idSecurityObject)
          throw new CheckFailure('malformed', `eContentType ${cms.contentType} is not id-SecurityObject`);
        const infos = decodeSecurityInfos(cms.content);
        if (!infos.some((i) => i.kind === 'eidSecurity'))
          throw new CheckFailure('malformed', 'no EIDSecurityInfo');
        if (!infos.some((i) => i.kind === 'caPublicKey'))
          throw new CheckFailure('malformed', 'no Chip Authentication public key');
        return { detail: `${infos.length} SecurityInfos`, value: undefined };
      } catch (e) {
        if (e instanceof CheckFailure) throw e;
        throw new CheckFailure('malformed', `EF.CardSecurity: ${(e as Error).message}`);
      }
    });
    let pa: PassiveAuthResult;
    try {
      pa = trust.passiveAuth.verify(bundle.cardSecurity, at);
    } catch (e) {
      if (!(e instanceof PassiveAuthError)) throw e;
      const [id, reason] = PA_FAILURE[e.code];
      for (const before of PA_CHECKS.slice(0, PA_CHECKS.indexOf(id)))
        checks.push({ id: before, status: 'passed', detail: 'checked' });
      return fail(id, reason, e.message);
    }
    const ds = subject(pa.documentSigner.subject);
    checks.push(
      { id: 'csca', status: 'passed', detail: `${ds} issued by ${subject(pa.csca.subject)}` },
      {
        id: 'certificate-validity',
        status: 'passed',
        detail: `Document Signer valid until ${new Date(pa.documentSigner.validTo).toISOString()}`,
      },
      { id: 'crl', status: 'passed', detail: `serial ${pa.documentSigner.serialNumber} is not revoked` },
      { id: 'signature', status: 'passed', detail: 'signed attributes and signature verified' },
    );
    const infos = pa.securityInfos;
    const fields = run('data-group-hashes', () => hashesAndFields(bundle, infos));
    run('document-validity', () => {
      const due = fields.renewalDueDate;
      if (!due) throw new CheckFailure('malformed', 'the bundle does not carry the renewal-due date');
      if (due < dateString(at)) throw new CheckFailure('expired', `the renewal-due date ${due} has passed`);
      return { detail: `renewal due ${due}`, value: undefined };
    });
    const chipKeys = infos.flatMap((i) =>
      i.kind === 'caPublicKey' ? [chipKeyHash(i.point).toString('hex')] : [],
    );
    run('revocation', () => {
      if (chipKeys.some((h) => trust.revokedChips.has(h)))
        throw new CheckFailure('revoked', 'the card is on the card revocation list');
      return { detail: `not among ${trust.revokedChips.size} revoked card(s)`, value: undefined };
    });
    run('chip-authentication', () => checkChipAuthentication(bundle.chipAuthentication, infos, o, at));
    return {
      ok: true,
      checks,
      fields,
      document: {
        documentSigner: ds,
        csca: subject(pa.csca.subject),
        chipKeySha256: chipKeys[0]!,
        dataGroups: [...bundle.dataGroups.keys()],
      },
    };
  } catch (e) {
    if (e !== STOP) throw e;
  }
  const done = new Set(checks.map((c) => c.id));
  for (const id of CHECKS) if (!done.has(id)) checks.push({ id, status: 'not-run', detail: 'not run' });
  return { ok: false, checks, ...(failure ? { failure } : {}) };
}

function isBundle(v: unknown): v is PublicDataBundle {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Buffer.isBuffer(v) &&
    (v as PublicDataBundle).dataGroups instanceof Map
  );
}

function hashesAndFields(
  bundle: PublicDataBundle,
  infos: readonly SecurityInfo[],
): CheckOutcome<FieldValues> {
  const eid = infos.find((i) => i.kind === 'eidSecurity');
  if (eid?.kind !== 'eidSecurity') throw new CheckFailure('hash-mismatch', 'no signed data-group hashes');
  const fields: FieldValues = {};
  for (const [dg, content] of bundle.dataGroups) {
    const expected = eid.dataGroupHashes.get(dg);
    if (!expected) throw new CheckFailure('hash-mismatch', `DG${dg} has no hash in EF.CardSecurity`);
    if (!createHash(eid.hash).update(content).digest().equals(expected))
      throw new CheckFailure('hash-mismatch', `DG${dg} does not match its signed hash`);
    try {
      const { id, value } = decodeDataGroup(dg, content);
      (fields as Record<string, unknown>)[id] = value;
    } catch (e) {
      throw new CheckFailure(
        'malformed',
        `DG${dg} matches its hash but does not decode: ${(e as Error).message}`,
      );
    }
  }
  return { detail: `${bundle.dataGroups.size} data groups match (${eid.hash})`, value: fields };
}
