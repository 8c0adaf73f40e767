#!/usr/bin/env node
// Package bin: runs the compiled CLI (built by `npm run build`, which `npm ci` runs via "prepare").
import { main } from '../dist/cli/neid.js';

main(process.argv.slice(2)).then((code) => process.exit(code));
