/** Object identifiers of X.509 (RFC 5280), PKCS #1 (RFC 8017) and CMS used by this module. */
export const X509_OID = {
  // Attribute types (X.520)
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
  countryName: '2.5.4.6',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  // Certificate and CRL extensions (RFC 5280 §4.2, §5.2)
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  cRLNumber: '2.5.29.20',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  // Extended key usages (RFC 5280 §4.2.1.12)
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  // ICAO Doc 9303-12 §9: the CSCA Master List content type and its signer's extended key usage
  icaoCscaMasterList: '2.23.136.1.1.2',
  icaoCscaMasterListSigningKey: '2.23.136.1.1.3',
  // RSA (RFC 8017 appendix C)
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsaEncryption: '1.2.840.113549.1.1.11',
  sha384WithRsaEncryption: '1.2.840.113549.1.1.12',
  sha512WithRsaEncryption: '1.2.840.113549.1.1.13',
} as const;
