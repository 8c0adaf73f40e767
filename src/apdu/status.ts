/** ISO/IEC 7816-4 §5.6 status words used by the New eID card (docs/chip-profile.md §8). */
export const SW = {
  OK: 0x9000,
  /** Verification failed: the low nibble of SW2 is the remaining retry counter (63Cx). */
  WRONG_PASSWORD: 0x63c0,
  /** Auxiliary-data verification (age/place/validity) negative, or ... */
  VERIFICATION_FAILED: 0x6300,
  WRONG_LENGTH: 0x6700,
  SECURE_MESSAGING_UNSUPPORTED: 0x6882,
  SECURITY_STATUS_NOT_SATISFIED: 0x6982,
  AUTH_METHOD_BLOCKED: 0x6983,
  REFERENCE_DATA_NOT_USABLE: 0x6984,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  SM_DATA_OBJECTS_MISSING: 0x6987,
  SM_DATA_OBJECTS_INCORRECT: 0x6988,
  WRONG_DATA: 0x6a80,
  FUNCTION_NOT_SUPPORTED: 0x6a81,
  FILE_NOT_FOUND: 0x6a82,
  INCORRECT_P1P2: 0x6a86,
  REFERENCE_DATA_NOT_FOUND: 0x6a88,
  WRONG_OFFSET: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  UNKNOWN: 0x6f00,
  END_OF_FILE: 0x6282,
} as const;

export const swHex = (sw: number): string => sw.toString(16).padStart(4, '0').toUpperCase();
