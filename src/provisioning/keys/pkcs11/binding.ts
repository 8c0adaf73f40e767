/**
 * The PKCS#11 binding: the optional, native npm package `pkcs11js`, loaded
 * lazily (a server without `keys.pkcs11` never loads it), and one loaded,
 * initialized Cryptoki library per module path for the whole process.
 *
 * One per path, because dlopen() hands every caller the same library and
 * C_Initialize / C_Finalize act on the library as a whole (PKCS#11 v2.40
 * base §5.4: a second C_Initialize returns CKR_CRYPTOKI_ALREADY_INITIALIZED,
 * C_Finalize ends every session of the application). The library is
 * finalized when its last user releases it.
 *
 * Only the calls used here are typed (the package's own types would make the
 * type check depend on an optional dependency). Numbers are those of the
 * PKCS#11 v2.40 headers (pkcs11t.h), which v3.0 keeps.
 */

export const CK = {
  // Object classes and key types (the values of CKA_CLASS and CKA_KEY_TYPE, base §4.2, §4.7)
  CKO_PUBLIC_KEY: 0x2,
  CKO_PRIVATE_KEY: 0x3,
  CKK_RSA: 0x0,
  CKK_EC: 0x3,
  // Attributes (base §4.2–4.9; mechanisms §2.1.2–2.1.3, §2.3.3–2.3.4)
  CKA_CLASS: 0x0,
  CKA_TOKEN: 0x1,
  CKA_PRIVATE: 0x2,
  CKA_LABEL: 0x3,
  CKA_KEY_TYPE: 0x100,
  CKA_ID: 0x102,
  CKA_SENSITIVE: 0x103,
  CKA_SIGN: 0x108,
  CKA_VERIFY: 0x10a,
  CKA_MODULUS: 0x120,
  CKA_MODULUS_BITS: 0x121,
  CKA_PUBLIC_EXPONENT: 0x122,
  CKA_EXTRACTABLE: 0x162,
  CKA_EC_PARAMS: 0x180,
  CKA_EC_POINT: 0x181,
  CKA_ALWAYS_AUTHENTICATE: 0x202,
  // Mechanisms (mechanisms §2.1.4, 2.1.6, 2.1.10, 2.3.5, 2.3.6) and MGFs (§2.1.7)
  CKM_RSA_PKCS_KEY_PAIR_GEN: 0x0,
  CKM_RSA_PKCS: 0x1,
  CKM_RSA_PKCS_PSS: 0xd,
  CKM_EC_KEY_PAIR_GEN: 0x1040,
  CKM_ECDSA: 0x1041,
  CKM_SHA256: 0x250,
  CKM_SHA384: 0x260,
  CKM_SHA512: 0x270,
  CKG_MGF1_SHA256: 0x2,
  CKG_MGF1_SHA384: 0x3,
  CKG_MGF1_SHA512: 0x4,
  // Sessions and users (base §5.6)
  CKF_RW_SESSION: 0x2,
  CKF_SERIAL_SESSION: 0x4,
  CKU_USER: 0x1,
  CKF_OS_LOCKING_OK: 0x2,
  // Return values (base §5.1)
  CKR_USER_ALREADY_LOGGED_IN: 0x100,
  CKR_CRYPTOKI_ALREADY_INITIALIZED: 0x191,
} as const;

export type Handle = Buffer;

export interface Attribute {
  readonly type: number;
  readonly value?: number | boolean | string | Buffer;
}

export interface Mechanism {
  readonly mechanism: number;
  readonly parameter?: { readonly type: number; readonly [k: string]: number };
}

/** The part of pkcs11js' `PKCS11` class this code calls (each method is the Cryptoki function). */
export interface Cryptoki {
  load(path: string): void;
  close(): void;
  C_Initialize(options?: { flags?: number }): void;
  C_Finalize(): void;
  C_GetSlotList(tokenPresent?: boolean): Handle[];
  C_GetTokenInfo(slot: Handle): { label: string };
  C_OpenSession(slot: Handle, flags: number): Handle;
  C_CloseSession(session: Handle): void;
  C_Login(session: Handle, userType: number, pin?: string): void;
  C_FindObjectsInit(session: Handle, template: readonly Attribute[]): void;
  C_FindObjects(session: Handle, maxObjectCount: number): Handle[];
  C_FindObjectsFinal(session: Handle): void;
  C_GetAttributeValue(session: Handle, object: Handle, template: readonly Attribute[]): { value?: Buffer }[];
  C_SignInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  C_Sign(session: Handle, data: Buffer, out: Buffer): Buffer;
  C_GenerateKeyPair(
    session: Handle,
    mechanism: Mechanism,
    publicTemplate: readonly Attribute[],
    privateTemplate: readonly Attribute[],
  ): { privateKey: Handle; publicKey: Handle };
  C_DestroyObject(session: Handle, object: Handle): void;
}

/** What the package exports: the class, and pkcs11js' own structure tags such as CK_PARAMS_RSA_PSS. */
export interface Pkcs11Package {
  readonly PKCS11: new () => Cryptoki;
  readonly CK_PARAMS_RSA_PSS: number;
}

/** Start-up and provisioning errors of the key store: they name the module, token or label. */
export class KeyStoreError extends Error {
  override readonly name = 'KeyStoreError';
}

/** The CKR_ name and number of a pkcs11js error, or its message. */
export function ckr(e: unknown): { code?: number; message: string } {
  const err = e as { code?: number; message?: string };
  return { ...(typeof err.code === 'number' ? { code: err.code } : {}), message: String(err.message ?? e) };
}

export type PackageLoader = () => Promise<Pkcs11Package>;

/** Imports pkcs11js (a CommonJS native addon: its exports are the namespace's default). */
export async function importPkcs11js(name = 'pkcs11js'): Promise<Pkcs11Package> {
  let ns: { default?: Pkcs11Package } & Partial<Pkcs11Package>;
  try {
    ns = await import(name);
  } catch (e) {
    throw new KeyStoreError(
      `PKCS#11 support is not installed: the optional dependency pkcs11js could not be loaded (${ckr(e).message}); ` +
        'run npm install with a C++ toolchain, or remove keys.pkcs11 from the configuration',
    );
  }
  const pkg = (ns.default ?? ns) as Pkcs11Package;
  if (typeof pkg.PKCS11 !== 'function') throw new KeyStoreError(`${name} does not export PKCS11`);
  return pkg;
}

interface Loaded {
  readonly api: Cryptoki;
  readonly pkg: Pkcs11Package;
  users: number;
}

const libraries = new Map<string, Loaded>();

export interface Library {
  readonly api: Cryptoki;
  readonly pkg: Pkcs11Package;
  /** Finalizes and unloads the library when this was its last user. */
  release(): void;
}

/** The initialized Cryptoki library at `path` (dlopen + C_Initialize, base §5.4), shared by reference count. */
export async function acquireLibrary(
  path: string,
  load: PackageLoader = () => importPkcs11js(),
): Promise<Library> {
  let lib = libraries.get(path);
  if (!lib) {
    const pkg = await load();
    const api = new pkg.PKCS11();
    try {
      api.load(path);
    } catch (e) {
      throw new KeyStoreError(`cannot load the PKCS#11 module ${path}: ${ckr(e).message}`);
    }
    try {
      // OS locking: the library may be called from pkcs11js' worker threads (base §3.6 CK_C_INITIALIZE_ARGS).
      api.C_Initialize({ flags: CK.CKF_OS_LOCKING_OK });
    } catch (e) {
      if (ckr(e).code !== CK.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        api.close();
        throw new KeyStoreError(`C_Initialize of the PKCS#11 module ${path} failed: ${ckr(e).message}`);
      }
    }
    // A concurrent caller may have loaded it meanwhile: keep the first (close() only dlcloses).
    lib = libraries.get(path);
    if (lib) api.close();
    else {
      lib = { api, pkg, users: 0 };
      libraries.set(path, lib);
    }
  }
  lib.users++;
  const held = lib;
  let released = false;
  return {
    api: held.api,
    pkg: held.pkg,
    release() {
      if (released) return;
      released = true;
      if (--held.users > 0) return;
      libraries.delete(path);
      try {
        held.api.C_Finalize();
      } finally {
        held.api.close();
      }
    },
  };
}
