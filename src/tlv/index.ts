export * from './errors.js';
export * from './tlv.js';
