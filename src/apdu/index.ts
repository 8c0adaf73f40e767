export * from './apdu.js';
export * from './status.js';
export * from './transport.js';
