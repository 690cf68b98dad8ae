// Rebuilds read models from the log into a database of their own: the same
// projections the live runner applies, read and applied the same way, up to a
// given position, with many chunks to a transaction (nobody reads a rebuild
// in progress). The checkpoint is kept under the live runner's name, so the
// result can replace the live read models as it is.
import type Database from 'better-sqlite3'
import type { EventStore, Position } from '../store/port.js'
import { createBatchApplier, logChunks, readCheckpoint } from './batch.js'
import type { CatchUpProgress } from './catch-up.js'
import type { Projection } from './projection.js'

export type ReplayProgress = CatchUpProgress

export interface ReplayerOptions {
  readonly db: Database.Database
  readonly projections: readonly Projection[]
  /** The checkpoint's name (the live runner's, so the result can stand in for the live read models). */
  readonly name: string
  /** Events read at once, and committed at once (defaults: 1,000 and 50,000). */
  readonly chunkSize?: number
  readonly transactionSize?: number
}

export const createReplayer = ({ db, projections, name, chunkSize = 1_000, transactionSize = 50_000 }: ReplayerOptions) => {
  const { applyChunks, createIndexes } = createBatchApplier({ db, name, projections })
  let position = readCheckpoint(db, name)
  let first: Position | null = null
  let events = 0

  /** Applies the log after where this database stands, up to and including `target`; an event that does not decode is thrown, as it stops the live runner. */
  const until = async (store: Pick<EventStore, 'readAll'>, target: Position | null, onProgress?: (progress: ReplayProgress) => void): Promise<Position | null> => {
    if (target !== null) {
      await applyChunks(logChunks(store, position, target, chunkSize), {
        transactionSize,
        readAlone: true,
        committed: (commit) => {
          position = commit.position
        },
        applied: (chunk) => {
          first ??= chunk.first
          events += chunk.events
          onProgress?.({ events, first, position: chunk.position })
        },
      })
    }
    createIndexes()
    return position
  }

  return { until, position: () => position }
}
export type Replayer = ReturnType<typeof createReplayer>
