/**
 * Where the server's signing keys come from (src/provisioning/keys/names.ts):
 * PEM files of the PKI directory (the default), or a PKCS#11 token when
 * `keys.pkcs11` is configured, so that the private key never exists in the
 * server's memory or on its disk (docs/operations.md, "Keys in an HSM").
 *
 * Only the signing keys go through here: terminal (TA), SAML signing, SOAP
 * signing. The TLS keys, the SAML decryption key, the OIDC keys (JWKs for
 * oidc-provider), the RI sector keys and the keys of the test PKI's CAs stay
 * files.
 */
import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPrivateKey } from '../../crypto/keys.js';
import { keyObjectSigningKey, type SigningKey } from '../../crypto/signing-key.js';
import { type KeyName, keyFile, keyLabel, keyPurpose } from './names.js';
import { KeyStoreError, type PackageLoader } from './pkcs11/binding.js';
import { type KeySpec, type Pkcs11Settings, Pkcs11Token } from './pkcs11/token.js';

export type { KeyName, KeySpec, Pkcs11Settings };
export { KeyStoreError };

export interface KeySource {
  /** "PEM files" or `PKCS#11 token "<label>"`, for logs. */
  readonly description: string;
  /**
   * The signing key `name`. `certified`, the public key of the certificate
   * the key is presented with, must match: a mismatch is a start-up error.
   */
  signingKey(name: KeyName, certified?: KeyObject): SigningKey;
  /** With a token opened read/write: generates `name` in it (neid pki init, pki.autoCreate). */
  readonly generator?: KeyGenerator;
  /** Ends the token session; nothing for files. */
  close(): void;
}

export interface KeyGenerator {
  /** Throws, before anything is generated or written, when a key of these names exists (and may not be replaced). */
  checkFree(names: readonly KeyName[]): void;
  generate(name: KeyName, spec: KeySpec): SigningKey;
  /** Destroys both halves of `name` (an approval that failed after its key was made); nothing if absent. */
  destroy(name: KeyName): void;
}

const spkiOf = (k: KeyObject) => k.export({ format: 'der', type: 'spki' });

/** Keys from the PKCS#8 PEM files of the PKI directory (today's behaviour). */
export function fileKeySource(pkiDir: string): KeySource {
  return {
    description: 'PEM files',
    signingKey(name, certified) {
      const path = join(pkiDir, keyFile(name));
      let key: KeyObject;
      try {
        key = loadPrivateKey(readFileSync(path, 'utf8'));
      } catch (e) {
        throw new KeyStoreError(
          `${keyPurpose(name)}: ${path} is missing or unreadable: ${(e as Error).message}`,
        );
      }
      const signing = keyObjectSigningKey(key, path);
      if (certified && !spkiOf(certified).equals(spkiOf(signing.publicKey)))
        throw new KeyStoreError(`${keyPurpose(name)}: ${path} does not belong to its certificate`);
      return signing;
    },
    close() {},
  };
}

export interface OpenKeySourceOptions {
  /** Start-up warnings (a PEM key file left beside a key kept in the token). */
  readonly warn?: (message: string, fields: Record<string, unknown>) => void;
  /** Where the PIN variable is read; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** A read/write session, to generate keys. */
  readonly readWrite?: boolean;
  /** Generating over objects of the same label destroys them first. */
  readonly replace?: boolean;
  readonly load?: PackageLoader;
}

/** The configured key source: the token of `keys.pkcs11`, else the PEM files of `pkiDir`. */
export async function openKeySource(
  keys: { readonly pkcs11: Pkcs11Settings | null },
  pkiDir: string,
  o: OpenKeySourceOptions = {},
): Promise<KeySource> {
  if (!keys.pkcs11) return fileKeySource(pkiDir);
  const token = await Pkcs11Token.open(keys.pkcs11, {
    ...(o.env ? { env: o.env } : {}),
    ...(o.readWrite ? { readWrite: true } : {}),
    ...(o.load ? { load: o.load } : {}),
  });
  return tokenKeySource(token, pkiDir, o);
}

function tokenKeySource(token: Pkcs11Token, pkiDir: string, o: OpenKeySourceOptions): KeySource {
  return {
    description: `PKCS#11 token "${token.label}"`,
    signingKey(name, certified) {
      const stale = join(pkiDir, keyFile(name));
      if (existsSync(stale)) {
        o.warn?.(
          `${keyPurpose(name)} is kept in the PKCS#11 token, but a PEM private key file is still in the PKI directory; remove it`,
          { label: keyLabel(name), file: stale },
        );
      }
      try {
        return token.signingKey(keyLabel(name), certified);
      } catch (e) {
        if (e instanceof KeyStoreError) throw new KeyStoreError(`${keyPurpose(name)}: ${e.message}`);
        throw e;
      }
    },
    ...(o.readWrite
      ? {
          generator: {
            checkFree: (names: readonly KeyName[]) => {
              if (!o.replace) token.assertFree(names.map(keyLabel));
            },
            generate: (name: KeyName, spec: KeySpec) =>
              token.generateKeyPair(keyLabel(name), spec, { replace: o.replace ?? false }),
            destroy: (name: KeyName) => token.destroyKeyPair(keyLabel(name)),
          },
        }
      : {}),
    close: () => token.close(),
  };
}
