// The seat sweeper: a background job that writes the expiry of seats whose
// lease ran out while nobody asked about their license (a decision on the
// order writes it too, first thing). It runs once at start, so leases that
// ran out while the engine was down are expired when it comes back, then
// every interval. The read model only says where to look; each expiry is
// decided on the seat's own stream (a renewal there first wins), then recorded
// on the order's, at the time the lease ended. It also records the ends a
// seat's stream has and its order does not yet (a crash between the two).
import * as E from 'fp-ts/Either'
import type { Logger } from 'pino'
import { v4 as uuid } from 'uuid'
import type { LicenseUsage } from './license-usage.js'
import { systemMeta } from './metadata.js'
import type { Session } from './session.js'

export interface SeatSweeperOptions {
  readonly usage: Pick<LicenseUsage, 'expireLapsed'>
  /** A unit of work for each order swept. */
  readonly session: () => Session
  /** Orders that hold a seat whose lease ended at or before `now` (at most `limit`); one still in its grace is expired on a later pass. */
  readonly lapsedOrders: (now: Date, limit: number) => readonly string[]
  /** Resolves once the read model has caught up with the log. */
  readonly caughtUp: () => Promise<unknown>
  readonly clock: () => Date
  /** 0: no periodic sweep (the one at start still runs). */
  readonly intervalMs: number
  readonly logger: Logger
  readonly batchSize?: number
  /** Whether this node sweeps now (it leads the seat-sweeper role, when several nodes share the log). Absent: always. */
  readonly leading?: () => boolean
}

export interface SeatSweeper {
  /** One pass; resolves with the number of seats expired. */
  readonly sweep: () => Promise<number>
  readonly start: () => void
  readonly stop: () => Promise<void>
}

export const createSeatSweeper = (options: SeatSweeperOptions): SeatSweeper => {
  const { usage, session, lapsedOrders, caughtUp, clock, intervalMs, logger } = options
  const batchSize = options.batchSize ?? 500
  let timer: NodeJS.Timeout | null = null
  let running: Promise<number> | null = null

  const leading = options.leading ?? (() => true)

  const pass = async (): Promise<number> => {
    if (!leading()) return 0
    await caughtUp()
    const meta = systemMeta('seat-sweeper', uuid())
    let expired = 0
    for (const orderId of lapsedOrders(clock(), batchSize)) {
      const outcome = await usage.expireLapsed(session(), { type: 'ExpireLapsedSeats', orderId }, meta)
      if (E.isRight(outcome)) expired += outcome.right
      else if (outcome.left._tag !== 'OrderNotFound') logger.warn({ orderId, failure: outcome.left._tag }, 'seat sweeper could not expire lapsed seats')
    }
    if (expired > 0) logger.info({ expired, correlationId: meta.correlationId }, 'seat sweeper expired lapsed seats')
    return expired
  }

  // One pass at a time: a slow pass is not overlapped by the next tick.
  const sweep = (): Promise<number> => {
    running ??= pass().finally(() => {
      running = null
    })
    return running
  }

  return {
    sweep,
    start: () => {
      if (timer !== null || intervalMs <= 0) return
      timer = setInterval(() => {
        sweep().catch((error: unknown) => logger.error({ err: error }, 'seat sweeper failed'))
      }, intervalMs)
      timer.unref()
    },
    stop: async () => {
      if (timer !== null) clearInterval(timer)
      timer = null
      await running?.catch(() => undefined)
    },
  }
}
