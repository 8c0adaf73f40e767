/** Terminal side of BSI TR-03110 (PACE, TA, CA, RI, auxiliary data, reading data groups). */
export * from './aux-data.js';
export * from './ca.js';
export * from './card-access.js';
export * from './channel.js';
export * from './data-objects.js';
export * from './dynamic-auth.js';
export * from './errors.js';
export * from './files.js';
export * from './local-terminal.js';
export {
  generalAuthenticate,
  mseSetAtPace,
  PASSWORD_REFERENCE,
  type PaceKeyPurpose,
  type PaceOptions,
  type PaceResult,
  type PasswordRef,
  pace,
  paceStatusError,
  passwordBytes,
} from './pace.js';
export * from './pin-management.js';
export * from './read.js';
export * from './ri.js';
export * from './sm-batch.js';
export * from './status.js';
export * from './ta.js';
export * from './verify.js';
