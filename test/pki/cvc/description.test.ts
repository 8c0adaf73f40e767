import { describe, expect, it } from 'vitest';
import {
  CvcError,
  decodeCertificateDescription,
  encodeCertificateDescription,
  hashCertificateDescription,
} from '../../../src/pki/cvc/index.js';

describe('CertificateDescription (TR-03110-4 §2.2.6)', () => {
  const d = {
    issuerName: '內政部 (測試) Ministry of the Interior (TEST)',
    issuerUrl: 'https://www.moi.gov.tw/',
    subjectName: '示範服務 Demo eService',
    subjectUrl: 'https://127.0.0.1:8443',
    termsOfUsage: '用途 Purpose: 登入 log-in\n',
    commCertificates: [Buffer.alloc(32, 0xaa), Buffer.alloc(32, 0xbb)],
  };

  it('is explicitly tagged as eID-Clients parse it', () => {
    const enc = encodeCertificateDescription(d);
    // SEQUENCE { OID id-plainFormat, A1 { UTF8String issuerName } ...
    expect(enc.subarray(0, 1).toString('hex')).toBe('30');
    expect(enc.includes(Buffer.from('060a04007f00070301030101a1', 'hex'))).toBe(true);
    expect(enc.includes(Buffer.from('a74631440420', 'hex'))).toBe(true); // [7] { SET { OCTET STRING ...
    expect(decodeCertificateDescription(enc)).toEqual({ ...d, format: 'plain' });
    expect(hashCertificateDescription(enc, 'sha256').length).toBe(32);
  });

  it('rejects malformed input with CvcError', () => {
    const enc = encodeCertificateDescription(d);
    for (let i = 1; i < enc.length; i += 7) {
      expect(() => decodeCertificateDescription(enc.subarray(0, i))).toThrow(CvcError);
    }
  });
});
