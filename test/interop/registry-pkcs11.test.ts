/**
 * Issue 10 with a PKCS#11 token (SoftHSM2): an approval makes the terminal key inside the token
 * (label neid-terminal-<eService>-<CHR>, never in the database), the certificate certifies that
 * key, and the EAC terminal key signs through the token. A certificate step that fails after the
 * key was made destroys it: no orphan key; a key left by a crash (`generating`) is destroyed at the
 * next start.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CvCertificate } from '../../src/pki/cvc/certificate.js';
import { type KeySource, openKeySource } from '../../src/provisioning/keys/source.js';
import type { RegistryContext } from '../../src/registry/context.js';
import { cliPrincipal } from '../../src/registry/roles.js';
import { terminalsOf } from '../../src/registry/store/terminals.js';
import { terminalSigningKey } from '../../src/registry/terminal-keys.js';
import { createApplication } from '../../src/registry/workflow/applications.js';
import { submitApplication } from '../../src/registry/workflow/filing.js';
import { recoverRegistry } from '../../src/registry/workflow/recovery.js';
import { FORM, type RegistryFixture, registryFixture, reviewAndApprove } from '../support/registry.js';
import { absent, have, requires } from '../support/requires.js';
import { pkcs11jsInstalled, SOFTHSM_MODULE, softhsmTokens } from '../support/softhsm.js';

const TOKEN = 'neid-registry';
const PIN_ENV = 'NEID_TEST_REGISTRY_PIN';
const actor = cliPrincipal();

describe.runIf(
  requires(
    'registry terminal keys in SoftHSM2',
    absent({
      softhsm2: have('softhsm2-util') && SOFTHSM_MODULE !== undefined,
      pkcs11js: pkcs11jsInstalled(),
    }),
  ),
)('terminal keys of approvals in a PKCS#11 token (SoftHSM2)', () => {
  let f: RegistryFixture;
  let keys: KeySource;
  let ctx: RegistryContext;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neid-reg-pkcs11-'));
    softhsmTokens(dir, [TOKEN], '246810');
    process.env[PIN_ENV] = '246810';
    f = await registryFixture('pglite');
    keys = await openKeySource({ pkcs11: { module: SOFTHSM_MODULE!, token: TOKEN, pinEnv: PIN_ENV } }, dir, {
      readWrite: true,
    });
    ctx = { ...f.ctx, keys };
  }, 120_000);
  afterAll(async () => {
    keys?.close();
    await f?.close();
  });

  const apply = async (id: string) => {
    const app = await createApplication(ctx, actor, {
      eServiceId: id,
      eService: { id, displayName: { zh: id, en: id }, purpose: { zh: '測試', en: 'test' } },
      form: FORM,
      requestedFields: ['chineseName'],
      requestedFunctions: [],
    });
    await submitApplication(ctx, actor, app.id);
    return app;
  };

  it('approval generates the key in the token; the database holds only its label', async () => {
    const app = await apply('hsm-clinic');
    const { terminal } = await reviewAndApprove(ctx, app.id);
    expect(terminal).toMatchObject({ status: 'active', keyStore: 'pkcs11' });
    expect(terminal.keyLabel).toBe(`neid-terminal-hsm-clinic-${terminal.chr}`);
    expect(terminal.privateKey).toBeUndefined();
    const cert = CvCertificate.decode(terminal.certificate!);
    const key = terminalSigningKey(ctx, terminal, cert.keyObject(ctx.pki.curve));
    expect(key.id).toContain(`neid-terminal-hsm-clinic-${terminal.chr}`);
    const sig = key.sign({ hash: 'sha256', scheme: 'ecdsa' }, Buffer.from('TA challenge'));
    expect(sig).toHaveLength(64);
  });

  it('a failed certificate step destroys the token key; recovery destroys one left by a crash', async () => {
    const app = await apply('hsm-museum');
    const broken = { ...ctx, pki: { ...ctx.pki, dvKey: generateKeyPairSync('ed25519').privateKey } };
    await expect(reviewAndApprove(broken, app.id)).rejects.toMatchObject({
      code: 'certificate-failed',
    });
    expect(await terminalsOf(ctx.db, 'hsm-museum')).toEqual([]);
    expect(() => keys.signingKey({ terminal: 'hsm-museum', chr: 'TWHSMMUSEUM00001' })).toThrow(
      /no private key|not found|labelled/i,
    );
    // A crash right after the key was made: the marker row and the key exist, nothing else.
    keys.generator!.generate(
      { terminal: 'hsm-museum', chr: 'TWHSMMUSEUM00009' },
      { type: 'ec', curve: ctx.pki.curve },
    );
    await ctx.db.query(
      `INSERT INTO neid.terminals (chr, eservice_id, status, purpose, key_store, key_label, description, chat)
       VALUES ('TWHSMMUSEUM00009', 'hsm-museum', 'generating', 'initial', 'pkcs11', 'x', '\\x00', '\\x00')`,
    );
    const r = await recoverRegistry(ctx, actor);
    expect(r.discardedKeys).toContain('TWHSMMUSEUM00009');
    expect(() => keys.signingKey({ terminal: 'hsm-museum', chr: 'TWHSMMUSEUM00009' })).toThrow();
    expect(r.reordered).toEqual([app.id]); // and the approved application gets its certificate now
  });
});
