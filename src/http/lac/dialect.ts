// Seed 001's dialect (X-Formation LAC, a Django REST Framework service):
// errors are {"detail": "..."}; invalid data also lists the failing fields,
// each with its messages, under "errors".
import type { Dialect, Problem } from '../reply.js'
import { reply } from '../reply.js'

const DOCUMENTED: Readonly<Record<number, string>> = {
  400: 'Invalid data.',
  403: 'Invalid or expired token provided.',
  404: 'License order activation key does not exist.',
  409: 'Conflict.',
  413: 'Request body too large.',
  415: 'Unsupported media type.',
  422: 'Unprocessable request.',
  429: 'Request was throttled.',
  500: 'Internal server error.',
  503: 'Service unavailable.',
}

export const lacDialect: Dialect = {
  name: 'lac',
  problem: (status: number, problem: Problem = {}) => {
    const detail = problem.detail ?? DOCUMENTED[status] ?? 'Error.'
    if (problem.fields === undefined || problem.fields.length === 0) return reply(status, { detail })
    // Field names may come from the client (an unknown member): a record without a prototype holds any of them.
    const errors: Record<string, string[]> = Object.create(null)
    for (const { field, message } of problem.fields) (errors[field] ??= []).push(message)
    return reply(status, { detail: problem.detail ?? DOCUMENTED[status] ?? 'Invalid data.', errors })
  },
}
