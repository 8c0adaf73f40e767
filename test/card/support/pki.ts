/**
 * A small EAC + passive-authentication PKI for card tests, built in memory
 * with the project's issuers, and cards personalised from it.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CardFileJson } from '../../../src/card/card-file.js';
import { type CreateCardOptions, createCard } from '../../../src/card/personalize.js';
import { type Curve, curveByName } from '../../../src/crypto/curves.js';
import { type EcKeyPair, exportPkcs8Pem, generateEcKeyPair } from '../../../src/crypto/keys.js';
import { Chat } from '../../../src/pki/cvc/chat.js';
import { addDays, dateString } from '../../../src/pki/cvc/dates.js';
import {
  allAtBits,
  type IssuedCv,
  issueCvca,
  issueSubordinate,
  sectorKeyHash,
} from '../../../src/pki/cvc/issue.js';
import { PKI_FILES } from '../../../src/pki/layout.js';
import { issueCertificate } from '../../../src/pki/x509/certificate.js';
import { issueCrl } from '../../../src/pki/x509/crl.js';
import { pemFromDer } from '../../../src/pki/x509/pem.js';

export const TODAY = dateString();

export interface TestPki {
  readonly curve: Curve;
  readonly cvca: IssuedCv;
  readonly dv: IssuedCv;
  readonly cscaCert: Buffer;
  readonly cscaCrl: Buffer;
  readonly dsCert: Buffer;
  readonly dsKey: EcKeyPair;
}

export function makePki(curveName = 'brainpoolP256r1', cvcaChr = 'TWCVCA00001'): TestPki {
  const curve = curveByName(curveName);
  const cvca = issueCvca({ curve, chr: cvcaChr, effectiveDate: addDays(TODAY, -30), validityDays: 1095 });
  const dv = issueSubordinate(
    { cert: cvca.cert, key: cvca.key.privateKey },
    {
      role: 'dv-domestic',
      chr: 'TWDV00001',
      chat: Chat.forRole('dv-domestic', allAtBits()),
      effectiveDate: addDays(TODAY, -10),
      validityDays: 365,
      curve,
    },
  );
  const cscaKey = generateEcKeyPair(curve);
  const now = new Date();
  const year = 365 * 86_400_000;
  const cscaCert = issueCertificate({
    subject: { C: 'TW', O: 'Test', CN: 'Test CSCA' },
    issuer: { C: 'TW', O: 'Test', CN: 'Test CSCA' },
    notBefore: new Date(now.getTime() - year),
    notAfter: new Date(now.getTime() + 10 * year),
    subjectPublicKey: cscaKey.publicKey,
    issuerKey: cscaKey.privateKey,
    ca: { pathLen: 0 },
    keyUsage: ['keyCertSign', 'cRLSign'],
  });
  const dsKey = generateEcKeyPair(curve);
  const dsCert = issueCertificate({
    subject: { C: 'TW', O: 'Test', CN: 'Test Document Signer' },
    issuer: cscaCert,
    notBefore: new Date(now.getTime() - year / 12),
    notAfter: new Date(now.getTime() + 5 * year),
    subjectPublicKey: dsKey.publicKey,
    issuerKey: cscaKey.privateKey,
    keyUsage: ['digitalSignature'],
  });
  const cscaCrl = issueCrl({
    issuerCert: cscaCert,
    issuerKey: cscaKey.privateKey,
    thisUpdate: new Date(now.getTime() - 86_400_000),
    nextUpdate: new Date(now.getTime() + year),
    crlNumber: 1n,
    revoked: [],
  });
  return { curve, cvca, dv, cscaCert, cscaCrl, dsCert, dsKey };
}

export interface TerminalOptions {
  readonly chat: Chat;
  readonly chr?: string;
  readonly effectiveDate?: string;
  readonly validityDays?: number;
  readonly sectorKey?: EcKeyPair;
  readonly dv?: IssuedCv;
}

/** An Authentication Terminal certificate under the PKI's DV (or `dv`). */
export function makeTerminal(pki: TestPki, o: TerminalOptions): IssuedCv {
  const dv = o.dv ?? pki.dv;
  return issueSubordinate(
    { cert: dv.cert, key: dv.key.privateKey },
    {
      role: 'terminal',
      chr: o.chr ?? 'TWTERM00001',
      chat: o.chat,
      effectiveDate: o.effectiveDate ?? TODAY,
      validityDays: o.validityDays ?? 30,
      curve: pki.curve,
      ...(o.sectorKey ? { sectorKeyHash: sectorKeyHash(pki.curve, o.sectorKey.publicPoint) } : {}),
    },
  );
}

export function makeCard(pki: TestPki, opts: Omit<CreateCardOptions, 'pki' | 'pkiDir'> = {}): CardFileJson {
  return createCard({
    pki: {
      trustPoints: [pki.cvca.cert.raw],
      dsCert: pki.dsCert,
      dsKey: pki.dsKey.privateKey,
      curve: pki.curve.name,
    },
    serialNumber: 'TW0123456789',
    pin: '123456',
    userCode: 'A1B2C3D4',
    date: TODAY,
    ...opts,
  });
}

/** Writes the parts of a `neid pki init` directory a card needs; returns the directory. */
export function writePkiDir(pki: TestPki, dir = mkdtempSync(join(tmpdir(), 'neid-card-pki-'))): string {
  const put = (rel: string, data: string | Buffer) => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), data);
  };
  put(
    PKI_FILES.manifest,
    JSON.stringify({
      version: 1,
      curve: pki.curve.name,
      cvcaChr: pki.cvca.cert.chr,
      dvChr: pki.dv.cert.chr,
      terminals: {},
    }),
  );
  put(PKI_FILES.cvcaCert, pki.cvca.cert.raw);
  put(PKI_FILES.dsCert, pemFromDer(pki.dsCert));
  put(PKI_FILES.dsKey, exportPkcs8Pem(pki.dsKey.privateKey));
  return dir;
}
