export * from './authorization.js';
export * from './codecs.js';
export * from './codes.js';
export * from './fields.js';
export * from './household-area.js';
export * from './values.js';
