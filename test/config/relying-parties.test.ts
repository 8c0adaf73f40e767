/** The eService registry: what is accepted, and that every mistake is refused with the file and key named. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadRegistry, parseRegistry } from '../../src/config/relying-parties.js';
import { ROOT } from '../support/cli.js';

const FILE = '/etc/neid/relying-parties.yaml';
const one = (extra: string) => `eServices:
  - id: tax-office
    displayName: { zh: 財政部, en: Ministry of Finance }
    purpose: { zh: 報稅, en: Tax filing }
    approvedFields: [chineseName, nationalIdNumber]
    approvedFunctions: [ageVerification]
${extra}`;
const refusal = (yaml: string) => {
  try {
    parseRegistry(yaml, FILE, { pkiDir: '/srv/pki' });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  return 'accepted';
};

describe('eService registry', () => {
  it('the default registry loads: three demo eServices with their front-ends', () => {
    const r = loadRegistry(join(ROOT, 'config/relying-parties.yaml'));
    expect(r.eServices.map((e) => e.id)).toEqual(['demo-portal', 'demo-bank', 'passport-office']);
    expect(r.get('demo-portal')?.saml?.metadata).toBe(join(ROOT, 'metadata/demo-portal.xml'));
    expect(r.get('passport-office')?.soap).toBeDefined();
    expect(r.get('demo-bank')?.oidc).toBeDefined();
  });

  it('defaults: terminal mnemonic from the id, 50 open sessions, SOAP client certificate in the PKI', () => {
    const e = parseRegistry(one('    soap: {}\n'), FILE, { pkiDir: '/srv/pki' }).get('tax-office')!;
    expect(e.terminalMnemonic).toBe('TAXOFFICE');
    expect(e.maxOpenSessions).toBe(50);
    expect(e.soap?.clientCertificate).toMatch(/^\/srv\/pki\/.*tax-office/);
    expect(e.soap?.requestCounter).toBe('strict');
  });

  it('refuses unknown fields and functions, listing the known ones', () => {
    expect(refusal(one('').replace('nationalIdNumber', 'bloodType'))).toMatch(
      /relying-parties\.yaml: eServices\[0\]\.approvedFields: unknown field "bloodType" \(known: householdArea/,
    );
    expect(refusal(one('').replace('[ageVerification]', '[faceMatch]'))).toMatch(
      /unknown function "faceMatch"/,
    );
  });

  it('refuses typos, bad ids and mnemonics, duplicates and out-of-range caps', () => {
    expect(refusal(one('    maxOpenSesions: 5\n'))).toMatch(/unknown key "maxOpenSesions"/);
    expect(refusal(one('').replace('tax-office', 'Tax_Office'))).toMatch(
      /id "Tax_Office" must be lower-case/,
    );
    expect(refusal(one('    terminal: { mnemonic: tax }\n'))).toMatch(
      /terminal\.mnemonic must be 1-9 capital/,
    );
    expect(refusal(one('    maxOpenSessions: 0\n'))).toMatch(/maxOpenSessions must be an integer/);
    expect(refusal(`${one('')}${one('').replace('eServices:\n', '')}`)).toMatch(/"tax-office" appears twice/);
    expect(refusal('eServices: [')).toMatch(/not valid YAML/);
    expect(refusal(one('    terminal: { subjectUrl: http://tax.example }\n'))).toMatch(/subjectUrl/);
  });

  it('SAML metadata paths are relative to the registry file', () => {
    const e = parseRegistry(one('    saml: { metadata: ../metadata/tax.xml }\n'), FILE).get('tax-office')!;
    expect(e.saml).toMatchObject({
      metadata: '/etc/metadata/tax.xml',
      nameIdFormat: 'transient',
      resultStyle: 'auto',
    });
    expect(refusal(one('    saml: { metadata: x.xml, algorithms: weak }\n'))).toMatch(
      /saml\.algorithms must be one of/,
    );
    const tr = parseRegistry(one('    saml: { metadata: x.xml, resultStyle: tr-03130 }\n'), FILE);
    expect(tr.get('tax-office')!.saml?.resultStyle).toBe('tr-03130');
    expect(refusal(one('    saml: { metadata: x.xml, resultStyle: lenient }\n'))).toMatch(
      /saml\.resultStyle must be one of/,
    );
  });

  it('a missing file is a ConfigError naming it', () => {
    expect(() => loadRegistry('/nonexistent/relying-parties.yaml')).toThrow(/cannot read \/nonexistent/);
    expect(readFileSync(join(ROOT, 'config/relying-parties.yaml'), 'utf8')).toContain('eServices:');
  });
});
