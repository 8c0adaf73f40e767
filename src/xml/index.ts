export * from './build.js';
export * from './dom.js';
export * from './errors.js';
export * from './parse.js';
