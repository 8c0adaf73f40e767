/**
 * Terminal and sector keys of the registry. A terminal key is made for each
 * terminal certificate (approval, amendment, renewal): in the PKCS#11 token
 * when `keys.pkcs11` is configured (label `neid-terminal-<eService>-<CHR>`),
 * else in memory and stored sealed (AES-256-GCM, the CHR as associated data)
 * only in the transaction that records its request or certificate — a failed
 * step leaves no key behind. The Restricted Identification sector key is made
 * once per eService and kept.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { sealBytes, unsealBytes } from '../crypto/aead.js';
import { curveOfKey, generateEcKeyPair, publicPointOf } from '../crypto/keys.js';
import { keyObjectSigningKey, type SigningKey } from '../crypto/signing-key.js';
import { CvCertificate } from '../pki/cvc/certificate.js';
import { sectorPublicKeyObject } from '../pki/cvc/issue.js';
import { type KeyName, keyLabel } from '../provisioning/keys/names.js';
import type { TerminalMaterial } from '../provisioning/store.js';
import type { RegistryContext } from './context.js';
import type { Queryable } from './db/database.js';
import type { TerminalRecord } from './model.js';
import { getSectorKey, insertSectorKey } from './store/terminals.js';

export interface NewTerminalKey {
  readonly signing: SigningKey;
  readonly keyStore: 'sealed' | 'pkcs11';
  readonly sealed?: Buffer;
  readonly label?: string;
  readonly name?: KeyName;
}

const pkcs8 = (k: KeyObject) => k.export({ format: 'der', type: 'pkcs8' });
const terminalAad = (chr: string) => `neid-terminal:${chr}`;
const sectorAad = (eServiceId: string) => `neid-sector:${eServiceId}`;

/** A new terminal key for `chr`: in the token when one is configured, else sealed for the database. */
export function newTerminalKey(ctx: RegistryContext, eServiceId: string, chr: string): NewTerminalKey {
  const gen = ctx.keys.generator;
  if (gen) {
    const name: KeyName = { terminal: eServiceId, chr };
    const signing = gen.generate(name, { type: 'ec', curve: ctx.pki.curve });
    return { signing, keyStore: 'pkcs11', label: keyLabel(name), name };
  }
  const pair = generateEcKeyPair(ctx.pki.curve);
  return {
    signing: keyObjectSigningKey(pair.privateKey, `registry terminal key ${chr}`),
    keyStore: 'sealed',
    sealed: sealBytes(ctx.sealKey, terminalAad(chr), pkcs8(pair.privateKey)),
  };
}

/** Destroys a token key made for a step that failed; a sealed key simply was never stored. */
export function discardTerminalKey(ctx: RegistryContext, k: Pick<NewTerminalKey, 'name'>): void {
  if (k.name) ctx.keys.generator?.destroy(k.name);
}

/** The signing key of a stored terminal (sealed in the database, or in the token by its label). */
export function terminalSigningKey(
  ctx: RegistryContext,
  t: TerminalRecord,
  certified?: KeyObject,
): SigningKey {
  if (t.keyStore === 'sealed') {
    const key = createPrivateKey({
      key: unsealBytes(ctx.sealKey, terminalAad(t.chr), t.privateKey!),
      format: 'der',
      type: 'pkcs8',
    });
    const signing = keyObjectSigningKey(key, `registry terminal key ${t.chr}`);
    const der = (k: KeyObject) => k.export({ format: 'der', type: 'spki' });
    if (certified && !der(certified).equals(der(signing.publicKey)))
      throw new Error(`the sealed key of terminal ${t.chr} does not belong to its certificate`);
    return signing;
  }
  const chr = /-(TW[A-Z0-9]+)$/.exec(t.keyLabel ?? '')?.[1];
  return ctx.keys.signingKey({ terminal: t.eServiceId, ...(chr ? { chr } : {}) }, certified);
}

/** The eService's sector key, made (and sealed into the database) on its first terminal. */
export async function sectorKeyOf(
  ctx: RegistryContext,
  q: Queryable,
  eServiceId: string,
): Promise<KeyObject> {
  const sealed = await getSectorKey(q, eServiceId);
  if (sealed) return unsealSectorKey(ctx.sealKey, eServiceId, sealed);
  const pair = generateEcKeyPair(ctx.pki.curve);
  await insertSectorKey(q, eServiceId, sealSectorKey(ctx.sealKey, eServiceId, pair.privateKey));
  return pair.privateKey;
}

export const sealSectorKey = (key: Buffer, eServiceId: string, k: KeyObject): Buffer =>
  sealBytes(key, sectorAad(eServiceId), pkcs8(k));

export const sealTerminalKey = (key: Buffer, chr: string, k: KeyObject): Buffer =>
  sealBytes(key, terminalAad(chr), pkcs8(k));

export function unsealSectorKey(key: Buffer, eServiceId: string, sealed: Buffer): KeyObject {
  return createPrivateKey({
    key: unsealBytes(key, sectorAad(eServiceId), sealed),
    format: 'der',
    type: 'pkcs8',
  });
}

/** What the EAC conversation uses for an active terminal (src/provisioning/store.ts TerminalMaterial). */
export function terminalMaterial(
  ctx: RegistryContext,
  t: TerminalRecord,
  sectorKey: KeyObject,
): TerminalMaterial {
  const cert = CvCertificate.decode(t.certificate!);
  return {
    eServiceId: t.eServiceId,
    cert,
    key: terminalSigningKey(ctx, t, cert.keyObject(ctx.pki.curve)),
    description: t.description,
    sectorKey,
    sectorPublicKey: sectorPublicKeyObject(curveOfKey(sectorKey), publicPointOf(sectorKey)),
    ...(t.environment === 'test' && ctx.pki.testEnv
      ? { testEnvironment: { dv: ctx.pki.testEnv.dv, cvcaChr: ctx.pki.testEnv.cvca.chr } }
      : {}),
  };
}
