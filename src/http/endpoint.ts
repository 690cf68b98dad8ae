// Turns a handler that returns a Reply into an Express handler. Anything the
// handler did not expect becomes the dialect's 500, logged with the request
// id; the client never sees a stack trace. Infrastructure that is unavailable
// for now (application/unavailable.ts) is the dialect's 503 with Retry-After.
import type { Request, RequestHandler, Response } from 'express'
import { isUnavailable } from '../application/unavailable.js'
import { send, type Dialect, type Reply } from './reply.js'

/** The dialect's 503 for infrastructure that is unavailable for now, with when to come back. */
export const unavailableReply = (dialect: Dialect, reason: string, retryAfterSeconds: number): Reply => {
  const answer = dialect.problem(503, { detail: reason })
  return { ...answer, headers: { ...answer.headers, 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) } }
}

export const endpoint =
  (dialect: Dialect, handler: (req: Request, res: Response) => Promise<Reply>): RequestHandler =>
  async (req, res) => {
    let answer: Reply
    try {
      answer = await handler(req, res)
    } catch (error) {
      if (isUnavailable(error)) {
        req.log.warn({ reason: error.reason }, 'unavailable')
        answer = unavailableReply(dialect, error.reason, error.retryAfterSeconds)
      } else {
        req.log.error({ err: error }, 'request failed')
        answer = dialect.problem(500)
      }
    }
    if (!res.headersSent) send(res, answer)
  }
