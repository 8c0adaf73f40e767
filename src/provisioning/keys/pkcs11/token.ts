/**
 * One logged-in session on a PKCS#11 token (PKCS#11 v2.40 base §5.5–5.6,
 * §5.7 objects, §5.11 signing, §5.14 key generation): find the token by its
 * label, log the user in with the PIN from an environment variable, find
 * key pairs by CKA_LABEL, generate them inside the token, close the session.
 */

import type { KeyObject } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import type { Curve } from '../../../crypto/curves.js';
import type { SigningKey } from '../../../crypto/signing-key.js';
import {
  type Attribute,
  acquireLibrary,
  CK,
  type Cryptoki,
  ckr,
  type Handle,
  KeyStoreError,
  type Library,
  type PackageLoader,
} from './binding.js';
import { ecParams, ecPublicKey, rsaPublicKey, spki } from './public-key.js';
import { pkcs11SigningKey } from './signing-key.js';

export interface Pkcs11Settings {
  /** Path of the PKCS#11 module (e.g. /usr/lib/softhsm/libsofthsm2.so). */
  readonly module: string;
  /** CK_TOKEN_INFO.label of the token. */
  readonly token: string;
  /** The environment variable that holds the user PIN (never the configuration file). */
  readonly pinEnv: string;
}

export type KeySpec =
  | { readonly type: 'ec'; readonly curve: Curve }
  | { readonly type: 'rsa'; readonly bits: number };

export interface OpenOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** A read/write session, needed to create token objects (base §5.6 C_OpenSession, CKF_RW_SESSION). */
  readonly readWrite?: boolean;
  /** The pkcs11js loader (tests replace it). */
  readonly load?: PackageLoader;
}

const ulong = (b: Buffer | undefined): number => (b?.length ? b.readUIntLE(0, Math.min(b.length, 6)) : -1);
const bool = (b: Buffer | undefined): boolean | undefined => (b?.length ? b[0] !== 0 : undefined);

export class Pkcs11Token {
  private open = true;

  private constructor(
    private readonly lib: Library,
    private readonly handle: Handle,
    /** The token's label, as configured. */
    readonly label: string,
  ) {}

  static async open(s: Pkcs11Settings, o: OpenOptions = {}): Promise<Pkcs11Token> {
    const pin = (o.env ?? process.env)[s.pinEnv];
    if (!pin) throw new KeyStoreError(`the PIN of PKCS#11 token "${s.token}": ${s.pinEnv} is not set`);
    const lib = await acquireLibrary(s.module, o.load);
    let session: Handle | undefined;
    try {
      const slot = findSlot(lib.api, s.token, s.module);
      session = lib.api.C_OpenSession(slot, CK.CKF_SERIAL_SESSION | (o.readWrite ? CK.CKF_RW_SESSION : 0));
      try {
        lib.api.C_Login(session, CK.CKU_USER, pin);
      } catch (e) {
        // Login is per application and token (base §5.6): another session of this process may have done it.
        if (ckr(e).code !== CK.CKR_USER_ALREADY_LOGGED_IN)
          throw new KeyStoreError(`login to PKCS#11 token "${s.token}" failed: ${ckr(e).message}`);
      }
      return new Pkcs11Token(lib, session, s.token);
    } catch (e) {
      if (session) lib.api.C_CloseSession(session);
      lib.release();
      throw e instanceof KeyStoreError
        ? e
        : new KeyStoreError(`PKCS#11 token "${s.token}": ${ckr(e).message}`);
    }
  }

  private get api(): Cryptoki {
    return this.lib.api;
  }

  private session = (): Handle => {
    if (!this.open) throw new KeyStoreError(`the session with PKCS#11 token "${this.label}" is closed`);
    return this.handle;
  };

  private find(cls: number, label: string): Handle[] {
    const s = this.session();
    this.api.C_FindObjectsInit(s, [
      { type: CK.CKA_CLASS, value: cls },
      { type: CK.CKA_LABEL, value: label },
    ]);
    try {
      return this.api.C_FindObjects(s, 16);
    } finally {
      this.api.C_FindObjectsFinal(s);
    }
  }

  private attr(obj: Handle, type: number): Buffer | undefined {
    try {
      return this.api.C_GetAttributeValue(this.session(), obj, [{ type }])[0]?.value;
    } catch {
      return undefined; // CKR_ATTRIBUTE_TYPE_INVALID / _SENSITIVE: absent for our purposes
    }
  }

  private where(label: string): string {
    return `the key labelled "${label}" in PKCS#11 token "${this.label}"`;
  }

  /**
   * The private key labelled `label` as a SigningKey. Its public key is the
   * public-key object of the same label, else (RSA) the private object's
   * modulus and exponent, else `certified`; when `certified` (the key of the
   * certificate the server presents) is given, they must agree.
   */
  signingKey(label: string, certified?: KeyObject): SigningKey {
    const found = this.find(CK.CKO_PRIVATE_KEY, label);
    if (found.length === 0)
      throw new KeyStoreError(`no private key labelled "${label}" in PKCS#11 token "${this.label}"`);
    if (found.length > 1)
      throw new KeyStoreError(
        `${found.length} private keys are labelled "${label}" in PKCS#11 token "${this.label}"`,
      );
    const priv = found[0]!;
    const kt = ulong(this.attr(priv, CK.CKA_KEY_TYPE));
    const type = kt === CK.CKK_EC ? 'ec' : kt === CK.CKK_RSA ? 'rsa' : undefined;
    if (!type) throw new KeyStoreError(`${this.where(label)} is neither an EC nor an RSA key`);
    if (bool(this.attr(priv, CK.CKA_SIGN)) === false)
      throw new KeyStoreError(`${this.where(label)} may not sign (CKA_SIGN is false)`);
    if (bool(this.attr(priv, CK.CKA_ALWAYS_AUTHENTICATE))) {
      throw new KeyStoreError(
        `${this.where(label)} needs the PIN for every signature (CKA_ALWAYS_AUTHENTICATE), which the server cannot give`,
      );
    }
    const publicKey = this.publicKeyOf(label, priv, type) ?? certified;
    if (!publicKey)
      throw new KeyStoreError(
        `${this.where(label)} has no public-key object and no certificate to take the public key from`,
      );
    if (publicKey.asymmetricKeyType !== type || (certified && !spki(certified).equals(spki(publicKey))))
      throw new KeyStoreError(`${this.where(label)} does not belong to its certificate`);
    return pkcs11SigningKey({
      api: this.api,
      session: this.session,
      pssParamsType: this.lib.pkg.CK_PARAMS_RSA_PSS,
      privateKey: priv,
      id: `pkcs11:${this.label}/${label}`,
      type,
      publicKey,
    });
  }

  private publicKeyOf(label: string, priv: Handle, type: 'ec' | 'rsa'): KeyObject | undefined {
    const pubs = this.find(CK.CKO_PUBLIC_KEY, label);
    const pub = pubs.length === 1 ? pubs[0]! : undefined;
    if (type === 'ec') {
      if (!pub) return undefined;
      const params = this.attr(pub, CK.CKA_EC_PARAMS);
      const point = this.attr(pub, CK.CKA_EC_POINT);
      return params && point ? ecPublicKey(params, point, this.where(label)) : undefined;
    }
    const from = pub ?? priv; // an RSA private key object carries n and e too (mechanisms §2.1.3)
    const n = this.attr(from, CK.CKA_MODULUS);
    const e = this.attr(from, CK.CKA_PUBLIC_EXPONENT);
    return n && e ? rsaPublicKey(n, e) : undefined;
  }

  private keyObjects(label: string): Handle[] {
    return [...this.find(CK.CKO_PRIVATE_KEY, label), ...this.find(CK.CKO_PUBLIC_KEY, label)];
  }

  /** Refuses labels that key objects of the token already carry. */
  assertFree(labels: readonly string[]): void {
    const taken = labels.filter((l) => this.keyObjects(l).length > 0);
    if (taken.length > 0) {
      throw new KeyStoreError(
        `PKCS#11 token "${this.label}" already holds a key labelled ${taken.map((l) => `"${l}"`).join(', ')} ` +
          '(replace explicitly, e.g. neid pki init --pkcs11-replace)',
      );
    }
  }

  /**
   * Generates a key pair inside the token (C_GenerateKeyPair, base §5.14):
   * a token object, private, sensitive, never extractable, for signing only;
   * both halves carry `label` and one random CKA_ID. Objects already
   * labelled `label` are an error unless `replace` destroys them first.
   */
  generateKeyPair(label: string, spec: KeySpec, o: { replace?: boolean } = {}): SigningKey {
    const s = this.session();
    if (!o.replace) this.assertFree([label]);
    for (const obj of this.keyObjects(label)) this.api.C_DestroyObject(s, obj);
    const id = randomBytes(16);
    const common: Attribute[] = [
      { type: CK.CKA_TOKEN, value: true },
      { type: CK.CKA_LABEL, value: label },
      { type: CK.CKA_ID, value: id },
    ];
    const keyType = spec.type === 'ec' ? CK.CKK_EC : CK.CKK_RSA;
    const pub: Attribute[] = [
      { type: CK.CKA_CLASS, value: CK.CKO_PUBLIC_KEY },
      { type: CK.CKA_KEY_TYPE, value: keyType },
      ...common,
      { type: CK.CKA_PRIVATE, value: false },
      { type: CK.CKA_VERIFY, value: true },
      ...(spec.type === 'ec'
        ? [{ type: CK.CKA_EC_PARAMS, value: ecParams(spec.curve) }]
        : [
            { type: CK.CKA_MODULUS_BITS, value: spec.bits },
            { type: CK.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
          ]),
    ];
    const priv: Attribute[] = [
      { type: CK.CKA_CLASS, value: CK.CKO_PRIVATE_KEY },
      { type: CK.CKA_KEY_TYPE, value: keyType },
      ...common,
      { type: CK.CKA_PRIVATE, value: true },
      { type: CK.CKA_SENSITIVE, value: true },
      { type: CK.CKA_EXTRACTABLE, value: false },
      { type: CK.CKA_SIGN, value: true },
    ];
    const mechanism = spec.type === 'ec' ? CK.CKM_EC_KEY_PAIR_GEN : CK.CKM_RSA_PKCS_KEY_PAIR_GEN;
    try {
      this.api.C_GenerateKeyPair(s, { mechanism }, pub, priv);
    } catch (e) {
      throw new KeyStoreError(`generating ${this.where(label)} failed: ${ckr(e).message}`);
    }
    return this.signingKey(label);
  }

  /** Destroys the key objects labelled `label` (both halves); nothing when there are none. */
  destroyKeyPair(label: string): void {
    const s = this.session();
    for (const obj of this.keyObjects(label)) this.api.C_DestroyObject(s, obj);
  }

  /** Closes the session (which logs the user out with the last one, base §5.6) and releases the module. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    try {
      this.api.C_CloseSession(this.handle);
    } finally {
      this.lib.release();
    }
  }
}

function findSlot(api: Cryptoki, token: string, module: string): Handle {
  const slots = api
    .C_GetSlotList(true)
    .map((slot) => ({ slot, label: api.C_GetTokenInfo(slot).label.replace(/[\s\0]+$/, '') }));
  const matching = slots.filter((s) => s.label === token);
  if (matching.length === 1) return matching[0]!.slot;
  if (matching.length > 1)
    throw new KeyStoreError(`${matching.length} tokens are labelled "${token}" in ${module}`);
  const known = slots.map((s) => `"${s.label}"`).join(', ') || 'none';
  throw new KeyStoreError(`no PKCS#11 token labelled "${token}" in ${module} (tokens present: ${known})`);
}
