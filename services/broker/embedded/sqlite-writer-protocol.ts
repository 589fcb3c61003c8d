/** Messages between the event log (main thread) and its writer thread. */

/**
 * A group of appended events in a form that crosses threads cheaply: one string for all the
 * attribute JSON and one transferred buffer for all the data, instead of an object per event
 * (structured-cloning objects per event cost more main-thread time than the rest of ingress).
 */
export interface PackedRows {
  readonly count: number;
  readonly brokerIds: Int32Array;
  /** Each row's attributes as JSON, joined by "\n" (JSON.stringify never writes a raw newline). */
  readonly attributes: string;
  readonly dataEncodings: Uint8Array;
  /** Row i's data is data[dataOffsets[i], dataOffsets[i + 1]); `hasData[i]` is 0 when it has none. */
  readonly dataOffsets: Int32Array;
  readonly hasData: Uint8Array;
  readonly data: ArrayBuffer;
}

/** Writes other than appends and cursor moves, by the name of a statement the writer prepared. */
export type StatementName = 'probe' | 'insertRetry' | 'redriveRetry' | 'updateRetry' | 'deleteRetry' | 'insertDeadLetter' | 'updateDeadLetterSink' | 'deleteDeadLetter';
export type StatementParam = string | number | null | Uint8Array;
export type WriteStep = readonly [name: StatementName, params: readonly StatementParam[]];

export type WriterRequest =
  | { readonly op: 'registerBrokers'; readonly id: number; readonly names: readonly string[] }
  | {
      readonly op: 'commit';
      readonly id: number;
      readonly rows: PackedRows;
      readonly cursors: ReadonlyArray<readonly [name: string, position: number]>;
      readonly steps: readonly WriteStep[];
    }
  | { readonly op: 'openCursor'; readonly id: number; readonly name: string; readonly brokerId: number }
  | { readonly op: 'closeCursor'; readonly id: number; readonly name: string }
  | { readonly op: 'trim'; readonly id: number; readonly brokerId: number; readonly belowSeq: number }
  | { readonly op: 'close'; readonly id: number };

/** Offsets of one commit: AUTOINCREMENT with a single writer gives consecutive seqs. */
export interface CommitResult {
  readonly firstSeq: number;
  readonly appendedAt: number;
  /** For each step: the inserted row id (inserts; 0 when a conditional insert inserted nothing) or the number of rows changed. */
  readonly stepResults: readonly number[];
}

export type WriterResponse =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly message: string };

export interface WriterInit {
  readonly path: string;
  readonly synchronous: 'full' | 'normal';
}
