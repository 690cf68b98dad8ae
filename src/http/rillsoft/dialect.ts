// Seed 000's dialect (RillSoft Integration Server v2): every response is
// {status, code, message, details}.
import { describeFields, reply, type Dialect, type Problem } from '../reply.js'

const MESSAGES: Readonly<Record<number, readonly [message: string, details: string]>> = {
  400: ['Invalid request', 'Validation error'],
  401: ['Authentication failed', 'JWT token not found'],
  403: ['Access denied', 'Insufficient permissions'],
  404: ['Not found', 'The requested resource was not found'],
  409: ['Conflict', 'The request conflicts with the current state of the resource'],
  413: ['Payload too large', 'The request body is too large'],
  415: ['Unsupported media type', 'The request body must be JSON'],
  422: ['Unprocessable request', 'The request cannot be processed'],
  429: ['Too many requests', 'Too many requests for this credential; retry after the seconds in Retry-After'],
  500: ['Internal server error', 'An internal server error occurred'],
  503: ['Service unavailable', 'The service is unavailable for now; try again later'],
}

const detailsOf = (status: number, problem: Problem): string => {
  const fallback = MESSAGES[status]?.[1] ?? 'Error'
  if (problem.fields !== undefined && problem.fields.length > 0) return `${fallback}: ${describeFields(problem.fields)}`
  return problem.detail ?? fallback
}

export const rillsoftDialect: Dialect = {
  name: 'rillsoft',
  problem: (status: number, problem: Problem = {}) =>
    reply(status, {
      status: 'error',
      code: status,
      message: MESSAGES[status]?.[0] ?? 'Error',
      details: detailsOf(status, problem),
    }),
}

export const rillsoftSuccess = reply(200, {
  status: 'success',
  code: 200,
  message: 'Operation completed successfully',
  details: [],
})
