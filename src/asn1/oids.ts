/**
 * Object identifiers of BSI TR-03110-3 appendix A and TR-03110-4, plus the
 * few X.509 / CMS ones this product uses. Names follow the TR.
 */
const BSI_DE = '0.4.0.127.0.7';

export const OID = {
  bsiDe: BSI_DE,
  // Standardized domain parameters (TR-03110-3 A.2.1.1)
  standardizedDomainParameters: `${BSI_DE}.1.2`,
  // Key agreement / protocols (TR-03110-3 A.1.1)
  idPkEcdh: `${BSI_DE}.2.2.1.2`,
  idTa: `${BSI_DE}.2.2.2`,
  idTaEcdsaSha1: `${BSI_DE}.2.2.2.2.1`,
  idTaEcdsaSha224: `${BSI_DE}.2.2.2.2.2`,
  idTaEcdsaSha256: `${BSI_DE}.2.2.2.2.3`,
  idTaEcdsaSha384: `${BSI_DE}.2.2.2.2.4`,
  idTaEcdsaSha512: `${BSI_DE}.2.2.2.2.5`,
  idCa: `${BSI_DE}.2.2.3`,
  idCaEcdh: `${BSI_DE}.2.2.3.2`,
  idCaEcdhAesCbcCmac128: `${BSI_DE}.2.2.3.2.2`,
  idCaEcdhAesCbcCmac192: `${BSI_DE}.2.2.3.2.3`,
  idCaEcdhAesCbcCmac256: `${BSI_DE}.2.2.3.2.4`,
  idPace: `${BSI_DE}.2.2.4`,
  idPaceEcdhGm: `${BSI_DE}.2.2.4.2`,
  idPaceEcdhGmAesCbcCmac128: `${BSI_DE}.2.2.4.2.2`,
  idPaceEcdhGmAesCbcCmac192: `${BSI_DE}.2.2.4.2.3`,
  idPaceEcdhGmAesCbcCmac256: `${BSI_DE}.2.2.4.2.4`,
  idRi: `${BSI_DE}.2.2.5`,
  idCardInfo: `${BSI_DE}.2.2.6`,
  idEidSecurity: `${BSI_DE}.2.2.7`,
  // Roles, extensions, auxiliary data (TR-03110-3 A.7 / C.4)
  idRoles: `${BSI_DE}.3.1.2`,
  idIs: `${BSI_DE}.3.1.2.1`,
  idAt: `${BSI_DE}.3.1.2.2`,
  idSt: `${BSI_DE}.3.1.2.3`,
  idExtensions: `${BSI_DE}.3.1.3`,
  idDescription: `${BSI_DE}.3.1.3.1`,
  idPlainFormat: `${BSI_DE}.3.1.3.1.1`,
  idHtmlFormat: `${BSI_DE}.3.1.3.1.2`,
  idPdfFormat: `${BSI_DE}.3.1.3.1.3`,
  idSector: `${BSI_DE}.3.1.3.2`,
  idAuxiliaryData: `${BSI_DE}.3.1.4`,
  idDateOfBirth: `${BSI_DE}.3.1.4.1`,
  idDateOfExpiry: `${BSI_DE}.3.1.4.2`,
  idMunicipalityId: `${BSI_DE}.3.1.4.3`,
  // EF.CardSecurity content type (TR-03110-3 A.1.2.5)
  idSecurityObject: `${BSI_DE}.3.2.1`,
  // X.509 / CMS
  idData: '1.2.840.113549.1.7.1',
  idSignedData: '1.2.840.113549.1.7.2',
  idContentType: '1.2.840.113549.1.9.3',
  idMessageDigest: '1.2.840.113549.1.9.4',
  idSigningTime: '1.2.840.113549.1.9.5',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  ecPublicKey: '1.2.840.10045.2.1',
  primeField: '1.2.840.10045.1.1',
  // SecurityInfos (TR-03110-3 A.1.1.2, A.1.1.4)
  idPk: `${BSI_DE}.2.2.1`,
  idPkDh: `${BSI_DE}.2.2.1.1`,
  idCaDh: `${BSI_DE}.2.2.3.1`,
  idRiDh: `${BSI_DE}.2.2.5.1`,
  idRiEcdh: `${BSI_DE}.2.2.5.2`,
  idRiEcdhSha256: `${BSI_DE}.2.2.5.2.3`,
  idRiEcdhSha384: `${BSI_DE}.2.2.5.2.4`,
  idRiEcdhSha512: `${BSI_DE}.2.2.5.2.5`,
} as const;
