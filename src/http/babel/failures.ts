// Every failure in seed 002's dialect: the shared meanings (../failures.ts) as
// problem details with their code, and its own 401s (with WWW-Authenticate)
// and 403 for a key scoped elsewhere. Statuses follow Babel's published error
// codes and the gRPC status each raises, read through the standard gRPC to
// HTTP mapping (README, "Seed 002: Babel's error codes"): a limit reached is
// PermissionDenied (403), as Babel's ServerReachedMaxTokenAllowed.
import type { AuthFailure } from '../../application/credentials.js'
import { withDenialFields } from '../denial-fields.js'
import { failureMap, withHeader, type Failure } from '../failures.js'
import type { Reply } from '../reply.js'
import { babelProblem, babelDialect as dialect } from './dialect.js'

const unauthenticated =
  (code: string, detail: string) =>
  (_failure: AuthFailure): Reply =>
    withHeader(babelProblem(401, code, detail), 'WWW-Authenticate', 'Bearer')

const babelAnswer = failureMap(dialect, {
  MissingCredentials: unauthenticated('MISSING_CREDENTIALS', 'Send an API key as Authorization: Bearer <key> or x-api-key.'),
  InvalidCredentials: unauthenticated('INVALID_CREDENTIALS', 'The API key is not valid.'),
  Forbidden: () => babelProblem(403, 'FORBIDDEN', 'This API key may not act on this license.'),
  DeactivationLimitReached: ({ allowed }) => babelProblem(403, 'DEACTIVATION_LIMIT_REACHED', `The license allows ${allowed} deactivations and has none left.`),
})

/** Every failure in seed 002's dialect; a refusal by a rule names it (denial-fields.ts). */
export const babelFailure = (failure: Failure): Reply => withDenialFields(failure, babelAnswer(failure))
