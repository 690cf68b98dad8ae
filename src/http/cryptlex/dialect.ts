// Seed 003's dialect. Cryptlex's Web API answers errors with a JSON body
// holding a machine-readable code and a message for people; for invalid
// input the engine adds `errors`, one entry per failing field, named the
// way the client wrote it (`metadata[0].key`).
import type { FieldError } from '../../domain/validation.js'
import { describeFields, reply, type Dialect, type Problem, type Reply } from '../reply.js'

const CODES: Readonly<Record<number, readonly [code: string, message: string]>> = {
  400: ['BAD_REQUEST', 'The request is not valid.'],
  401: ['UNAUTHORIZED', 'Authentication is required.'],
  403: ['FORBIDDEN', 'This credential may not do this.'],
  404: ['NOT_FOUND', 'Not found.'],
  405: ['METHOD_NOT_ALLOWED', 'This method is not allowed here.'],
  409: ['CONFLICT', 'The request conflicts with the current state.'],
  413: ['PAYLOAD_TOO_LARGE', 'The request body is too large.'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'The request body must be JSON.'],
  422: ['UNPROCESSABLE', 'The request cannot be processed.'],
  500: ['INTERNAL_ERROR', 'An internal error occurred.'],
  503: ['SERVICE_UNAVAILABLE', 'The service is unavailable for now; try again later.'],
}

/** An error with an explicit code. */
export const cryptlexProblem = (status: number, code: string, message: string, fields?: readonly FieldError[]): Reply =>
  reply(status, { code, message, ...(fields === undefined || fields.length === 0 ? {} : { errors: fields }) })

/** Invalid input: VALIDATION_FAILED, the message and `errors` naming each field. */
export const invalid = (fields: readonly FieldError[]): Reply => cryptlexProblem(400, 'VALIDATION_FAILED', describeFields(fields), fields)

export const cryptlexDialect: Dialect = {
  name: 'cryptlex',
  problem: (status: number, problem: Problem = {}) => {
    const [code, message] = CODES[status] ?? ['ERROR', 'The request failed.']
    if (problem.code !== undefined) return cryptlexProblem(status, problem.code, problem.detail ?? message, problem.fields)
    if (problem.fields !== undefined && problem.fields.length > 0) return invalid(problem.fields)
    return cryptlexProblem(status, code, problem.detail ?? message)
  },
}
