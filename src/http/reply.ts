// Handlers return a Reply; one place writes it. Each API dialect renders its
// own error envelope from a Problem, so a handler never formats errors itself.
import type { Response } from 'express'
import type { FieldError } from '../domain/validation.js'

export interface Reply {
  readonly status: number
  /** undefined: no body at all (204, or a documented empty reply). */
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
  /** The body is text to send as it is (with the Content-Type in `headers`), not JSON. */
  readonly raw?: boolean
  /** The member of the body that carries the request's id, written in when the reply is sent (seed 002's traceId). */
  readonly requestIdIn?: string
}

export const reply = (status: number, body?: unknown, headers?: Readonly<Record<string, string>>): Reply => ({
  status,
  ...(body === undefined ? {} : { body }),
  ...(headers === undefined ? {} : { headers }),
})

export interface Problem {
  /** What went wrong, for a machine: the dialects whose envelope has a code use it (babel, cryptlex). */
  readonly code?: string
  /** What went wrong, for a person. */
  readonly detail?: string
  /** The failing fields, as the client named them. */
  readonly fields?: readonly FieldError[]
}

export interface Dialect {
  readonly name: string
  readonly problem: (status: number, problem?: Problem) => Reply
}

/** Up to this many characters, an answer is written as text (head and body together); beyond, as bytes. */
const SMALL_ANSWER = 16_384

/** The reply with the request's id written into the member of its body that carries it. */
export const withRequestIdIn = (answer: Reply, requestId: string): Reply => {
  const { requestIdIn, ...rest } = answer
  if (requestIdIn === undefined || typeof answer.body !== 'object' || answer.body === null) return answer
  return { ...rest, body: { ...answer.body, [requestIdIn]: requestId } }
}

export const send = (res: Response, answer: Reply): void => {
  const requestId = (res.req as { id?: unknown } | undefined)?.id
  const { status, body, headers, raw } = answer.requestIdIn !== undefined && typeof requestId === 'string' ? withRequestIdIn(answer, requestId) : answer
  if (headers === undefined && raw !== true && body !== undefined && status !== 204 && status !== 304 && res.getHeader('Content-Type') === undefined) {
    // The common answer, written directly: what res.json would write, without its settings lookups and header parsing.
    const text = JSON.stringify(body)
    res.statusCode = status
    res.setHeader('Content-Type', 'application/json; charset=utf-8')
    if (text.length <= SMALL_ANSWER) {
      // A small answer (a heartbeat's) as text: Node writes its head and body in one write, not a gathered two.
      res.setHeader('Content-Length', Buffer.byteLength(text, 'utf8'))
      res.end(text, 'utf8')
    } else {
      // One pass from text to bytes: a large answer (info on a thousand seats) is not measured and then encoded apart.
      const bytes = Buffer.from(text, 'utf8')
      res.setHeader('Content-Length', bytes.length)
      res.end(bytes)
    }
    return
  }
  if (headers !== undefined) res.set(headers)
  if (body === undefined) res.status(status).end()
  else if (raw === true) res.status(status).send(String(body))
  else res.status(status).json(body)
}

/** The reply with Retry-After: come back in that many seconds (at least one). */
export const retryLater = (answer: Reply, seconds: number): Reply => ({
  ...answer,
  headers: { ...answer.headers, 'Retry-After': String(Math.max(1, Math.ceil(seconds))) },
})

/** "field: message; field: message", for dialects whose envelope holds one string. */
export const describeFields = (fields: readonly FieldError[]): string =>
  fields.map(({ field, message }) => `${field} ${message}`).join('; ')

/**
 * A CSV line, quoting a field only when it must (RFC 4180). A text field that
 * a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is
 * prefixed with an apostrophe: exports carry end users' text, such as license
 * data, into the vendor's spreadsheets. Numbers are written as they are.
 */
export const csvLine = (fields: readonly (string | number | null)[]): string =>
  fields
    .map((field) => {
      const text = field === null ? '' : typeof field === 'string' && /^[=+\-@\t\r]/.test(field) ? `'${field}` : String(field)
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
    })
    .join(',')

export const csvReply = (filename: string, lines: readonly string[]): Reply => ({
  status: 200,
  body: `${lines.join('\r\n')}\r\n`,
  raw: true,
  headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"` },
})
