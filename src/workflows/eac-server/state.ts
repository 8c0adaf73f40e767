/**
 * The server's EAC conversation state, kept in the session between PAOS
 * messages (and therefore plain, JSON-able data: Buffers are handled by the
 * session codec, Maps are stored as entry lists).
 */
import type { CommandApdu } from '../../apdu/apdu.js';
import type { DataGroupReadState, DataGroupResult } from '../../eac/read.js';

/** What each command of the batch in flight is for (reads are tracked by the planner). */
export type BatchOp =
  | { readonly kind: 'select-mf' }
  | { readonly kind: 'read-chip-security' }
  | { readonly kind: 'select-application' }
  | { readonly kind: 'verify'; readonly what: 'age' | 'place' | 'validity' }
  | { readonly kind: 'ri-mse' }
  | { readonly kind: 'ri-ga' };

export interface StoredReadState {
  readonly commands: DataGroupReadState['commands'];
  readonly results: [number, DataGroupResult][];
  readonly partial: [number, { total?: number; chunks: { offset: number; data: Buffer }[] }][];
  readonly options: DataGroupReadState['options'];
}

export interface PaosState {
  readonly slotHandle: string;
  /** MessageID of the server's last message; the client's reply must relate to it. */
  readonly lastMessageId: string;
  readonly requiredChat?: Buffer;
  readonly optionalChat?: Buffer;
  readonly auxData?: Buffer;
  /** The CHAT the citizen confirmed (EAC1OutputType), or required ∪ optional. */
  readonly confinedChat?: Buffer;
  readonly cardAccess?: Buffer;
  /** The terminal's ephemeral Chip Authentication key (PKCS#8 DER) — wiped after CA. */
  readonly caKey?: Buffer;
  /** Secure-messaging keys and counter after Chip Authentication. */
  readonly sm?: { readonly enc: Buffer; readonly mac: Buffer; readonly ssc: Buffer };
  /** Data-group hashes from verified security objects: dg → hex. */
  readonly publicHashes?: Record<string, string>;
  readonly hashAlgorithm?: string;
  /** The plain commands of the batch in flight (re-protected deterministically to verify the answers). */
  readonly batchCommands?: readonly CommandApdu[];
  readonly batchOps?: readonly BatchOp[];
  readonly read?: StoredReadState;
  readonly outcomes?: {
    readonly restrictedId?: string;
    readonly age?: boolean;
    readonly place?: boolean;
    readonly validity?: boolean;
    readonly chipSecurity?: Buffer;
  };
}

export function storeReadState(s: DataGroupReadState): StoredReadState {
  return {
    commands: s.commands,
    results: [...s.results.entries()],
    partial: [...s.partial.entries()].map(([k, v]) => [
      k,
      { ...(v.total === undefined ? {} : { total: v.total }), chunks: v.chunks.map((c) => ({ ...c })) },
    ]),
    options: s.options,
  };
}

export function loadReadState(s: StoredReadState): DataGroupReadState {
  return {
    commands: s.commands,
    results: new Map(s.results),
    partial: new Map(s.partial),
    options: s.options,
  };
}
