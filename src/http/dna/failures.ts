// Every failure in seed 004's dialect: the shared meanings (../failures.ts) as
// {"Message"}, which for seed 004's own outcomes are the seed's texts, and its
// own 401 (Basic) and 500 for a conflict that outlasted every retry.
import type { AuthFailure } from '../../application/credentials.js'
import { authFailureDetail, failureMap, withHeader } from '../failures.js'
import type { Reply } from '../reply.js'
import { dnaDialect as dialect } from './dialect.js'

const basicFailed = (failure: AuthFailure): Reply =>
  withHeader(
    dialect.problem(401, {
      detail: `Basic Authentication failed (${authFailureDetail(failure)}) - verify that you are using the correct <clientId> and <apiKey>.`,
    }),
    'WWW-Authenticate',
    'Basic realm="licensing"',
  )

export const dnaFailure = failureMap(dialect, {
  MissingCredentials: basicFailed,
  InvalidCredentials: basicFailed,
  // Retried many times already: another node keeps changing this license. Our failure, not the request's.
  ConcurrencyConflict: () => dialect.problem(500),
})
