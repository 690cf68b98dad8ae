// The projection runner: subscribes to the global log from its checkpoint,
// applies each event to every projection and moves the checkpoint in the same
// transaction. After a restart it resumes where it stopped; with an empty read
// store it rebuilds everything from the start of the log.
import type Database from 'better-sqlite3'
import type { Logger } from 'pino'
import { decodeRecorded } from '../application/event-codec.js'
import type { EventStore, Position, Subscription } from '../store/port.js'
import type { Envelope, Projection } from './projection.js'

export interface ProjectionRunner {
  readonly start: () => void
  readonly stop: () => Promise<void>
  /** Resolves true once every event up to `position` is applied, false if that takes longer than `timeoutMs`. */
  readonly waitFor: (position: Position | null, timeoutMs?: number) => Promise<boolean>
  readonly status: () => { readonly running: boolean; readonly position: Position | null; readonly error: string | null }
}

export interface ProjectionRunnerOptions {
  readonly name: string
  readonly store: EventStore
  readonly db: Database.Database
  readonly projections: readonly Projection[]
  readonly logger: Logger
  /** Called after each applied event (metrics, progress). */
  readonly onApplied?: (position: Position) => void
}

export const readCheckpoint = (db: Database.Database, name: string): Position | null => {
  const row = db.prepare('SELECT position FROM checkpoints WHERE name = ?').get(name) as { position: string } | undefined
  return row === undefined ? null : BigInt(row.position)
}

export const createProjectionRunner = (options: ProjectionRunnerOptions): ProjectionRunner => {
  const { name, store, db, projections, logger } = options
  const appliers = projections.map((projection) => projection.open(db))
  const saveCheckpoint = db.prepare(
    'INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
  )

  let position = readCheckpoint(db, name)
  let subscription: Subscription | null = null
  let loop: Promise<void> | null = null
  let failure: string | null = null
  const waiters = new Set<{ readonly target: Position; readonly resolve: (ok: boolean) => void }>()

  const applyOne = db.transaction((envelope: Envelope) => {
    for (const apply of appliers) apply(envelope)
    saveCheckpoint.run(name, envelope.recorded.position.toString())
  })

  const settleWaiters = (): void => {
    for (const waiter of waiters) {
      if (position !== null && position >= waiter.target) {
        waiters.delete(waiter)
        waiter.resolve(true)
      }
    }
  }

  const run = async (sub: Subscription): Promise<void> => {
    try {
      for await (const recorded of sub) {
        // A stored event that does not decode stops the runner: skipping it would make the read models lie.
        const { event, metadata } = decodeRecorded(recorded)
        applyOne({ event, metadata, recorded })
        position = recorded.position
        options.onApplied?.(recorded.position)
        settleWaiters()
      }
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error)
      logger.error({ err: error, projection: name }, 'projection runner stopped')
    }
  }

  return {
    start: () => {
      if (loop !== null) return
      subscription = store.subscribeToAll(position === null ? {} : { from: position })
      loop = run(subscription)
    },
    stop: async () => {
      await subscription?.close()
      await loop
      loop = null
      subscription = null
      for (const waiter of waiters) waiter.resolve(false)
      waiters.clear()
    },
    waitFor: (target, timeoutMs = 2_000) => {
      if (target === null || (position !== null && position >= target)) return Promise.resolve(true)
      return new Promise((resolve) => {
        const waiter = {
          target,
          resolve: (ok: boolean) => {
            clearTimeout(timer)
            resolve(ok)
          },
        }
        const timer = setTimeout(() => {
          waiters.delete(waiter)
          resolve(false)
        }, timeoutMs)
        waiters.add(waiter)
      })
    },
    status: () => ({ running: loop !== null && failure === null, position, error: failure }),
  }
}
