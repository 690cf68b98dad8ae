// Rebuilds read models from the log into a database of their own: the same
// projections the live runner applies, read and applied the same way, up to a
// given position, with many chunks to a transaction (nobody reads a rebuild
// in progress). The checkpoint is kept under the live runner's name, so the
// result can replace the live read models as it is.
import type Database from 'better-sqlite3'
import type { EventStore, Position } from '../store/port.js'
import { auditProjection } from './audit.js'
import { createBatchApplier, logChunks, nextTurn, readCheckpoint } from './batch.js'
import type { CatchUpProgress } from './catch-up.js'
import type { Projection } from './projection.js'
import { createRenewalLane } from './renewal-lane.js'

export type ReplayProgress = CatchUpProgress

export interface ReplayerOptions {
  readonly db: Database.Database
  readonly projections: readonly Projection[]
  /** The checkpoint's name (the live runner's, so the result can stand in for the live read models). */
  readonly name: string
  /** Events read at once, and committed at once (defaults: 1,000 and 50,000). */
  readonly chunkSize?: number
  readonly transactionSize?: number
  /**
   * The embedded log's database file, when the store is the embedded one: the
   * seat renewals that a later renewal of the same seat supersedes are then
   * indexed by SQLite from that file and never decoded (renewal-lane.ts),
   * when the projections are the audit index and others that need only a
   * seat's latest renewal.
   */
  readonly logPath?: string
}

/** Whether every projection but the audit index needs only a seat's latest renewal, and the audit index is one of them. */
const laneFits = (projections: readonly Projection[]): boolean =>
  projections.includes(auditProjection) && projections.every((p) => p === auditProjection || p.onlyLatestRenewal === true)

export const createReplayer = ({ db, projections, name, chunkSize = 1_000, transactionSize = 50_000, logPath }: ReplayerOptions) => {
  const { applyChunks, createIndexes, begin } = createBatchApplier({ db, name, projections })
  const lane = logPath !== undefined && laneFits(projections) ? createRenewalLane(db, logPath) : null
  let position = readCheckpoint(db, name)
  let first: Position | null = null
  let events = 0
  let bySql = 0

  const applyPlain = (store: EventStore, target: Position, onProgress?: (progress: ReplayProgress) => void): Promise<void> =>
    applyChunks(logChunks(store, position, target, chunkSize), {
      transactionSize,
      committed: (commit) => {
        position = commit.position
      },
      applied: (chunk) => {
        first ??= chunk.first
        events += chunk.events
        onProgress?.({ events, first, position: chunk.position })
      },
    })

  /** A range of the log to a transaction, through the renewal lane. */
  const applyLane = async (store: EventStore, target: Position, onProgress?: (progress: ReplayProgress) => void): Promise<void> => {
    for (;;) {
      const transaction = begin()
      try {
        const range = lane!.range(position, target, transactionSize)
        if (range === null) {
          transaction.rollback()
          return
        }
        const undecodable = transaction.add(range.rest)
        if (undecodable !== null) {
          // The range again with every event decoded, so that what is committed is the log up to the event
          // that does not decode, exactly; that event is thrown as ever.
          transaction.rollback()
          await applyPlain(store, range.upTo, onProgress)
          throw undecodable
        }
        bySql += range.finish()
        const done = transaction.commit({ position: range.upTo, first: range.first, more: range.events - range.rest.length })
        position = range.upTo
        first ??= range.first
        events += done?.events ?? range.events
        onProgress?.({ events, first, position })
      } finally {
        if (db.inTransaction) db.exec('ROLLBACK')
      }
      await nextTurn()
    }
  }

  /** Applies the log after where this database stands, up to and including `target`; an event that does not decode is thrown, as it stops the live runner. */
  const until = async (store: EventStore, target: Position | null, onProgress?: (progress: ReplayProgress) => void): Promise<Position | null> => {
    if (target !== null) await (lane === null ? applyPlain(store, target, onProgress) : applyLane(store, target, onProgress))
    createIndexes()
    return position
  }

  return {
    until,
    position: () => position,
    /** How many renewals SQLite indexed without their being decoded (renewal-lane.ts). */
    renewalsIndexedBySql: () => bySql,
  }
}
export type Replayer = ReturnType<typeof createReplayer>
