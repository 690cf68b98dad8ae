// Seed 002's dialect. Babel Licensing Service is an ASP.NET Core service (its
// examples send application/json-patch+json), so failures are RFC 7807
// problem details as ASP.NET Core writes them (type, title, status, detail,
// traceId, and `errors` per field for invalid input), plus a machine-readable
// `code` a client can branch on.
import type { FieldError } from '../../domain/validation.js'
import { reply, type Dialect, type Problem, type Reply } from '../reply.js'

export const PROBLEM_JSON = 'application/problem+json'

const STATUS: Readonly<Record<number, readonly [type: string, title: string, code: string]>> = {
  400: ['https://tools.ietf.org/html/rfc9110#section-15.5.1', 'Bad Request', 'BAD_REQUEST'],
  401: ['https://tools.ietf.org/html/rfc9110#section-15.5.2', 'Unauthorized', 'UNAUTHENTICATED'],
  403: ['https://tools.ietf.org/html/rfc9110#section-15.5.4', 'Forbidden', 'FORBIDDEN'],
  404: ['https://tools.ietf.org/html/rfc9110#section-15.5.5', 'Not Found', 'NOT_FOUND'],
  405: ['https://tools.ietf.org/html/rfc9110#section-15.5.6', 'Method Not Allowed', 'METHOD_NOT_ALLOWED'],
  409: ['https://tools.ietf.org/html/rfc9110#section-15.5.10', 'Conflict', 'CONFLICT'],
  413: ['https://tools.ietf.org/html/rfc9110#section-15.5.14', 'Content Too Large', 'PAYLOAD_TOO_LARGE'],
  415: ['https://tools.ietf.org/html/rfc9110#section-15.5.16', 'Unsupported Media Type', 'UNSUPPORTED_MEDIA_TYPE'],
  422: ['https://tools.ietf.org/html/rfc9110#section-15.5.21', 'Unprocessable Content', 'UNPROCESSABLE'],
  429: ['https://tools.ietf.org/html/rfc6585#section-4', 'Too Many Requests', 'TOO_MANY_REQUESTS'],
  500: ['https://tools.ietf.org/html/rfc9110#section-15.6.1', 'An error occurred while processing your request.', 'INTERNAL_ERROR'],
  503: ['https://tools.ietf.org/html/rfc9110#section-15.6.4', 'Service Unavailable', 'UNAVAILABLE'],
}

const VALIDATION_TITLE = 'One or more validation errors occurred.'

const errorsOf = (fields: readonly FieldError[]): Record<string, string[]> => {
  // Field names may come from the client (an unknown member): a record without a prototype holds any of them.
  const errors: Record<string, string[]> = Object.create(null)
  for (const { field, message } of fields) (errors[field] ??= []).push(`${field} ${message}`)
  return errors
}

/** A problem with an explicit machine-readable code. */
export const babelProblem = (status: number, code: string, detail?: string, fields?: readonly FieldError[]): Reply => {
  const [type, title] = STATUS[status] ?? ['about:blank', 'Error']
  const invalid = fields !== undefined && fields.length > 0
  const answer = reply(
    status,
    {
      type,
      title: invalid ? VALIDATION_TITLE : title,
      status,
      ...(detail === undefined ? {} : { detail }),
      code,
      ...(invalid ? { errors: errorsOf(fields) } : {}),
      // The request's id, written in when the problem is sent (reply.ts): null until then.
      traceId: null,
    },
    { 'Content-Type': PROBLEM_JSON },
  )
  return { ...answer, requestIdIn: 'traceId' }
}

export const babelDialect: Dialect = {
  name: 'babel',
  problem: (status: number, problem: Problem = {}) => {
    const invalid = problem.fields !== undefined && problem.fields.length > 0
    const code = problem.code ?? (invalid ? 'VALIDATION_FAILED' : (STATUS[status]?.[2] ?? 'ERROR'))
    return babelProblem(status, code, problem.detail, problem.fields)
  },
}
