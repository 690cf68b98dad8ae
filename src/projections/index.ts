// The read models the HTTP API answers from, kept by one runner and one
// checkpoint in a SQLite file beside the log. Until they have caught up with
// the log (at start, after they were deleted, say), they are being rebuilt:
// /healthz says how far, and a request that needs them is told to come back
// (Unavailable) rather than answered from half a history.
import type Database from 'better-sqlite3'
import type { Logger } from 'pino'
import { Unavailable } from '../application/unavailable.js'
import { furthest, type EventStore, type Position } from '../store/port.js'
import { activationReader, activationsProjection } from './activations.js'
import { apiKeyReader, apiKeysProjection } from './api-keys.js'
import { auditProjection } from './audit.js'
import { auditReader } from './audit-reader.js'
import { describeEstimate, estimate, type CatchUpProgress } from './catch-up.js'
import { customerReader, customersProjection, productTemplateReader, productTemplatesProjection } from './customers.js'
import { licenseOrderReader, licenseOrdersProjection } from './license-orders.js'
import { productReader } from './products.js'
import type { Projection } from './projection.js'
import { ensureBuiltBy } from './read-model-set.js'
import { openReadStore } from './read-store.js'
import { seatLeaseReader, seatLeasesProjection } from './seat-leases.js'
import { seatTenureReader, seatTenuresProjection } from './seat-tenures.js'
import { createProjectionRunner, readCheckpoint } from './runner.js'

export const READ_MODELS = 'read-models'

export const readModelProjections: readonly Projection[] = [
  customersProjection,
  productTemplatesProjection,
  licenseOrdersProjection,
  apiKeysProjection,
  seatLeasesProjection,
  seatTenuresProjection,
  activationsProjection,
  auditProjection,
]

export const readersOf = (db: Database.Database, store: EventStore) => ({
  customers: customerReader(db),
  productTemplates: productTemplateReader(db),
  licenseOrders: licenseOrderReader(db),
  apiKeys: apiKeyReader(db),
  seatLeases: seatLeaseReader(db),
  seatTenures: seatTenureReader(db),
  products: productReader(db),
  activations: activationReader(db),
  audit: auditReader(db, store),
})

export interface ReadModelsOptions {
  readonly store: EventStore
  readonly path: string
  readonly logger: Logger
  /** The furthest position this process wrote: reads wait for it (read-your-writes). */
  readonly lastAppended: () => Position | null
  /** The head of the log when the engine started: how far a rebuild has to go (omitted: progress is not estimated). */
  readonly headAtStart?: Position | null
}

/** While catching up, how long a request waits for the read models before it is told to come back: long enough for a few events left over from the last run. */
const CATCHING_UP_WAIT_MS = 250
/** Events committed at once while catching up: nobody reads the read models until they have caught up. */
const CATCH_UP_TRANSACTION = 50_000
/**
 * Following the log, the events gathered into one commit of the read models:
 * under a stream of writes a commit (and the order rows it rewrites) is paid
 * once per window, not once per group the log commits; a read waits no longer
 * (`fresh` ends the window).
 */
const LIVE_WINDOW_MS = 50
/** How often a rebuild's progress is logged. */
const LOG_EVERY_MS = 10_000

export const createReadModels = ({ store, path, logger, lastAppended, headAtStart = null }: ReadModelsOptions) => {
  const db = openReadStore(path)
  const rebuilt = ensureBuiltBy(db, READ_MODELS, readModelProjections)
  if (rebuilt !== null) logger.warn({ builtBy: rebuilt }, 'the read models were built by other projections: rebuilding them from the log')

  // Behind the log as it stood at start (deleted, rebuilt, or left behind): nobody reads them until they have
  // caught up, so the runner may commit many chunks at once, as replay does.
  const start = readCheckpoint(db, READ_MODELS)
  let caughtUp = headAtStart === null || (start !== null && start >= headAtStart)
  const startedAt = performance.now()
  let progress: CatchUpProgress | null = null
  let lastLogged = startedAt
  const rebuild = (): string => {
    if (progress === null || headAtStart === null) return 'starting'
    return describeEstimate(estimate(progress, headAtStart, performance.now() - startedAt))
  }
  const runner = createProjectionRunner({
    name: READ_MODELS,
    store,
    db,
    projections: readModelProjections,
    logger,
    liveWindowMs: LIVE_WINDOW_MS,
    ...(caughtUp ? {} : { catchUpTransaction: CATCH_UP_TRANSACTION }),
    onChunk: ({ first, position, events }) => {
      if (caughtUp) return
      progress = { events: (progress?.events ?? 0) + events, first: progress?.first ?? first, position }
      if (performance.now() - lastLogged > LOG_EVERY_MS) {
        lastLogged = performance.now()
        logger.info({ progress: rebuild() }, 'rebuilding the read models from the log')
      }
    },
  })
  /** Resolves once the read models have caught up with the log: true, or false when the runner stopped first. */
  const catchingUp: Promise<boolean> = caughtUp
    ? Promise.resolve(true)
    : runner.caughtUp().then((ok) => {
        caughtUp = ok
        if (ok) logger.info({ events: progress?.events ?? 0, seconds: Math.round((performance.now() - startedAt) / 1000) }, 'the read models have caught up with the log')
        return ok
      })

  const unavailable = (): Unavailable => {
    const left = progress === null || headAtStart === null ? 5 : estimate(progress, headAtStart, performance.now() - startedAt).secondsLeft
    return new Unavailable(`The read models are being rebuilt from the event log (${rebuild()}); try again later.`, Math.min(60, Math.max(1, left)))
  }

  return {
    ...readersOf(db, store),
    runner,
    /**
     * Waits until the read models hold every write this process made, and
     * `after` (a position a client wrote at, on any node), if given; bounded
     * (by `timeoutMs`, else the runner's default): a lagging runner does not
     * block reads forever. Throws Unavailable while they are still being rebuilt.
     */
    fresh: async (after: Position | null = null, timeoutMs?: number): Promise<boolean> => {
      if (!caughtUp && !(await runner.caughtUp(CATCHING_UP_WAIT_MS))) throw unavailable()
      return runner.waitFor(furthest(lastAppended(), after), timeoutMs)
    },
    /** Resolves once the read models have caught up with the log (false: the runner stopped first). */
    caughtUp: (): Promise<boolean> => catchingUp,
    /** For /healthz: failed, rebuilding (how far), or following the log (where). */
    health: (): { readonly ok: boolean; readonly detail: string } => {
      const { error, position } = runner.status()
      if (error !== null) return { ok: false, detail: error }
      if (!caughtUp) return { ok: false, detail: `rebuilding the read models from the log: ${rebuild()}` }
      return { ok: true, detail: `at position ${position ?? 'start'}` }
    },
    close: async (): Promise<void> => {
      await runner.stop()
      db.close()
    },
  }
}
export type ReadModels = ReturnType<typeof createReadModels>
