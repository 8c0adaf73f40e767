/** A registry workflow context for tests: a test PKI, a fresh database schema, a clock to move. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegistry } from '../../src/config/relying-parties.js';
import { parseSpMetadata } from '../../src/interfaces/saml/metadata/sp-metadata.js';
import { fileKeySource } from '../../src/provisioning/keys/source.js';
import { createTestPki } from '../../src/provisioning/test-pki/create.js';
import { loadRegistryPki, type RegistryContext } from '../../src/registry/context.js';
import type { ApplicationForm } from '../../src/registry/model.js';
import type { Principal } from '../../src/registry/roles.js';
import { approveApplication, reviewApplication } from '../../src/registry/workflow/decisions.js';
import type { SamlMetadataInspector } from '../../src/registry/yaml-import.js';
import { ROOT } from './cli.js';
import { type DatabaseKind, openTestDatabase, type TestDatabase } from './registry-db.js';
import { testRsaKey } from './server.js';

export const DEMO_REGISTRY = join(ROOT, 'config/relying-parties.yaml');

let pkiDir: string | undefined;
/** One test PKI (with the demo eServices' terminal certificates) per test process. */
export function testPkiDir(): string {
  if (!pkiDir) {
    pkiDir = join(mkdtempSync(join(tmpdir(), 'neid-registry-pki-')), 'pki');
    createTestPki({
      dir: pkiDir,
      registry: loadRegistry(DEMO_REGISTRY, { pkiDir }),
      serverUrl: 'https://127.0.0.1:8443',
      rsaKey: testRsaKey,
    });
  }
  return pkiDir;
}

export const inspectSaml: SamlMetadataInspector = (xml) => ({ entityId: parseSpMetadata(xml).entityId });

export interface RegistryFixture {
  readonly ctx: RegistryContext;
  readonly database: TestDatabase;
  /** Moves the injected clock. */
  setNow(d: Date): void;
  close(): Promise<void>;
}

export async function registryFixture(
  kind: DatabaseKind,
  o: { production?: boolean; pkiDir?: string } = {},
): Promise<RegistryFixture> {
  const dir = o.pkiDir ?? testPkiDir();
  const database = await openTestDatabase(kind);
  let now = new Date();
  const pki = loadRegistryPki(dir);
  const { dvKey: _dv, ...productionPki } = pki;
  const ctx: RegistryContext = {
    db: database.db,
    sealKey: randomBytes(32),
    keys: fileKeySource(dir),
    pki: o.production ? productionPki : pki,
    terminals: { validityDays: 90, renewDaysBefore: 14 },
    now: () => now,
  };
  return {
    ctx,
    database,
    setNow: (d) => {
      now = d;
    },
    close: () => database.close(),
  };
}

/** A complete form of seed 004 表8 (an eligible applicant). */
export const FORM: ApplicationForm = {
  competentAuthority: { zh: '衛生福利部', en: 'Ministry of Health and Welfare' },
  agencyCode: 'A21000000I',
  agencyName: { zh: '示範醫院', en: 'Demo Hospital' },
  taxId: '12345675',
  industryCode: '8610',
  address: '臺北市中正區示範路1號',
  purpose: '病患身分核驗',
  plannedTestDate: '2031-01-15',
  hostAddresses: ['203.0.113.10'],
  subnetMask: '255.255.255.0',
  eligibility: 'critical-infrastructure',
  contact: { name: '王小明', phone: '02-1234-5678', email: 'it@hospital.example' },
};

/** The Ministry's two people of the four-eyes rule, in workflow tests. */
export const REVIEWER: Principal = { id: 'cli:reviewer', kind: 'cli', roles: ['reviewer'] };
export const APPROVER: Principal = { id: 'cli:approver', kind: 'cli', roles: ['approver'] };

/** Reviews (as REVIEWER) and approves (as APPROVER) a submitted application. */
export async function reviewAndApprove(ctx: RegistryContext, id: string, expected?: number) {
  const r = await reviewApplication(ctx, REVIEWER, id, expected, 'checked');
  return approveApplication(ctx, APPROVER, id, r.version);
}
