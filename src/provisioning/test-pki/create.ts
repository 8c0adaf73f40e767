/**
 * `neid pki init`: a complete test PKI for the product, written to a
 * directory in the layout of src/pki/layout.ts —
 *
 * - EAC PKI (TR-03110-3 §2): CVCA (explicit domain parameters, every AT
 *   right), a domestic DV, and per eService of the registry a terminal
 *   certificate whose CHAT is exactly its approved fields and functions (plus
 *   Restricted Identification), with the id-description hash of its
 *   CertificateDescription (commCertificates = the server's TLS certificate)
 *   and the id-sector hash of its Restricted Identification sector key;
 * - passive authentication (ICAO 9303-12 style): CSCA, Document Signer,
 *   CRL; the signed, empty card revocation list; the Open API trust material
 *   (Master List Signer, CSCA Master List, public card revocation list);
 * - the organisation-certificate CA, its CRL and sample organisation
 *   certificates (organisation-ca.ts), for online filing of applications;
 * - TLS server certificate (RSA-3072: the PSK suites need RSA), SAML and SOAP
 *   signing/encryption keys, SOAP client certificates, OIDC signing keys.
 *
 * Private keys are PKCS#8 PEM, written with mode 0600. With `tokenKeys`, the
 * signing keys (terminal, SAML signing, SOAP signing) are generated inside a
 * PKCS#11 token instead (labels: src/provisioning/keys/names.ts), their
 * certificates issued for the token's public keys, and no key file written.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EService, Registry } from '../../config/relying-parties.js';
import { type Curve, curveByName } from '../../crypto/curves.js';
import { exportPkcs8Pem, generateEcKeyPair } from '../../crypto/keys.js';
import { hashCertificateDescription } from '../../pki/cvc/certificate-description.js';
import { Chat } from '../../pki/cvc/chat.js';
import { dateString } from '../../pki/cvc/dates.js';
import {
  allAtBits,
  issueCvca,
  issueSubordinate,
  issueSubordinateCertificate,
  sectorKeyHash,
} from '../../pki/cvc/issue.js';
import { PKI_FILES, type PkiManifest, soapClientFiles, terminalFiles } from '../../pki/layout.js';
import { signCardRevocationList } from '../../pki/revocation/card-revocation-list.js';
import { issueCertificate } from '../../pki/x509/certificate.js';
import { issueCrl } from '../../pki/x509/crl.js';
import { derFromPem, pemFromDer } from '../../pki/x509/pem.js';
import { issueClientCertificate, selfSignedTlsCertificate } from '../../pki/x509/tls.js';
import { chatFor } from '../../profile/authorization.js';
import type { KeyGenerator } from '../keys/source.js';
import { terminalDescription } from '../terminal-description.js';
import { writeOidcClientJwks, writeOidcJwks } from './oidc-keys.js';
import { writeOpenApiTrust } from './open-api-trust.js';
import { writeOrganisationCa } from './organisation-ca.js';
import { inToken, writeSamlSoapKeys } from './signing-keys.js';

export interface CreatePkiOptions {
  readonly dir: string;
  readonly registry: Registry;
  readonly curve?: string;
  /** CHR of the CVCA; AusweisApp's simulator card trusts only DETESTeID00005. */
  readonly cvcaChr?: string;
  /** Origin the eID-Client fetches TCTokens from (CertificateDescription subjectURL). */
  readonly serverUrl: string;
  /** Additional TLS certificates (DER) the eID-Client may see, hashed into commCertificates. */
  readonly extraCommCertificates?: readonly Buffer[];
  readonly now?: Date;
  /** Source of RSA-3072 keys (tests pass a cached key: generation dominates the run time). */
  readonly rsaKey?: () => KeyObject;
  /** Generate the terminal, SAML signing and SOAP signing keys in this PKCS#11 token (no key files). */
  readonly tokenKeys?: KeyGenerator;
}

const DAY = 86_400_000;

export class PkiWriter {
  constructor(readonly dir: string) {}
  write(rel: string, data: string | Buffer, secret = false): void {
    const p = join(this.dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, data, { mode: secret ? 0o600 : 0o644 });
  }
  key(rel: string, k: KeyObject): void {
    this.write(rel, exportPkcs8Pem(k), true);
  }
  /** Removes a key file an earlier PKI left where a token key now takes its place. */
  remove(rel: string): void {
    rmSync(join(this.dir, rel), { force: true });
  }
  pem(rel: string, der: Buffer): void {
    this.write(rel, pemFromDer(der));
  }
}

export function rsaKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey;
}

/** TLS certificates (DER) an eService registered for its CertificateDescription (terminal.commCertificates). */
function ownCommCertificates(es: EService): Buffer[] {
  return (es.terminalCommCertificates ?? []).map((f) => derFromPem(readFileSync(f, 'utf8')));
}

export function createTestPki(o: CreatePkiOptions): PkiManifest {
  const now = o.now ?? new Date();
  const today = dateString(now);
  const curve: Curve = curveByName(o.curve ?? 'brainpoolP256r1');
  const w = new PkiWriter(o.dir);
  const rsa = o.rsaKey ?? rsaKey;
  o.tokenKeys?.checkFree([
    ...o.registry.eServices.map((es) => ({ terminal: es.id })),
    'saml-signing-ec',
    'saml-signing-rsa',
    'soap-signing',
  ]);

  // EAC PKI
  const cvca = issueCvca({
    curve,
    chr: o.cvcaChr ?? 'TWTESTCVCA00001',
    effectiveDate: today,
    validityDays: 3 * 365,
  });
  w.write(PKI_FILES.cvcaCert, cvca.cert.raw);
  w.key(PKI_FILES.cvcaKey, cvca.key.privateKey);
  const dv = issueSubordinate(
    { cert: cvca.cert, key: cvca.key.privateKey },
    {
      role: 'dv-domestic',
      chr: 'TWTESTDV00001',
      chat: Chat.forRole('terminal', allAtBits()),
      effectiveDate: today,
      validityDays: 365,
      curve,
    },
  );
  w.write(PKI_FILES.dvCert, dv.cert.raw);
  w.key(PKI_FILES.dvKey, dv.key.privateKey);
  // The test environment: a CVCA only test cards trust, and the DV of eServices in their test phase.
  const testCvca = issueCvca({ curve, chr: 'TWTENVCVCA00001', effectiveDate: today, validityDays: 3 * 365 });
  w.write(PKI_FILES.testCvcaCert, testCvca.cert.raw);
  w.key(PKI_FILES.testCvcaKey, testCvca.key.privateKey);
  const testDv = issueSubordinate(
    { cert: testCvca.cert, key: testCvca.key.privateKey },
    {
      role: 'dv-domestic',
      chr: 'TWTENVDV00001',
      chat: Chat.forRole('terminal', allAtBits()),
      effectiveDate: today,
      validityDays: 365,
      curve,
    },
  );
  w.write(PKI_FILES.testDvCert, testDv.cert.raw);
  w.key(PKI_FILES.testDvKey, testDv.key.privateKey);

  // TLS: one RSA key for the web, PSK and SOAP listeners.
  const tlsKey = rsa();
  const tlsCert = selfSignedTlsCertificate({
    commonName: 'N_eID-Server (TEST)',
    key: tlsKey,
    ips: ['127.0.0.1', '::1'],
    dns: ['localhost'],
    days: 365,
  });
  w.pem(PKI_FILES.tlsCert, tlsCert);
  w.key(PKI_FILES.tlsKey, tlsKey);
  // …and an ECDSA P-256 pair the web listener offers beside it: an ECDHE-ECDSA handshake costs a
  // fraction of an RSA-3072 signature. Both certificates are in every CertificateDescription.
  const tlsEcKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  const tlsEcCert = selfSignedTlsCertificate({
    commonName: 'N_eID-Server (TEST, ECDSA)',
    key: tlsEcKey,
    ips: ['127.0.0.1', '::1'],
    dns: ['localhost'],
    days: 365,
  });
  w.pem(PKI_FILES.tlsEcCert, tlsEcCert);
  w.key(PKI_FILES.tlsEcKey, tlsEcKey);

  const terminals: Record<string, string> = {};
  for (const es of o.registry.eServices) {
    const f = terminalFiles(es.id);
    const sector = generateEcKeyPair(curve);
    const hash = curve.hash;
    // An eService that serves its own TC Token (SOAP) has its own origin and TLS certificate.
    const encoded = terminalDescription(es, {
      serverUrl: o.serverUrl,
      commCertificates: [tlsCert, tlsEcCert, ...(o.extraCommCertificates ?? []), ...ownCommCertificates(es)],
      hash,
    });
    const chr = `TW${es.terminalMnemonic}00001`;
    const issuer = { cert: dv.cert, key: dv.key.privateKey };
    const spec = {
      role: 'terminal' as const,
      chr,
      chat: chatFor(es.approvedFields, es.approvedFunctions),
      effectiveDate: today,
      validityDays: 90,
      curve,
      descriptionHash: hashCertificateDescription(encoded, hash),
      sectorKeyHash: sectorKeyHash(curve, sector.publicPoint, hash),
    };
    if (o.tokenKeys) {
      const key = inToken(o.tokenKeys, w, { terminal: es.id }, { type: 'ec', curve });
      w.write(f.cert, issueSubordinateCertificate(issuer, spec, key.publicKey).raw);
    } else {
      const term = issueSubordinate(issuer, spec);
      w.write(f.cert, term.cert.raw);
      w.key(f.key, term.key.privateKey);
    }
    w.write(f.description, encoded);
    w.key(f.sectorKey, sector.privateKey);
    terminals[es.id] = chr;
    if (es.soap) {
      const c = soapClientFiles(es.id);
      const k = rsa();
      w.key(c.key, k);
      w.pem(
        c.cert,
        issueClientCertificate({
          subject: { CN: `${es.id} (TEST eService)` },
          publicKey: k,
          issuerKey: k,
          days: 365,
        }),
      );
    }
  }

  // Passive authentication
  const csca = generateEcKeyPair(curve);
  const cscaName = { C: 'TW', O: 'Ministry of the Interior', OU: 'TEST', CN: 'TEST CSCA Taiwan' };
  const cscaCert = issueCertificate({
    subject: cscaName,
    issuer: cscaName,
    notBefore: now,
    notAfter: new Date(now.getTime() + 15 * 365 * DAY),
    subjectPublicKey: csca.publicKey,
    issuerKey: csca.privateKey,
    ca: { pathLen: 0 },
    keyUsage: ['keyCertSign', 'cRLSign'],
  });
  w.pem(PKI_FILES.cscaCert, cscaCert);
  w.key(PKI_FILES.cscaKey, csca.privateKey);
  const ds = generateEcKeyPair(curve);
  const dsCert = issueCertificate({
    subject: { C: 'TW', O: 'Ministry of the Interior', OU: 'TEST', CN: 'TEST Document Signer New eID' },
    issuer: cscaCert,
    notBefore: now,
    notAfter: new Date(now.getTime() + 10 * 365 * DAY),
    subjectPublicKey: ds.publicKey,
    issuerKey: csca.privateKey,
    keyUsage: ['digitalSignature'],
  });
  w.pem(PKI_FILES.dsCert, dsCert);
  w.key(PKI_FILES.dsKey, ds.privateKey);
  const nextYear = new Date(now.getTime() + 365 * DAY);
  w.write(
    PKI_FILES.cscaCrl,
    issueCrl({
      issuerCert: cscaCert,
      issuerKey: csca.privateKey,
      thisUpdate: now,
      nextUpdate: nextYear,
      crlNumber: 1n,
      revoked: [],
    }),
  );
  w.write(
    PKI_FILES.cardRevocationList,
    signCardRevocationList(
      { thisUpdate: now, nextUpdate: nextYear, revoked: [] },
      { cert: cscaCert, key: csca.privateKey },
    ),
  );
  writeOpenApiTrust(w, { cscaCert, cscaKey: csca.privateKey, now });
  writeOrganisationCa(w, { rsa, now });

  // SAML, SOAP, OIDC keys
  writeSamlSoapKeys(w, rsa, o.tokenKeys);
  writeOidcJwks(w, rsa());
  writeOidcClientJwks(w, o.registry, rsa);

  const manifest: PkiManifest = {
    version: 1,
    createdAt: now.toISOString(),
    curve: curve.name,
    serverUrl: o.serverUrl,
    cvcaChr: cvca.cert.chr,
    dvChr: dv.cert.chr,
    terminals,
  };
  w.write(PKI_FILES.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
