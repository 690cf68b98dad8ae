// JSON request bodies, with every way a body can be wrong answered in the
// API's own envelope: wrong content type (415), malformed JSON (400),
// oversized (413), nested too deep (400, body-limits.ts). Never a stack trace.
import express, { type RequestHandler } from 'express'
import { nestsDeeperThan, tooDeepDetail } from './body-limits.js'
import { send, type Dialect } from './reply.js'

export interface JsonBodyOptions {
  readonly limit?: string
  /** Accepted media types; seed 002's clients send application/json-patch+json. */
  readonly types?: readonly string[]
}

const hasBody = (headers: Record<string, string | string[] | undefined>): boolean =>
  headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0')

export const jsonBody = (dialect: Dialect, options: JsonBodyOptions = {}): RequestHandler => {
  const types = options.types ?? ['application/json', 'application/*+json']
  const parse = express.json({ limit: options.limit ?? '64kb', type: [...types] })
  return (req, res, next) => {
    if (!hasBody(req.headers)) {
      req.body = undefined
      return next()
    }
    if (req.is([...types]) === false || req.get('content-type') === undefined) {
      return send(res, dialect.problem(415, { detail: `Content-Type must be ${types.join(' or ')}` }))
    }
    parse(req, res, (error?: unknown) => {
      if (error === undefined || error === null) {
        if (nestsDeeperThan(req.body)) return send(res, dialect.problem(400, { detail: tooDeepDetail }))
        return next()
      }
      const type = (error as { type?: string }).type
      if (type === 'entity.too.large') return send(res, dialect.problem(413, { detail: `the request body is larger than ${options.limit ?? '64kb'}` }))
      if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
        return send(res, dialect.problem(415, { detail: 'the request body must be UTF-8 JSON' }))
      }
      return send(res, dialect.problem(400, { detail: 'the request body is not valid JSON' }))
    })
  }
}
