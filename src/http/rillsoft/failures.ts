// Every failure in seed 000's dialect: the shared meanings (../failures.ts)
// as {status, code, message, details}, and its own 401s (it names the JWT)
// and 400 for an activation key another license holds.
import { failureMap } from '../failures.js'
import type { Reply } from '../reply.js'
import { rillsoftDialect as dialect } from './dialect.js'

const badToken = (): Reply => dialect.problem(401, { detail: 'JWT token is invalid, expired or revoked' })

export const rillsoftFailure = failureMap(dialect, {
  MissingCredentials: () => dialect.problem(401, { detail: 'JWT token not found' }),
  InvalidCredentials: badToken,
  Forbidden: () => dialect.problem(403),
  OrderNotFound: () => dialect.problem(404, { detail: 'the license order does not exist' }),
  // The seed lists 200, 400, 401, 403, 404 and 500: a key another license holds is invalid input.
  ActivationKeyTaken: ({ key }) => dialect.problem(400, { detail: `Validation error: activationKey ${key} is already in use by another license` }),
})
