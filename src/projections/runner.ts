// The projection runner: applies the log to read models from its checkpoint,
// with the checkpoint in each transaction. It catches up as replay does
// (chunks read from the log, a turn of the event loop between them, so the
// server keeps answering), then follows the log live, committing whatever
// has arrived in one transaction: at the end of the turn of the event loop, or,
// with a live window, once the window has passed or a reader waits for it
// (under a stream of writes, one commit then covers many of the log's
// groups instead of each: a commit and the rows it rewrites cost per
// transaction, not per event). After a restart it resumes where it stopped; with an
// empty read store it rebuilds everything from the start of the log.
import type Database from 'better-sqlite3'
import type { Logger } from 'pino'
import type { EventStore, Position, Subscription } from '../store/port.js'
import { arrived, createBatchApplier, endOfTurn, logChunks, readCheckpoint, type BatchApplierOptions, type Committed } from './batch.js'
import type { Projection } from './projection.js'

export { readCheckpoint } from './batch.js'

export interface RunnerStatus {
  readonly running: boolean
  /** Caught up with the log (its catch-up read found nothing more) and following it live. */
  readonly live: boolean
  readonly position: Position | null
  readonly error: string | null
}

export interface ProjectionRunner {
  readonly start: () => void
  readonly stop: () => Promise<void>
  /**
   * Resolves true once every event up to `position` is applied, false if that
   * takes longer than `timeoutMs` (null: no limit) or the runner stops first.
   */
  readonly waitFor: (position: Position | null, timeoutMs?: number | null) => Promise<boolean>
  /** Resolves true once the runner follows the log live, false if that takes longer than `timeoutMs` (null: no limit) or it stops first. */
  readonly caughtUp: (timeoutMs?: number | null) => Promise<boolean>
  readonly status: () => RunnerStatus
}

export interface ProjectionRunnerOptions {
  readonly name: string
  readonly store: EventStore
  readonly db: Database.Database
  readonly projections: readonly Projection[]
  readonly logger: Logger
  /** See BatchApplierOptions. */
  readonly eventByEvent?: BatchApplierOptions['eventByEvent']
  /** Events read from the log at once (default 1,000). */
  readonly chunkSize?: number
  /**
   * While catching up, the events committed at once (default: one chunk). A
   * transaction then spans the turns of the event loop between its chunks, so
   * only a runner whose database nobody reads until it has caught up may use more.
   */
  readonly catchUpTransaction?: number
  /**
   * Following the log live, how long the events that arrive are gathered into
   * one transaction, from the first of them (default 0: to the end of the turn
   * of the event loop it arrived in). A `waitFor` that has to wait ends the
   * window at once: nobody waits for the read models longer for it.
   */
  readonly liveWindowMs?: number
  /** Called after each commit (metrics, waking whoever reads the result). */
  readonly onApplied?: (committed: Committed) => void
  /** Called after each chunk is applied, before it is committed (progress). */
  readonly onChunk?: (chunk: Committed) => void
}

export const createProjectionRunner = (options: ProjectionRunnerOptions): ProjectionRunner => {
  const { name, store, db, projections, logger } = options
  const chunkSize = options.chunkSize ?? 1_000
  const { applyChunks, createIndexes } = createBatchApplier({ db, name, projections, eventByEvent: options.eventByEvent ?? false })

  let position = readCheckpoint(db, name)
  let live = false
  let stopping = false
  let subscription: Subscription | null = null
  let loop: Promise<void> | null = null
  let failure: string | null = null
  const waiters = new Set<{ readonly reached: () => boolean; readonly resolve: (ok: boolean) => void }>()
  const liveWindowMs = options.liveWindowMs ?? 0
  /** Ends the live window now open, if one is (at the end of this turn, so that what arrived in it goes too). */
  let hurry: (() => void) | null = null
  const windowCloses = (): Promise<void> =>
    liveWindowMs <= 0 || waiters.size > 0 || stopping
      ? endOfTurn()
      : new Promise((resolve) => {
          // This window's own: a timer of a window already closed must not take the next one's away.
          const mine = (): void => {
            clearTimeout(timer)
            if (hurry === mine) hurry = null
            setImmediate(resolve)
          }
          const timer = setTimeout(() => {
            if (hurry === mine) hurry = null
            resolve()
          }, liveWindowMs)
          hurry = mine
        })

  const settleWaiters = (): void => {
    for (const waiter of waiters) if (waiter.reached()) waiter.resolve(true)
  }
  const committed = (commit: Committed): void => {
    position = commit.position
    options.onApplied?.(commit)
    settleWaiters()
  }
  const wait = (reached: () => boolean, timeoutMs: number | null): Promise<boolean> => {
    if (reached()) return Promise.resolve(true)
    if (failure !== null || stopping) return Promise.resolve(false)
    return new Promise((resolve) => {
      const timer = timeoutMs === null ? null : setTimeout(() => waiter.resolve(false), timeoutMs)
      const waiter = {
        reached,
        resolve: (ok: boolean) => {
          if (timer !== null) clearTimeout(timer)
          waiters.delete(waiter)
          resolve(ok)
        },
      }
      waiters.add(waiter)
      hurry?.()
    })
  }

  const run = async (): Promise<void> => {
    const stop = (): boolean => stopping
    const applied = options.onChunk
    try {
      await applyChunks(logChunks(store, position, null, chunkSize), { transactionSize: options.catchUpTransaction ?? 1, committed, applied, stop, readAlone: true })
      if (stopping) return
      createIndexes()
      live = true
      settleWaiters()
      subscription = store.subscribeToAll({ ...(position === null ? {} : { from: position }), name })
      await applyChunks(arrived(subscription, chunkSize, windowCloses), { transactionSize: 1, committed, applied, stop })
    } catch (error) {
      // A stored event that does not decode stops the runner: skipping it would make the read models lie.
      failure = error instanceof Error ? error.message : String(error)
      logger.error({ err: error, projection: name }, 'projection runner stopped')
      for (const waiter of waiters) waiter.resolve(false)
    }
  }

  return {
    start: () => {
      if (loop !== null) return
      stopping = false
      loop = run()
    },
    stop: async () => {
      stopping = true
      hurry?.()
      await subscription?.close()
      await loop
      loop = null
      subscription = null
      for (const waiter of waiters) waiter.resolve(false)
    },
    waitFor: (target, timeoutMs = 2_000) => wait(() => target === null || (position !== null && position >= target), timeoutMs),
    caughtUp: (timeoutMs = null) => wait(() => live, timeoutMs),
    status: () => ({ running: loop !== null && failure === null, live, position, error: failure }),
  }
}
