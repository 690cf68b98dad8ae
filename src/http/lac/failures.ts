// Every failure in seed 001's dialect: the shared meanings (../failures.ts)
// as {"detail"}, and what the seed words its own way: 403 for a bad token,
// 404 with its text for an unknown activation key.
import type { AuthFailure } from '../../application/credentials.js'
import { authFailureDetail, failureMap } from '../failures.js'
import type { Reply } from '../reply.js'
import { lacDialect as dialect } from './dialect.js'

const invalidToken = (failure: AuthFailure): Reply => dialect.problem(403, { detail: `Invalid or expired token provided: ${authFailureDetail(failure)}.` })
const unknownKey = (): Reply => dialect.problem(404)

export const lacFailure = failureMap(dialect, {
  MissingCredentials: invalidToken,
  InvalidCredentials: invalidToken,
  Forbidden: () => dialect.problem(403, { detail: 'This token may not act on this license order.' }),
  UnknownActivationKey: unknownKey,
  OrderNotFound: unknownKey,
  TokenNotFound: () => dialect.problem(404, { detail: 'This license order has no such token.' }),
  LeaseTooShort: (f) => dialect.problem(400, { fields: [{ field: 'lease_seconds', message: `must be at least ${f.minimum} (two and a half heartbeat intervals)` }] }),
})
