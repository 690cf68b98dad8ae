// Where a store keeps its chain's tip and its signed checkpoints: the port the
// checkpointer (src/application/log-checkpoints.ts) and the export use.
// Adapters: src/store/sqlite-chain-ledger.ts (the chain kept at append) and
// src/store/eventstoredb-chain.ts (a subscriber chains $all, checkpoints are events).
import type { Checkpoint } from './checkpoints.js'
import type { ChainEntry } from './verify.js'

export interface ChainTip {
  readonly position: bigint
  readonly link: string
  /** Events chained after the last checkpoint. */
  readonly sinceCheckpoint: number
  /** The last checkpoint, read with the tip (null: none yet). */
  readonly lastCheckpoint: Checkpoint | null
}

export interface ChainLedger extends ChainReader {
  /** The last chained position and its link; null while nothing is chained. */
  readonly tip: () => Promise<ChainTip | null>
  /** Keeps a checkpoint (one at a position already kept is left as it is). */
  readonly put: (checkpoint: Checkpoint) => Promise<void>
  readonly checkpoints: () => Promise<readonly Checkpoint[]>
  /** For /healthz: whether the chain keeps up with the log (a subscriber that chains it may be down). */
  readonly health: () => { readonly ok: boolean; readonly detail: string }
  readonly close: () => Promise<void>
}

/** One consistent read of the chained log: its checkpoints and its entries, in position order. */
export interface ChainSnapshot {
  readonly checkpoints: readonly Checkpoint[]
  readonly entries: Iterable<ChainEntry> | AsyncIterable<ChainEntry>
  readonly close: () => void | Promise<void>
}

export interface ChainReader {
  readonly read: () => Promise<ChainSnapshot>
}
