/**
 * Structured logging (pino, JSON lines). Logs carry session ids, eService ids,
 * steps and outcomes — never personal data, PINs or keys. As a second line of
 * defence the logger redacts keys that could hold such data if a bug ever
 * passed an object containing them.
 */
import { pino } from 'pino';

export type Logger = pino.Logger;

const REDACT = [
  'fields',
  '*.fields',
  'result.fields',
  'pin',
  '*.pin',
  'psk',
  '*.psk',
  'photo',
  '*.photo',
  'password',
  '*.password',
  'keys',
  '*.keys',
  'req.headers.authorization',
  'req.headers.cookie',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'n-eid-server' },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** A shortened session id for log lines that do not need the full identifier. */
export const shortId = (id: string): string => id.slice(0, 12);
