// Every failure in seed 003's dialect, with Cryptlex's status codes and error
// codes as its clients read them (the official sample client: a limit or a
// license problem is a 400 with a code; 404 only for an activation that does
// not exist, on which a client drops its stored activation; 409
// DEACTIVATION_LIMIT_REACHED). Bodies are {message, code} only.
import type { AuthFailure } from '../../application/credentials.js'
import { failureMap, withHeader, type Failure } from '../failures.js'
import type { Reply } from '../reply.js'
import { withDenialHeaders } from '../denial-fields.js'
import { cryptlexProblem as problem, cryptlexDialect as dialect } from './dialect.js'

const unauthenticated =
  (code: string, message: string) =>
  (_failure: AuthFailure): Reply =>
    withHeader(problem(401, code, message), 'WWW-Authenticate', 'Bearer')

const tokenRefused = (): Reply => problem(403, 'FORBIDDEN', 'The license token may not be used.')

export const activationNotFound = (): Reply => problem(404, 'ACTIVATION_NOT_FOUND', 'No activation has this id.')
export const invalidLicenseKey = (): Reply => problem(400, 'INVALID_LICENSE_KEY', 'No license has this key.')
export const invalidProductId = (): Reply => problem(400, 'INVALID_PRODUCT_ID', 'productId is not the product of this license.')

/** The sent meter attribute a failure is about, as a field name. */
const meterField = (names: readonly string[], name: string, part: 'name' | 'usesIncrement'): string => {
  const index = names.indexOf(name)
  return index < 0 ? 'meterAttributes' : `meterAttributes[${index}].${part}`
}

/** `meterNames`: the names of the meter attributes the request sent, in order (to name the item at fault). */
export const cryptlexFailure = (failure: Failure, meterNames: readonly string[] = []): Reply =>
  withDenialHeaders(failure, cryptlexAnswer(failure, meterNames))

const cryptlexAnswer = (failure: Failure, meterNames: readonly string[]): Reply =>
  failureMap(dialect, {
    // A vendor's Bearer key (activations themselves need none).
    MissingCredentials: unauthenticated('MISSING_ACCESS_TOKEN', 'Send an access token (an API key) as Authorization: Bearer <token>.'),
    InvalidCredentials: unauthenticated('INVALID_ACCESS_TOKEN', 'The access token is not valid.'),
    Forbidden: () => problem(403, 'FORBIDDEN', 'This access token may not act on this license.'),
    UnknownActivationKey: invalidLicenseKey,
    OrderNotFound: invalidLicenseKey,
    // Cryptlex's revoked license is the closest to a disabled one: the client stops using it.
    OrderDisabled: () => problem(400, 'REVOKED_LICENSE', 'The license is revoked (disabled).'),
    LicenseExpired: ({ expiredAt }) => problem(400, 'LICENSE_EXPIRED', `The license expired at ${expiredAt}.`),
    ActivationLimitReached: ({ limit }) => problem(400, 'ACTIVATION_LIMIT_REACHED', `All ${limit} activations of the license are in use.`),
    DeactivationLimitReached: ({ allowed }) => problem(409, 'DEACTIVATION_LIMIT_REACHED', `The license allows ${allowed} deactivations and has none left.`),
    ActivationNotFound: activationNotFound,
    FingerprintMismatch: () => problem(400, 'INVALID_ACTIVATION_FINGERPRINT', 'fingerprint is not the fingerprint of the machine this activation is bound to.'),
    MeterAttributeNotDefined: ({ name }) =>
      problem(400, 'METER_ATTRIBUTE_NOT_FOUND', `${meterField(meterNames, name, 'name')} names no meter attribute of this license (${name}).`),
    MeterUsesBelowZero: ({ name }) =>
      problem(400, 'METER_ATTRIBUTE_USES_BELOW_ZERO', `${meterField(meterNames, name, 'usesIncrement')} would take the uses of ${name} below zero.`),
    MeterUsesAboveAllowed: ({ name, allowedUses }) =>
      problem(400, 'METER_ATTRIBUTE_USES_LIMIT_REACHED', `${meterField(meterNames, name, 'usesIncrement')} would take the uses of ${name} above the ${allowedUses} allowed.`),
    // Seat and token outcomes: not reachable through seed 003, answered sensibly all the same.
    TokenRevoked: tokenRefused,
    ClientMismatch: tokenRefused,
    TokenNotFound: () => problem(404, 'NOT_FOUND', 'Not found.'),
    LeaseTooShort: ({ minimum }) => problem(400, 'BAD_REQUEST', `The lease must last at least ${minimum} seconds.`),
  })(failure)
