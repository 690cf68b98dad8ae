// Turns a handler that returns a Reply into an Express handler. Anything the
// handler did not expect becomes the dialect's 500, logged with the request
// id; the client never sees a stack trace.
import type { Request, RequestHandler, Response } from 'express'
import { send, type Dialect, type Reply } from './reply.js'

export const endpoint =
  (dialect: Dialect, handler: (req: Request, res: Response) => Promise<Reply>): RequestHandler =>
  async (req, res) => {
    let answer: Reply
    try {
      answer = await handler(req, res)
    } catch (error) {
      req.log.error({ err: error }, 'request failed')
      answer = dialect.problem(500)
    }
    if (!res.headersSent) send(res, answer)
  }
