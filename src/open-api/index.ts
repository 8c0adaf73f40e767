/**
 * The Open API (docs/open-api.md): read the public area with the CAN, and
 * verify it where the eService runs, with no call to the server.
 */
export * from './bundle.js';
export * from './challenge.js';
export * from './checks.js';
export * from './errors.js';
export * from './reader.js';
export * from './replay.js';
export * from './trust.js';
export * from './trust-store.js';
export * from './verify.js';
