/**
 * The eService registry (config/relying-parties.yaml): every relying party,
 * what the Ministry approved it to read (Secure API field-level authorization,
 * seed 004 壹.一–二 表8) and its front-end settings. The same registry serves
 * SOAP, SAML and OIDC. Field names are those of src/profile/fields.ts.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { FUNCTION_IDS, type FunctionId, isFunctionId } from '../profile/authorization.js';
import { FIELD_IDS, type FieldId, isFieldId } from '../profile/fields.js';
import { ConfigError } from './errors.js';
import { type OidcSettings, readOidc } from './eservice/oidc.js';
import { readSaml, type SamlSettings } from './eservice/saml.js';
import { readSoap, type SoapSettings } from './eservice/soap.js';
import { Reader } from './validate.js';

export type { OidcSettings, SamlSettings, SoapSettings };

export interface LocalizedText {
  readonly zh: string;
  readonly en: string;
}

export interface EService {
  readonly id: string;
  readonly displayName: LocalizedText;
  readonly purpose: LocalizedText;
  readonly url?: string;
  /** Fields the Ministry approved; a request beyond them is refused before any card contact. */
  readonly approvedFields: readonly FieldId[];
  readonly approvedFunctions: readonly FunctionId[];
  /** Holder mnemonic in the terminal certificate's CHR (TW + mnemonic + sequence). */
  readonly terminalMnemonic: string;
  /**
   * CertificateDescription subjectURL, when the eService serves its own TC
   * Token (SOAP eID-Interface): the eID-Client requires the TC Token URL to be
   * of this origin. Default: the server's URL.
   */
  readonly terminalSubjectUrl?: string;
  /** PEM files of further TLS certificates (e.g. the eService's) for the CertificateDescription's commCertificates. */
  readonly terminalCommCertificates?: readonly string[];
  readonly maxOpenSessions: number;
  /**
   * Where its SOAP calls may come from (CIDR; the reviewer's 表8 網路位址 in the registry); absent or
   * empty: anywhere.
   */
  readonly networks?: readonly string[];
  readonly saml?: SamlSettings;
  readonly soap?: SoapSettings;
  readonly oidc?: OidcSettings;
}

export interface Registry {
  readonly file: string;
  readonly eServices: readonly EService[];
  get(id: string): EService | undefined;
  /** The live registry (src/registry/live.ts) calls this after every swap; a file never changes. */
  onChange?(fn: () => void): void;
}

const text = (r: Reader): LocalizedText => {
  r.only(['zh', 'en']);
  return { zh: r.at('zh').string(), en: r.at('en').string() };
};

function readEService(r: Reader, baseDir: string, pkiDir?: string): EService {
  r.only([
    'id',
    'displayName',
    'purpose',
    'url',
    'approvedFields',
    'approvedFunctions',
    'terminal',
    'maxOpenSessions',
    'saml',
    'soap',
    'oidc',
  ]);
  const id = r.at('id').string();
  if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(id))
    throw new ConfigError(`${r.source}: ${r.path}.id "${id}" must be lower-case letters, digits and dashes`);
  const fields = r.at('approvedFields').strings();
  for (const f of fields) {
    if (!isFieldId(f))
      throw new ConfigError(
        `${r.source}: ${r.path}.approvedFields: unknown field "${f}" (known: ${FIELD_IDS.join(', ')})`,
      );
  }
  const funcs = r.at('approvedFunctions').strings();
  for (const f of funcs) {
    if (!isFunctionId(f)) {
      throw new ConfigError(
        `${r.source}: ${r.path}.approvedFunctions: unknown function "${f}" (known: ${FUNCTION_IDS.join(', ')})`,
      );
    }
  }
  const term = r.at('terminal').only(['mnemonic', 'subjectUrl', 'commCertificates']);
  const mnemonic = term.at('mnemonic').string(
    id
      .replace(/[^a-z0-9]/g, '')
      .slice(0, 9)
      .toUpperCase(),
  );
  if (!/^[A-Z0-9]{1,9}$/.test(mnemonic))
    throw new ConfigError(`${r.source}: ${r.path}.terminal.mnemonic must be 1-9 capital letters or digits`);
  const file = (x: Reader) => resolve(baseDir, x.string());
  const subjectUrl = term.at('subjectUrl').present
    ? term.at('subjectUrl').url(undefined, ['https:'])
    : undefined;
  const commCertificates = term.at('commCertificates').list().map(file);
  const saml = r.at('saml');
  const soap = r.at('soap');
  const oidc = r.at('oidc');
  const url = r.at('url').present ? r.at('url').url(undefined, ['https:', 'http:']) : undefined;
  return {
    id,
    displayName: text(r.at('displayName')),
    purpose: text(r.at('purpose')),
    ...(url ? { url } : {}),
    approvedFields: fields as FieldId[],
    approvedFunctions: funcs as FunctionId[],
    terminalMnemonic: mnemonic,
    ...(subjectUrl ? { terminalSubjectUrl: subjectUrl } : {}),
    ...(commCertificates.length ? { terminalCommCertificates: commCertificates } : {}),
    maxOpenSessions: r.at('maxOpenSessions').int(50, 1, 100_000),
    ...(saml.present ? { saml: readSaml(saml, file) } : {}),
    ...(soap.present ? { soap: readSoap(soap, file, id, pkiDir) } : {}),
    ...(oidc.present ? { oidc: readOidc(oidc, file) } : {}),
  };
}

export interface RegistryOptions {
  /** The PKI directory; default location of certificates `neid pki init` issues to eServices. */
  readonly pkiDir?: string;
}

export function parseRegistry(yamlText: string, file: string, opts: RegistryOptions = {}): Registry {
  let doc: unknown;
  try {
    doc = parse(yamlText);
  } catch (e) {
    throw new ConfigError(`${file}: not valid YAML: ${(e as Error).message}`);
  }
  const root = new Reader(file, '', doc).only(['eServices']);
  const eServices = root
    .at('eServices')
    .list()
    .map((r) => readEService(r, dirname(file), opts.pkiDir));
  const ids = new Set<string>();
  const mnemonics = new Set<string>();
  for (const e of eServices) {
    if (ids.has(e.id)) throw new ConfigError(`${file}: eService id "${e.id}" appears twice`);
    if (mnemonics.has(e.terminalMnemonic))
      throw new ConfigError(`${file}: terminal mnemonic "${e.terminalMnemonic}" appears twice`);
    ids.add(e.id);
    mnemonics.add(e.terminalMnemonic);
  }
  const byId = new Map(eServices.map((e) => [e.id, e]));
  return { file, eServices, get: (id) => byId.get(id) };
}

export function loadRegistry(file: string, opts: RegistryOptions = {}): Registry {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return parseRegistry(text, resolve(file), opts);
}
