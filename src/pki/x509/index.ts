export * from './algorithms.js';
export * from './certificate.js';
export * from './certificate-parser.js';
export * from './cms.js';
export * from './crl.js';
export { serialHex } from './der.js';
export * from './errors.js';
export * from './extensions.js';
export * from './master-list.js';
export * from './names.js';
export * from './oids.js';
export * from './organisation-signature.js';
export * from './passive-authentication.js';
export * from './pem.js';
export {
  type ClientCertificateOptions,
  issueClientCertificate,
  type SelfSignedTlsOptions,
  selfSignedTlsCertificate,
} from './tls.js';
