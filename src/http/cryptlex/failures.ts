// What each failure means for a seed 003 client: a status and a code.
import type { AuthFailure } from '../../application/credentials.js'
import type { UsageFailure } from '../../application/license-usage.js'
import type { FieldError } from '../../domain/validation.js'
import type { Reply } from '../reply.js'
import { cryptlexProblem } from './dialect.js'

/** The sent meter attribute a failure is about, as a field name. */
const meterField = (names: readonly string[], name: string, part: 'name' | 'usesIncrement'): FieldError['field'] => {
  const index = names.indexOf(name)
  return index < 0 ? 'meterAttributes' : `meterAttributes[${index}].${part}`
}

/** `meterNames`: the names of the meter attributes the request sent, in order. */
export const usageProblem = (failure: UsageFailure, meterNames: readonly string[] = []): Reply => {
  switch (failure._tag) {
    case 'OrderNotFound':
      return cryptlexProblem(404, 'LICENSE_NOT_FOUND', 'No license has this key.')
    case 'OrderDisabled':
      return cryptlexProblem(403, 'LICENSE_DISABLED', 'The license is disabled.')
    case 'LicenseExpired':
      return cryptlexProblem(403, 'LICENSE_EXPIRED', `The license expired at ${failure.expiredAt}.`)
    case 'ActivationLimitReached':
      return cryptlexProblem(409, 'ACTIVATION_LIMIT_REACHED', `All ${failure.limit} activations of the license are in use.`)
    case 'ActivationNotFound':
      return cryptlexProblem(404, 'ACTIVATION_NOT_FOUND', 'No activation has this id.')
    case 'DeactivationLimitReached':
      return cryptlexProblem(409, 'DEACTIVATION_LIMIT_REACHED', `The license allows ${failure.allowed} deactivations and has none left.`)
    case 'FingerprintMismatch':
      return cryptlexProblem(409, 'FINGERPRINT_MISMATCH', 'The activation is bound to another machine fingerprint.', [
        { field: 'fingerprint', message: 'is not the fingerprint of the machine this activation is bound to' },
      ])
    case 'MeterAttributeNotDefined': {
      const field = meterField(meterNames, failure.name, 'name')
      return cryptlexProblem(400, 'METER_ATTRIBUTE_NOT_DEFINED', `${field} ${failure.name} is not a meter attribute of this license.`, [
        { field, message: `names no meter attribute of this license (${failure.name})` },
      ])
    }
    case 'MeterUsesBelowZero': {
      const field = meterField(meterNames, failure.name, 'usesIncrement')
      return cryptlexProblem(400, 'METER_ATTRIBUTE_USES_BELOW_ZERO', `The uses of ${failure.name} cannot go below zero.`, [
        { field, message: `would take the uses of ${failure.name} below zero` },
      ])
    }
    case 'MeterUsesAboveAllowed': {
      const field = meterField(meterNames, failure.name, 'usesIncrement')
      return cryptlexProblem(409, 'METER_ATTRIBUTE_USES_LIMIT_REACHED', `The license allows ${failure.allowedUses} uses of ${failure.name}.`, [
        { field, message: `would take the uses of ${failure.name} above the ${failure.allowedUses} allowed` },
      ])
    }
    case 'ConcurrencyConflict':
      return cryptlexProblem(409, 'CONFLICT', 'The license changed while this request was being decided; retry it.')
    // Seat and token outcomes: not reachable through seed 003, answered sensibly all the same.
    case 'TokenRevoked':
    case 'ClientMismatch':
      return cryptlexProblem(403, 'FORBIDDEN', 'The license token may not be used.')
    case 'TokenNotFound':
      return cryptlexProblem(404, 'NOT_FOUND', 'Not found.')
    case 'LeaseTooShort':
      return cryptlexProblem(400, 'BAD_REQUEST', `The lease must last at least ${failure.minimum} seconds.`)
  }
}

const AUTH: Readonly<Record<AuthFailure['_tag'], readonly [code: string, message: string]>> = {
  MissingCredentials: ['MISSING_ACCESS_TOKEN', 'Send an access token (an API key) as Authorization: Bearer <token>.'],
  InvalidCredentials: ['INVALID_ACCESS_TOKEN', 'The access token is not valid.'],
  ExpiredCredentials: ['ACCESS_TOKEN_EXPIRED', 'The access token has expired.'],
  RevokedCredentials: ['ACCESS_TOKEN_REVOKED', 'The access token has been revoked.'],
}

export const authProblem = (failure: AuthFailure): Reply => {
  const [code, message] = AUTH[failure._tag]
  const answer = cryptlexProblem(401, code, message)
  return { ...answer, headers: { ...answer.headers, 'WWW-Authenticate': 'Bearer' } }
}
