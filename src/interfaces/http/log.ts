/**
 * Structured logging (pino, JSON lines). Logs carry session ids, eService ids,
 * steps and outcomes — never personal data, PINs or keys — and the id of the
 * request being served (`requestId`, request-id.ts). As a second line of
 * defence the logger redacts the names under which a secret or personal data
 * travels, should a bug ever pass such an object; nothing else is redacted, so
 * non-secret values (URLs, key descriptions, ids) stay readable.
 */
import { pino } from 'pino';
import { currentRequestId } from './request-id.js';

export type Logger = pino.Logger;

/** Secrets (PINs, PSKs, passwords, private keys, credentials) and personal data (card fields, photos, claims). */
const SECRET_NAMES = ['pin', 'psk', 'password', 'secret', 'privateKey', 'fields', 'photo', 'claims'];

export const REDACT = [
  ...SECRET_NAMES.flatMap((n) => [n, `*.${n}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'n-eid-server' },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: () => {
        const requestId = currentRequestId();
        return requestId ? { requestId } : {};
      },
    },
    destination,
  );
}

/** A shortened session id for log lines that do not need the full identifier. */
export const shortId = (id: string): string => id.slice(0, 12);
