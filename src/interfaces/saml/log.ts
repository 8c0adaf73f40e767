/**
 * What the IdP needs of the server's logger (pino's Logger satisfies it).
 * Log lines carry eService ids, request-id prefixes, codes and outcomes —
 * never attribute values, NameIDs or other personal data.
 */
export interface SamlLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}
