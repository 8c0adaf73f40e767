/**
 * `neid revocation add --card FILE [--pki DIR] [--reason TEXT]` — revoke a card
 * (by its Restricted Identification public key) in the signed list, and in
 * the public card revocation list of the Open API (by its chip key hash).
 * `neid revocation list [--pki DIR]` — show the list (no personal data: RI keys only).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, UsageError } from '../../config/args.js';
import { loadServerConfig } from '../../config/server-config.js';
import { loadPrivateKey, publicPointOf } from '../../crypto/keys.js';
import { PKI_FILES } from '../../pki/layout.js';
import {
  signCardRevocationList,
  verifyCardRevocationList,
} from '../../pki/revocation/card-revocation-list.js';
import {
  chipKeyHash,
  signPublicCardRevocationList,
  verifyPublicCardRevocationList,
} from '../../pki/revocation/public-card-revocation-list.js';
import { derFromPem } from '../../pki/x509/pem.js';

function pkiDir(v: string | undefined): string {
  return resolve(v ?? loadServerConfig().pki.dir);
}

export async function revocationAdd(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    card: { type: 'string' },
    pki: { type: 'string' },
    reason: { type: 'string' },
  });
  if (!values.card) throw new UsageError('--card is required');
  const dir = pkiDir(values.pki);
  const card = JSON.parse(readFileSync(values.card, 'utf8')) as {
    keys?: {
      restrictedIdentification?: { privateKey?: string };
      chipAuthentication?: { privateKey?: string };
    };
  };
  const riPem = card.keys?.restrictedIdentification?.privateKey;
  if (!riPem) throw new UsageError(`${values.card} has no Restricted Identification key`);
  const caPem = card.keys?.chipAuthentication?.privateKey;
  if (!caPem) throw new UsageError(`${values.card} has no Chip Authentication key`);
  const riPublicKey = publicPointOf(loadPrivateKey(riPem));
  const chipHash = chipKeyHash(publicPointOf(loadPrivateKey(caPem)));
  const cscaPem = readFileSync(join(dir, PKI_FILES.cscaCert), 'utf8');
  const csca = derFromPem(cscaPem);
  const key = loadPrivateKey(readFileSync(join(dir, PKI_FILES.cscaKey), 'utf8'));
  const now = new Date();
  const nextUpdate = new Date(now.getTime() + 365 * 86_400_000);
  // The server's list (by Restricted Identification key) and the public one of the Open API (by chip key hash).
  const file = join(dir, PKI_FILES.cardRevocationList);
  const list = verifyCardRevocationList(readFileSync(file), [csca]);
  const publicFile = join(dir, PKI_FILES.publicCardRevocationList);
  const publicList = existsSync(publicFile)
    ? verifyPublicCardRevocationList(readFileSync(publicFile), [csca], now)
    : { revoked: [] };
  const inList = list.revoked.some((r) => r.riPublicKey.equals(riPublicKey));
  const inPublic = publicList.revoked.some((r) => r.chipKeyHash.equals(chipHash));
  if (inList && inPublic) {
    process.stdout.write('the card is already revoked\n');
    return 0;
  }
  const revoked = inList
    ? list.revoked
    : [...list.revoked, { riPublicKey, revocationDate: now, reason: values.reason ?? 'revoked' }];
  writeFileSync(file, signCardRevocationList({ thisUpdate: now, nextUpdate, revoked }, { cert: csca, key }));
  const chips = inPublic
    ? publicList.revoked
    : [...publicList.revoked, { chipKeyHash: chipHash, revocationDate: now }];
  writeFileSync(
    publicFile,
    signPublicCardRevocationList({ thisUpdate: now, nextUpdate, revoked: chips }, { cert: csca, key }),
  );
  process.stdout.write(`card revoked; the list now names ${revoked.length} card(s)\n`);
  return 0;
}

export async function revocationList(argv: string[]): Promise<number> {
  const { values } = parse(argv, { pki: { type: 'string' } });
  const dir = pkiDir(values.pki);
  const csca = derFromPem(readFileSync(join(dir, PKI_FILES.cscaCert), 'utf8'));
  const list = verifyCardRevocationList(readFileSync(join(dir, PKI_FILES.cardRevocationList)), [csca]);
  process.stdout.write(
    `${JSON.stringify({ thisUpdate: list.thisUpdate, nextUpdate: list.nextUpdate, revoked: list.revoked.map((r) => ({ riPublicKey: r.riPublicKey.toString('hex'), revocationDate: r.revocationDate, reason: r.reason })) }, null, 2)}\n`,
  );
  return 0;
}
