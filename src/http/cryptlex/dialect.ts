// Seed 003's dialect, as Cryptlex's Web API answers errors (its official
// OpenAPI document, HttpErrorResponseDto): a JSON body holding a message for
// people and a machine-readable code, and nothing else. For invalid input the
// message names each field the way the client wrote it (`metadata[0].key`).
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
  429: ['TOO_MANY_REQUESTS', 'Too many requests; try again later.'],
  500: ['INTERNAL_ERROR', 'An internal error occurred.'],
  503: ['SERVICE_UNAVAILABLE', 'The service is unavailable for now; try again later.'],
}

/** An error: its code and message, as HttpErrorResponseDto has them. */
export const cryptlexProblem = (status: number, code: string, message: string): Reply => reply(status, { message, code })

/** Invalid input: VALIDATION_FAILED, the message naming each field. */
export const invalid = (fields: readonly FieldError[]): Reply => cryptlexProblem(400, 'VALIDATION_FAILED', describeFields(fields))

export const cryptlexDialect: Dialect = {
  name: 'cryptlex',
  problem: (status: number, problem: Problem = {}) => {
    const [code, message] = CODES[status] ?? ['ERROR', 'The request failed.']
    const text = problem.fields !== undefined && problem.fields.length > 0 ? describeFields(problem.fields) : (problem.detail ?? message)
    if (problem.code !== undefined) return cryptlexProblem(status, problem.code, text)
    if (problem.fields !== undefined && problem.fields.length > 0) return invalid(problem.fields)
    return cryptlexProblem(status, code, text)
  },
}
