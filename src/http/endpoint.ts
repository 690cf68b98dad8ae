// Turns a handler that returns a Reply into an Express handler. Anything the
// handler did not expect becomes the dialect's 500, logged with the request
// id; the client never sees a stack trace. Infrastructure that is unavailable
// for now (application/unavailable.ts) is the dialect's 503 with Retry-After.
// Each request gets a session of its own; a reply to a request that wrote
// carries the log position of its last append (log-position.ts).
import type { Request, RequestHandler, Response } from 'express'
import type { Session } from '../application/session.js'
import { isUnavailable } from '../application/unavailable.js'
import { markWritten } from './access-log.js'
import { awaitLogPosition, withLogPosition, type LogPositions } from './log-position.js'
import { retryLater, send, type Dialect, type Reply } from './reply.js'

/** The dialect's 503 for infrastructure that is unavailable for now, with when to come back. */
export const unavailableReply = (dialect: Dialect, reason: string, retryAfterSeconds: number): Reply =>
  retryLater(dialect.problem(503, { detail: reason }), retryAfterSeconds)

/** What a request's work threw, answered in the dialect. */
const failed = (dialect: Dialect, req: Request, error: unknown): Reply => {
  if (isUnavailable(error)) {
    req.log.warn({ reason: error.reason }, 'unavailable')
    return unavailableReply(dialect, error.reason, error.retryAfterSeconds)
  }
  req.log.error({ err: error }, 'request failed')
  return dialect.problem(500)
}

/** What `work` answers, or what it threw, answered in the dialect. */
const answered = async <A>(dialect: Dialect, req: Request, work: () => Promise<A>): Promise<A | Reply> => {
  try {
    return await work()
  } catch (error) {
    return failed(dialect, req, error)
  }
}

export const endpoint =
  (dialect: Dialect, newSession: () => Session, handler: (req: Request, res: Response, session: Session) => Promise<Reply>): RequestHandler =>
  async (req, res) => {
    const session = newSession()
    // The handler awaited here, not through `answered`: one promise and one closure fewer on every request.
    let answer: Reply
    try {
      answer = await handler(req, res, session)
    } catch (error) {
      answer = failed(dialect, req, error)
    }
    const written = session.written()
    if (written !== null) markWritten(res)
    if (!res.headersSent) send(res, withLogPosition(answer, written))
  }

/** Before any endpoint: a request naming a log position (X-Log-Position) is handled once this node holds it. */
export const atLogPosition =
  (positions: LogPositions, dialectFor: (path: string) => Dialect): RequestHandler =>
  async (req, res, next) => {
    if (req.headers['x-log-position'] === undefined) return next()
    const dialect = dialectFor(req.path)
    const refusal = await answered(dialect, req, () => awaitLogPosition(positions, dialect, req))
    if (refusal === null) next()
    else send(res, refusal)
  }
