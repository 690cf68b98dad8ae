// Read-your-writes on any node. Every reply to a write carries the log
// position of what it wrote (X-Log-Position); a request that sends a position
// back, to whichever node, is answered once that node's read models hold
// everything up to it: bounded, then the dialect's 503 with Retry-After.
import type { Request } from 'express'
import { Unavailable } from '../application/unavailable.js'
import type { Position } from '../store/port.js'
import type { Dialect, Reply } from './reply.js'

export const LOG_POSITION = 'X-Log-Position'

/** Decimal, as positions are written in replies (EventStoreDB's are 128-bit). */
const POSITION = /^\d{1,40}$/

/** Where this node stands in the log, for requests that name a position. */
export interface LogPositions {
  /** Waits until everything this node answers from holds `position`: false when that takes longer than the bound. */
  readonly reach: (position: Position) => Promise<boolean>
  /** The end of the log: a position past it names no write. */
  readonly head: () => Promise<Position | null>
}

/** The reply with the position of what its request wrote, unless it carries one already (a replayed reply's). */
export const withLogPosition = (answer: Reply, position: Position | null): Reply =>
  position === null || answer.headers?.[LOG_POSITION] !== undefined ? answer : { ...answer, headers: { ...answer.headers, [LOG_POSITION]: position.toString() } }

/**
 * For a request naming a log position: waits until this node holds it (null:
 * go on; also when it names none), or the dialect's 400 when it is no position
 * of this log. Throws Unavailable when the node has not reached it in time.
 */
export const awaitLogPosition = async (positions: LogPositions, dialect: Dialect, req: Request): Promise<Reply | null> => {
  const given = req.get(LOG_POSITION)
  if (given === undefined) return null
  const refused = (message: string): Reply => dialect.problem(400, { fields: [{ field: LOG_POSITION, message }] })
  if (!POSITION.test(given)) return refused("must be a log position, as a write's reply gave it")
  const position = BigInt(given)
  const head = await positions.head()
  if (head === null || position > head) return refused('is past the end of the event log')
  if (await positions.reach(position)) return null
  throw new Unavailable(`This node has not caught up with log position ${given} yet; try again shortly.`, 1)
}
