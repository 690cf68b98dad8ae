// The admin API's own dialect: {"error": {"status", "message", "fields"?}}.
import { reply, type Dialect, type Problem } from '../reply.js'

const MESSAGES: Readonly<Record<number, string>> = {
  400: 'The request is not valid.',
  401: 'Authentication is required.',
  403: 'This credential may not do this.',
  404: 'Not found.',
  405: 'Method not allowed.',
  409: 'Conflict.',
  413: 'The request body is too large.',
  415: 'The request body must be JSON.',
  422: 'The request cannot be processed.',
  429: 'Too many requests.',
  500: 'Internal server error.',
  503: 'Service unavailable.',
}

export const adminDialect: Dialect = {
  name: 'admin',
  problem: (status: number, problem: Problem = {}) =>
    reply(status, {
      error: {
        status,
        message: problem.detail ?? MESSAGES[status] ?? 'Error.',
        ...(problem.fields === undefined ? {} : { fields: problem.fields }),
      },
    }),
}
