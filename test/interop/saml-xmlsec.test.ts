/**
 * Issue 6 acceptance with independent implementations of XML Security:
 * Debian `xmlsec1` verifies the ECDSA signatures of the IdP metadata, of a
 * Response and of the Assertion inside it; Python `cryptography` (Debian
 * python3-cryptography) unwraps the content key with RSA-OAEP SHA-256 /
 * MGF1-SHA-256 and decrypts the AES-256-GCM EncryptedAssertion — xmlsec1
 * 1.2.37 has no xmlenc11#rsa-oaep with SHA-256. For an SP with the legacy
 * set, `xmlsec1 --decrypt` decrypts the assertion (rsa-oaep-mgf1p,
 * aes256-cbc) and verifies the rsa-sha256 Response signature.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PKI_FILES } from '../../src/pki/layout.js';
import { Browser } from '../interfaces/saml/support/browser.js';
import { completeLogin } from '../interfaces/saml/support/flow.js';
import {
  ecKey,
  type KeyPair,
  keyPair,
  type SamlTestServer,
  spRsaEncryptionKey,
  startSamlServer,
} from '../interfaces/saml/support/idp.js';
import { requestXml } from '../interfaces/saml/support/requests.js';
import { signedRedirect } from '../interfaces/saml/support/tr03130.js';
import { writeTestCard } from '../support/card.js';
import { absent, have, requires } from '../support/requires.js';

const pythonCryptography = () => spawnSync('python3', ['-c', 'import cryptography']).status === 0;

const PY_DECRYPT = `
import base64, sys, xml.etree.ElementTree as ET
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
NS = {'xenc': 'http://www.w3.org/2001/04/xmlenc#', 'ds': 'http://www.w3.org/2000/09/xmldsig#', 'xenc11': 'http://www.w3.org/2009/xmlenc11#'}
doc = ET.parse(sys.argv[1]).getroot()
data = doc.find('.//xenc:EncryptedData', NS)
assert data.find('xenc:EncryptionMethod', NS).get('Algorithm') == 'http://www.w3.org/2009/xmlenc11#aes256-gcm'
ek = data.find('ds:KeyInfo/xenc:EncryptedKey', NS)
m = ek.find('xenc:EncryptionMethod', NS)
assert m.get('Algorithm') == 'http://www.w3.org/2009/xmlenc11#rsa-oaep'
assert m.find('ds:DigestMethod', NS).get('Algorithm') == 'http://www.w3.org/2001/04/xmlenc#sha256'
assert m.find('xenc11:MGF', NS).get('Algorithm') == 'http://www.w3.org/2009/xmlenc11#mgf1sha256'
key = serialization.load_pem_private_key(open(sys.argv[2], 'rb').read(), None)
cek = key.decrypt(base64.b64decode(ek.find('xenc:CipherData/xenc:CipherValue', NS).text),
                  padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
blob = base64.b64decode(data.find('xenc:CipherData/xenc:CipherValue', NS).text)
sys.stdout.buffer.write(AESGCM(cek).decrypt(blob[:12], blob[12:], None))
`;

describe.runIf(
  requires(
    'SAML xmlsec1',
    absent({ xmlsec1: have('xmlsec1'), 'python3-cryptography': have('python3') && pythonCryptography() }),
  ),
)('SAML XML Security checked with xmlsec1 and Python cryptography', () => {
  let server: SamlTestServer;
  let dir: string;
  let tr: { signing: KeyPair; encryption: KeyPair };
  let card: ReturnType<typeof writeTestCard>;
  const TR_ACS = 'https://tr-sp.example/acs';
  const LEGACY_ACS = 'https://legacy-sp.example/acs';

  beforeAll(async () => {
    tr = {
      signing: keyPair(ecKey(), 'tr signing'),
      encryption: keyPair(spRsaEncryptionKey(), 'tr encryption'),
    };
    const spec = (entityId: string, acs: string) => ({
      entityId,
      signingCertificate: tr.signing.cert,
      encryptionCertificate: tr.encryption.cert,
      acs: [{ binding: 'post' as const, location: acs, index: 0 }],
      requestedAttributes: [
        { name: 'DateOfBirth', required: true },
        { name: 'urn:tw:neid:attribute:ChineseName', required: true },
      ],
    });
    server = await startSamlServer([
      { id: 'tr-sp', mnemonic: 'TRSP', saml: {}, metadata: spec('https://tr-sp.example', TR_ACS) },
      {
        id: 'legacy-sp',
        mnemonic: 'LEGACYSP',
        saml: { algorithms: 'legacy' },
        metadata: spec('https://legacy-sp.example', LEGACY_ACS),
      },
    ]);
    dir = mkdtempSync(join(tmpdir(), 'neid-saml-xmlsec-'));
    writeFileSync(join(dir, 'sp-enc.key.pem'), tr.encryption.keyPem);
    writeFileSync(join(dir, 'decrypt.py'), PY_DECRYPT);
    card = writeTestCard(server.ts.pkiDir);
  }, 180_000);
  afterAll(async () => server?.ts.close());

  const idpCert = (which: 'samlSigningEcCert' | 'samlSigningRsaCert') =>
    join(server.ts.pkiDir, PKI_FILES[which]);
  const xmlsec = (args: string[]) => spawnSync('xmlsec1', args, { encoding: 'utf8' });
  const verify = (file: string, cert: string, idAttr: string) =>
    xmlsec(['--verify', '--pubkey-cert-pem', cert, '--id-attr:ID', idAttr, file]);

  async function responseFor(entity: string, acs: string): Promise<string> {
    const browser = new Browser();
    const xml = requestXml({ issuer: entity, destination: server.idp.ssoUrl, acs });
    const activation = await browser.get(signedRedirect(server.idp.ssoUrl, xml, tr.signing.key));
    expect(activation.status, activation.body.slice(0, 200)).toBe(200);
    const { form } = await completeLogin(browser, activation, card.file);
    return Buffer.from(form.fields.SAMLResponse!, 'base64').toString('utf8');
  }

  it('xmlsec1 verifies the ECDSA signature of the IdP metadata', () => {
    const file = join(dir, 'metadata.xml');
    writeFileSync(file, server.idp.metadata.xml);
    const r = verify(
      file,
      idpCert('samlSigningEcCert'),
      'urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor',
    );
    expect(r.status, r.stderr).toBe(0);
  });

  it('TR-03116-4 set: xmlsec1 verifies the Response (ECDSA); Python decrypts (OAEP-SHA-256, AES-256-GCM); xmlsec1 verifies the Assertion', async () => {
    const response = await responseFor('https://tr-sp.example', TR_ACS);
    const file = join(dir, 'tr-response.xml');
    writeFileSync(file, response);
    const r = verify(file, idpCert('samlSigningEcCert'), 'urn:oasis:names:tc:SAML:2.0:protocol:Response');
    expect(r.status, r.stderr).toBe(0);
    const tampered = join(dir, 'tr-tampered.xml');
    writeFileSync(
      tampered,
      response.replace(`Destination="${TR_ACS}"`, 'Destination="https://evil.example/acs"'),
    );
    expect(
      verify(tampered, idpCert('samlSigningEcCert'), 'urn:oasis:names:tc:SAML:2.0:protocol:Response').status,
    ).not.toBe(0);

    const assertion = execFileSync('python3', [
      join(dir, 'decrypt.py'),
      file,
      join(dir, 'sp-enc.key.pem'),
    ]).toString('utf8');
    expect(assertion).toContain(`<eid:DateString>${card.json.fields.dateOfBirth}</eid:DateString>`);
    const aFile = join(dir, 'tr-assertion.xml');
    writeFileSync(aFile, assertion);
    const a = verify(aFile, idpCert('samlSigningEcCert'), 'urn:oasis:names:tc:SAML:2.0:assertion:Assertion');
    expect(a.status, a.stderr).toBe(0);
  });

  it('legacy set: xmlsec1 --decrypt decrypts the EncryptedAssertion with the SP key and verifies the rsa-sha256 Response signature', async () => {
    const response = await responseFor('https://legacy-sp.example', LEGACY_ACS);
    const file = join(dir, 'legacy-response.xml');
    writeFileSync(file, response);
    const v = verify(file, idpCert('samlSigningRsaCert'), 'urn:oasis:names:tc:SAML:2.0:protocol:Response');
    expect(v.status, v.stderr).toBe(0);
    const d = xmlsec(['--decrypt', '--privkey-pem', join(dir, 'sp-enc.key.pem'), file]);
    expect(d.status, d.stderr).toBe(0);
    expect(d.stdout).toContain('<saml:Assertion');
    expect(d.stdout).toContain(`<eid:DateString>${card.json.fields.dateOfBirth}</eid:DateString>`);
    expect(d.stdout).toContain('Name="urn:tw:neid:attribute:ChineseName"');
    expect(readFileSync(file, 'utf8')).not.toContain(String(card.json.fields.dateOfBirth));
  });
});
