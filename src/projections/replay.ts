// Rebuilds read models from the log into a database of their own: the same
// projections the live runner applies, fed the log from the start, up to a
// given position. Many events go into one transaction (a rebuild needs no
// per-event checkpoint), and the checkpoint is kept under the live runner's
// name, so the result can replace the live read models as it is.
import type Database from 'better-sqlite3'
import { decodeRecorded } from '../application/event-codec.js'
import type { EventStore, Position, RecordedEvent } from '../store/port.js'
import type { Projection } from './projection.js'
import { readCheckpoint } from './runner.js'

export interface ReplayProgress {
  /** Events applied by this replayer so far. */
  readonly events: number
  /** The position of the first event it applied, and of the last. */
  readonly first: Position
  readonly position: Position
}

export interface ReplayerOptions {
  readonly db: Database.Database
  readonly projections: readonly Projection[]
  /** The checkpoint's name (the live runner's, so the result can stand in for the live read models). */
  readonly name: string
  readonly batchSize?: number
}

export const createReplayer = ({ db, projections, name, batchSize = 1_000 }: ReplayerOptions) => {
  const appliers = projections.map((projection) => projection.open(db))
  const saveCheckpoint = db.prepare(
    'INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
  )
  const applyBatch = db.transaction((batch: readonly RecordedEvent[]) => {
    for (const recorded of batch) {
      // As in the live runner: an event that does not decode stops the replay, it is never skipped.
      const { event, metadata } = decodeRecorded(recorded)
      for (const apply of appliers) apply({ event, metadata, recorded })
    }
    saveCheckpoint.run(name, batch[batch.length - 1]!.position.toString())
  })

  let position = readCheckpoint(db, name)
  let first: Position | null = null
  let events = 0

  /** Applies the log after where this database stands, up to and including `target`. */
  const until = async (store: EventStore, target: Position | null, onProgress?: (progress: ReplayProgress) => void): Promise<Position | null> => {
    while (target !== null && (position === null || position < target)) {
      const batch = await store.readAll({ ...(position === null ? {} : { from: position }), maxCount: batchSize })
      const within = batch.filter((recorded) => recorded.position <= target)
      if (within.length > 0) {
        applyBatch(within)
        first ??= within[0]!.position
        position = within[within.length - 1]!.position
        events += within.length
        onProgress?.({ events, first, position })
      }
      // The end of the log, or the target, is reached.
      if (within.length < batchSize) break
    }
    return position
  }

  return { until, position: () => position }
}
export type Replayer = ReturnType<typeof createReplayer>
