#!/usr/bin/env node
// Package bin: the eID-Client (TR-03124-1), compiled by `npm run build`.
import { main } from '../dist/client/main.js';

main(process.argv.slice(2)).then((code) => process.exit(code));
