/**
 * Why a request's WS-Security signature was refused (verify.ts): 'not-soap' —
 * not a SOAP envelope at all, and 'not-signed' — no signature at all: not
 * answered; 'invalid-signature' — answered with common#internalError only
 * (TR-03130-1 §3.5.2).
 */
export class WssError extends Error {
  override readonly name = 'WssError';
  constructor(
    readonly code: 'not-soap' | 'not-signed' | 'invalid-signature',
    message: string,
  ) {
    super(message);
  }
}

export const invalid = (msg: string): WssError => new WssError('invalid-signature', msg);
