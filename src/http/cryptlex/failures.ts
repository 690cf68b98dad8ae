// Every failure in seed 003's dialect: the shared meanings (../failures.ts) as
// {code, message, errors?}, and its own wording: access tokens, activations
// by id, and meter attributes named as the request sent them.
import type { AuthFailure } from '../../application/credentials.js'
import type { FieldError } from '../../domain/validation.js'
import { failureMap, withHeader, type Failure } from '../failures.js'
import type { Reply } from '../reply.js'
import { withDenialFields } from '../denial-fields.js'
import { cryptlexProblem, cryptlexDialect as dialect } from './dialect.js'

/** The sent meter attribute a failure is about, as a field name. */
const meterField = (names: readonly string[], name: string, part: 'name' | 'usesIncrement'): FieldError['field'] => {
  const index = names.indexOf(name)
  return index < 0 ? 'meterAttributes' : `meterAttributes[${index}].${part}`
}

const unauthenticated =
  (code: string, message: string) =>
  (_failure: AuthFailure): Reply =>
    withHeader(cryptlexProblem(401, code, message), 'WWW-Authenticate', 'Bearer')

const tokenRefused = (): Reply => cryptlexProblem(403, 'FORBIDDEN', 'The license token may not be used.')

/** `meterNames`: the names of the meter attributes the request sent, in order. */
export const cryptlexFailure = (failure: Failure, meterNames: readonly string[] = []): Reply =>
  withDenialFields(failure, cryptlexAnswer(failure, meterNames))

const cryptlexAnswer = (failure: Failure, meterNames: readonly string[]): Reply =>
  failureMap(dialect, {
    MissingCredentials: unauthenticated('MISSING_ACCESS_TOKEN', 'Send an access token (an API key) as Authorization: Bearer <token>.'),
    InvalidCredentials: unauthenticated('INVALID_ACCESS_TOKEN', 'The access token is not valid.'),
    Forbidden: () => cryptlexProblem(403, 'FORBIDDEN', 'This access token may not act on this license.'),
    ActivationNotFound: () => cryptlexProblem(404, 'ACTIVATION_NOT_FOUND', 'No activation has this id.'),
    FingerprintMismatch: () =>
      cryptlexProblem(409, 'FINGERPRINT_MISMATCH', 'The activation is bound to another machine fingerprint.', [
        { field: 'fingerprint', message: 'is not the fingerprint of the machine this activation is bound to' },
      ]),
    MeterAttributeNotDefined: ({ name }) => {
      const field = meterField(meterNames, name, 'name')
      return cryptlexProblem(400, 'METER_ATTRIBUTE_NOT_DEFINED', `${field} ${name} is not a meter attribute of this license.`, [
        { field, message: `names no meter attribute of this license (${name})` },
      ])
    },
    MeterUsesBelowZero: ({ name }) =>
      cryptlexProblem(400, 'METER_ATTRIBUTE_USES_BELOW_ZERO', `The uses of ${name} cannot go below zero.`, [
        { field: meterField(meterNames, name, 'usesIncrement'), message: `would take the uses of ${name} below zero` },
      ]),
    MeterUsesAboveAllowed: ({ name, allowedUses }) =>
      cryptlexProblem(409, 'METER_ATTRIBUTE_USES_LIMIT_REACHED', `The license allows ${allowedUses} uses of ${name}.`, [
        { field: meterField(meterNames, name, 'usesIncrement'), message: `would take the uses of ${name} above the ${allowedUses} allowed` },
      ]),
    // Seat and token outcomes: not reachable through seed 003, answered sensibly all the same.
    TokenRevoked: tokenRefused,
    ClientMismatch: tokenRefused,
    TokenNotFound: () => cryptlexProblem(404, 'NOT_FOUND', 'Not found.'),
    LeaseTooShort: ({ minimum }) => cryptlexProblem(400, 'BAD_REQUEST', `The lease must last at least ${minimum} seconds.`),
  })(failure)
