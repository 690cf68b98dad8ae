// JSON request bodies, with every way a body can be wrong answered in the
// API's own envelope: wrong content type (415), malformed JSON (400),
// oversized (413), nested too deep (400, body-limits.ts). Never a stack trace.
// The common body (a plain JSON media type, UTF-8 or no charset, not
// compressed, its length given and within the limit: what every client of a
// heartbeat sends) is read here directly, as express.json would read it but
// without its generic machinery; any other goes through express.json.
import type { IncomingMessage } from 'node:http'
import express, { type Request, type RequestHandler, type Response } from 'express'
import { nestsDeeperThan, tooDeepDetail } from './body-limits.js'
import { send, type Dialect } from './reply.js'

export interface JsonBodyOptions {
  readonly limit?: string
  /** Accepted media types; seed 002's clients send application/json-patch+json. */
  readonly types?: readonly string[]
}

const hasBody = (headers: Record<string, string | string[] | undefined>): boolean =>
  headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0')

/** '64kb', '256kb', '1mb' or a number of bytes, as express.json reads its limit; null for any other form. */
const limitBytes = (limit: string): number | null => {
  const match = /^(\d+)\s*(b|kb|mb)?$/i.exec(limit)
  if (match === null) return null
  const unit = match[2]?.toLowerCase()
  return Number(match[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1)
}

/** The Content-Type values (lower case) whose bodies are read directly: each exact type alone or with charset=utf-8. */
const plainTypes = (types: readonly string[]): ReadonlySet<string> =>
  new Set(types.filter((type) => !type.includes('*')).flatMap((type) => [type, `${type}; charset=utf-8`]))

/** Whether the body is one read directly: a plain type, not compressed, its length given and within the limit. */
const plainBody = (req: IncomingMessage, plain: ReadonlySet<string>, limit: number): boolean => {
  const { headers } = req
  const type = headers['content-type']
  const length = headers['content-length']
  return (
    type !== undefined &&
    plain.has(type.toLowerCase()) &&
    headers['content-encoding'] === undefined &&
    headers['transfer-encoding'] === undefined &&
    length !== undefined &&
    /^\d{1,9}$/.test(length) &&
    Number(length) <= limit
  )
}

/** The first character of JSON text that is not whitespace, as express.json's strict mode checks it. */
const STRICT_START = /^[\x20\x09\x0a\x0d]*([{[])/

/** The body of a plain request: collected, decoded as UTF-8 (a byte order mark dropped), parsed as express.json would. */
const readPlain = (req: Request, length: number, done: (error: 'unreadable' | 'invalid' | null, body?: unknown) => void): void => {
  const chunks: Buffer[] = []
  let received = 0
  let settled = false
  const settle = (error: 'unreadable' | 'invalid' | null, body?: unknown): void => {
    if (settled) return
    settled = true
    done(error, body)
  }
  // A request aborted before this listened would never say so (its error went unheard): as body-parser does, it is unreadable.
  if (req.destroyed || req.readableEnded) return settle('unreadable')
  req.on('close', () => {
    if (!req.complete) settle('unreadable')
  })
  req.on('data', (chunk: Buffer) => {
    chunks.push(chunk)
    received += chunk.length
  })
  req.on('error', () => settle('unreadable'))
  req.on('end', () => {
    if (received !== length) return settle('unreadable')
    let text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, received).toString('utf8')
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    // Nothing but a byte order mark: an empty object, as express.json takes an empty body.
    if (text === '') return settle(null, {})
    // Only an object or an array, as express.json's strict mode allows.
    if (text[0] !== '{' && text[0] !== '[' && !STRICT_START.test(text)) return settle('invalid')
    try {
      settle(null, JSON.parse(text))
    } catch {
      settle('invalid')
    }
  })
}

export const jsonBody = (dialect: Dialect, options: JsonBodyOptions = {}): RequestHandler => {
  const types = options.types ?? ['application/json', 'application/*+json']
  const parse = express.json({ limit: options.limit ?? '64kb', type: [...types] })
  const plain = plainTypes(types)
  const limit = limitBytes(options.limit ?? '64kb')
  const parsed = (req: Request, res: Response, next: () => void): void => {
    if (nestsDeeperThan(req.body)) return send(res, dialect.problem(400, { detail: tooDeepDetail }))
    next()
  }
  return (req, res, next) => {
    if (!hasBody(req.headers)) {
      req.body = undefined
      return next()
    }
    if (limit !== null && plainBody(req, plain, limit)) {
      return readPlain(req, Number(req.headers['content-length']), (error, body) => {
        if (error !== null) return send(res, dialect.problem(400, { detail: 'the request body is not valid JSON' }))
        req.body = body
        parsed(req, res, next)
      })
    }
    if (req.is([...types]) === false || req.get('content-type') === undefined) {
      return send(res, dialect.problem(415, { detail: `Content-Type must be ${types.join(' or ')}` }))
    }
    parse(req, res, (error?: unknown) => {
      if (error === undefined || error === null) return parsed(req, res, next)
      const type = (error as { type?: string }).type
      if (type === 'entity.too.large') return send(res, dialect.problem(413, { detail: `the request body is larger than ${options.limit ?? '64kb'}` }))
      if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
        return send(res, dialect.problem(415, { detail: 'the request body must be UTF-8 JSON' }))
      }
      return send(res, dialect.problem(400, { detail: 'the request body is not valid JSON' }))
    })
  }
}
