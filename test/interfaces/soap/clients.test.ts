/** Registered SOAP clients: identified by exact certificate, one certificate per eService. */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EService, Registry } from '../../../src/config/relying-parties.js';
import { SoapClients } from '../../../src/interfaces/soap/clients.js';
import { derFromPem, pemFromDer } from '../../../src/pki/x509/pem.js';
import { issueClientCertificate } from '../../../src/pki/x509/tls.js';

const dir = mkdtempSync(join(tmpdir(), 'neid-soap-clients-'));
function cert(name: string): { file: string; pem: string } {
  const k = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const pem = pemFromDer(issueClientCertificate({ subject: name, publicKey: k, issuerKey: k, days: 1 }));
  const file = join(dir, `${name}.pem`);
  writeFileSync(file, `Bag Attributes: ignored\n${pem}`);
  return { file, pem };
}
const es = (id: string, clientCertificate?: string): EService => ({
  id,
  displayName: { zh: id, en: id },
  purpose: { zh: id, en: id },
  approvedFields: ['chineseName'],
  approvedFunctions: [],
  terminalMnemonic: id.toUpperCase(),
  maxOpenSessions: 1,
  ...(clientCertificate ? { soap: { clientCertificate, requestCounter: 'strict' as const } } : {}),
});
const registry = (list: EService[]): Registry => ({
  file: 'x',
  eServices: list,
  get: (id) => list.find((e) => e.id === id),
});

describe('SoapClients', () => {
  it('maps exactly the registered certificates to their eServices and skips broken entries', () => {
    const a = cert('a');
    const b = cert('b');
    const problems: string[] = [];
    const c = new SoapClients(
      registry([
        es('a', a.file),
        es('b', b.file),
        es('nosoap'),
        es('missing', join(dir, 'none.pem')),
        es('dup', a.file),
      ]),
      (id, m) => problems.push(`${id}: ${m}`),
    );
    expect(c.size).toBe(2);
    expect(c.byCertificate(derFromPem(a.pem))?.eService.id).toBe('a');
    expect(c.byCertificate(derFromPem(b.pem))?.eService.id).toBe('b');
    expect(c.byCertificate(derFromPem(cert('a').pem))).toBeUndefined(); // same name, other certificate
    expect(c.byCertificate(undefined)).toBeUndefined();
    expect(c.trustAnchors).toHaveLength(2);
    expect(problems.join('\n')).toMatch(/missing: .*missing or unreadable/);
    expect(problems.join('\n')).toMatch(/dup: .*also registered for a/);
  });
});
