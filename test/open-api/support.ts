/** A test PKI with its Open API trust material, a card from it, and what a verifier holds. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CardFileJson } from '../../src/card/card-file.js';
import type { CreateCardOptions } from '../../src/card/personalize.js';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { loadRegistry } from '../../src/config/relying-parties.js';
import { issueChallenge } from '../../src/open-api/challenge.js';
import { readPublicData } from '../../src/open-api/reader.js';
import { buildTrust, type PublicTrust, type TrustDocuments } from '../../src/open-api/trust.js';
import { PKI_FILES } from '../../src/pki/layout.js';
import { derFromPem } from '../../src/pki/x509/pem.js';
import { createTestPki } from '../../src/provisioning/test-pki/create.js';
import { writeTestCard } from '../support/card.js';
import { ROOT } from '../support/cli.js';
import { testRsaKey } from '../support/server.js';

export const CAN = '654321';

export function makeTestPki(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'neid-open-api-')), 'pki');
  createTestPki({
    dir,
    registry: loadRegistry(join(ROOT, 'config/relying-parties.yaml')),
    serverUrl: 'https://127.0.0.1:8443',
    rsaKey: testRsaKey,
  });
  return dir;
}

export const readPki = (dir: string, f: string) => readFileSync(join(dir, f));
export const cscaOf = (dir: string) => derFromPem(readPki(dir, PKI_FILES.cscaCert).toString('latin1'));

export function trustDocs(dir: string): TrustDocuments {
  return {
    masterList: readPki(dir, PKI_FILES.masterList),
    crls: [readPki(dir, PKI_FILES.cscaCrl)],
    cardRevocation: readPki(dir, PKI_FILES.publicCardRevocationList),
  };
}

export function trustOf(dir: string, docs: Partial<TrustDocuments> = {}, at = new Date()): PublicTrust {
  return buildTrust(
    { ...trustDocs(dir), ...docs },
    { anchors: [cscaOf(dir)], source: dir, confirmedAt: at, maxAgeSeconds: 86_400, at },
  );
}

export interface ReadFixture {
  readonly secret: Buffer;
  readonly card: CardFileJson;
  readonly cardFile: string;
}

export function cardFor(dir: string, opts: Omit<CreateCardOptions, 'pkiDir'> = {}) {
  return writeTestCard(dir, { can: CAN, ...opts });
}

/** Reads a card with a fresh challenge of `secret`. */
export async function readWithChallenge(card: CardFileJson, secret: Buffer, ttlSeconds?: number) {
  const challenge = issueChallenge(secret, ttlSeconds ? { ttlSeconds } : {});
  const vc = VirtualCard.fromJson(card);
  vc.reset();
  return readPublicData(vc, { can: CAN, challenge: challenge.token });
}

export const newSecret = () => randomBytes(32);
