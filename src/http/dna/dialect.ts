// Seed 004's dialect (softWORKZ software_DNA): errors are {"Message": "..."};
// the defaults are the seed's own descriptions of each status.
import { reply, type Dialect, type Problem } from '../reply.js'
import type { FieldError } from '../../domain/validation.js'

const DOCUMENTED: Readonly<Record<number, string>> = {
  400: 'One of the parameters was invalid or missing.',
  401: 'Basic Authentication failed - verify that you are using the correct <clientId> and <apiKey> information in the Basic Authentication Header.',
  403: 'Feature Data option is not enabled for this Product - License was not updated.',
  404: 'The <productId> and/or the <licenseId> was not found.',
  405: 'Method not allowed.',
  409: 'A Test Event for an ACTIVE Product was received successfully - the License was not updated as Product is ACTIVE.',
  413: 'The request body is too large.',
  422: 'The request cannot be processed.',
  429: 'You have exceeded the allowed maximum of API Requests in the period - check "X-RateLimit-Reset" for the number of seconds remaining before reset.',
  500: 'An error occurred on the server - try again later. Tech Support has been notified.',
  503: 'The service is unavailable for now - try again later.',
}

/** "UserIp is required; Invalid NewEmail: must be an e-mail address": each parameter named as the seed spells it. */
export const describeParameters = (fields: readonly FieldError[]): string =>
  fields.map(({ field, message }) => (message === 'is required' ? `${field} is required` : `Invalid ${field}: ${message}`)).join('; ')

export const dnaDialect: Dialect = {
  name: 'dna',
  problem: (status: number, problem: Problem = {}) => {
    const fields = problem.fields !== undefined && problem.fields.length > 0 ? describeParameters(problem.fields) : null
    return reply(status, { Message: problem.detail ?? fields ?? DOCUMENTED[status] ?? 'Error.' })
  },
}
