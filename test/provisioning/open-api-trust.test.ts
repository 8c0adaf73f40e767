/**
 * The test PKI's Open API trust material: a Master List Signer issued by the
 * CSCA with the ICAO extended key usage, the CSCA Master List it signs, the
 * empty public card revocation list; added to an older test PKI on start.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PKI_FILES } from '../../src/pki/layout.js';
import { verifyPublicCardRevocationList } from '../../src/pki/revocation/public-card-revocation-list.js';
import { extKeyUsageIncludes, parseCertificate } from '../../src/pki/x509/certificate-parser.js';
import { decodeMasterList, verifyMasterList } from '../../src/pki/x509/master-list.js';
import { X509_OID } from '../../src/pki/x509/oids.js';
import { derFromPem } from '../../src/pki/x509/pem.js';
import { ensureOpenApiTrust } from '../../src/provisioning/test-pki/open-api-trust.js';
import { cscaOf, makeTestPki, readPki } from '../open-api/support.js';

let pki: string;
beforeAll(() => {
  pki = makeTestPki();
}, 120_000);

describe('Open API trust material of the test PKI', () => {
  it('has a Master List Signer and a CSCA Master List naming the CSCA', () => {
    const mls = parseCertificate(derFromPem(readPki(pki, PKI_FILES.mlsCert).toString()));
    expect(extKeyUsageIncludes(mls, X509_OID.icaoCscaMasterListSigningKey)).toBe(true);
    expect(mls.issuer).toEqual(parseCertificate(cscaOf(pki)).subject);
    const ml = verifyMasterList(readPki(pki, PKI_FILES.masterList), {
      anchors: [cscaOf(pki)],
      crls: [readPki(pki, PKI_FILES.cscaCrl)],
    });
    expect(ml.cscaCerts).toEqual([cscaOf(pki)]);
    expect(ml.signingTime).toBeInstanceOf(Date);
    const list = verifyPublicCardRevocationList(
      readPki(pki, PKI_FILES.publicCardRevocationList),
      [cscaOf(pki)],
      new Date(),
    );
    expect(list.revoked).toEqual([]);
  });

  it('decodes only CscaMasterList v0', () => {
    expect(() => decodeMasterList(Buffer.from('300702010131020500', 'hex'))).toThrow(/v0|version/);
    expect(decodeMasterList(Buffer.from('30050201003100', 'hex'))).toEqual([]);
  });

  it('adds the material to an older test PKI that lacks it, and leaves a complete one alone', () => {
    rmSync(join(pki, PKI_FILES.masterList));
    rmSync(join(pki, PKI_FILES.publicCardRevocationList));
    expect(ensureOpenApiTrust(pki)).toBe(true);
    expect(readPki(pki, PKI_FILES.masterList).length).toBeGreaterThan(500);
    expect(ensureOpenApiTrust(pki)).toBe(false);
  });
});
