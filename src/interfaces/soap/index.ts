/** The SOAP eID-Interface (TR-03130-1 §3), Taiwan New eID profile. */
export { EidInterfaceClient } from './client.js';
export type { GetResultOutcome } from './messages/get-result.js';
export type { UseIdGranted, UseIdRequest } from './messages/use-id.js';
export { type MountedSoap, mountSoap } from './mount.js';
export { NS, SOAP_PATH } from './namespaces.js';
export { elementOf, OPERATION_IDS, type OperationId } from './operations.js';
export { RESULT_MAJOR, RESULT_MINOR } from './result-codes.js';
