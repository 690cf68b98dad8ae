// What each failure means for a seed 002 client: a status and a code.
import type { AuthFailure } from '../../application/credentials.js'
import type { UsageFailure } from '../../application/license-usage.js'
import type { TokenRejection } from '../../application/license-tokens.js'
import type { Reply } from '../reply.js'
import { babelProblem } from './dialect.js'

export const usageProblem = (failure: UsageFailure): Reply => {
  switch (failure._tag) {
    case 'OrderNotFound':
      return babelProblem(404, 'LICENSE_NOT_FOUND', 'No license has this key.')
    case 'OrderDisabled':
      return babelProblem(403, 'LICENSE_DISABLED', 'The license is disabled.')
    case 'LicenseExpired':
      return babelProblem(403, 'LICENSE_EXPIRED', `The license expired at ${failure.expiredAt}.`)
    case 'ActivationLimitReached':
      return babelProblem(409, 'ACTIVATION_LIMIT_REACHED', `All ${failure.limit} activations of the license are in use.`)
    case 'ActivationNotFound':
      return babelProblem(404, 'NOT_ACTIVATED', 'This client is not activated on this machine.')
    case 'DeactivationLimitReached':
      return babelProblem(409, 'DEACTIVATION_LIMIT_REACHED', `The license allows ${failure.allowed} deactivations and has none left.`)
    case 'TokenRevoked':
      return babelProblem(403, 'TOKEN_REVOKED', `The license token was revoked at ${failure.revokedAt}.`)
    case 'TokenNotFound':
      return babelProblem(404, 'TOKEN_NOT_FOUND', 'The license has no such token.')
    case 'ClientMismatch':
      return babelProblem(403, 'CLIENT_MISMATCH', 'The license token was issued to another client or machine.')
    case 'MeterUsesBelowZero':
      return babelProblem(400, 'METER_USES_BELOW_ZERO', `The uses of ${failure.name} cannot go below zero.`)
    case 'MeterAttributeNotDefined':
      return babelProblem(400, 'METER_ATTRIBUTE_NOT_DEFINED', `The license defines no meter attribute ${failure.name}.`)
    case 'MeterUsesAboveAllowed':
      return babelProblem(409, 'METER_ATTRIBUTE_LIMIT_REACHED', `The license allows ${failure.allowedUses} uses of ${failure.name}.`)
    case 'FingerprintMismatch':
      return babelProblem(409, 'FINGERPRINT_MISMATCH', 'The activation is bound to another machine.')
    case 'LeaseTooShort':
      return babelProblem(400, 'LEASE_TOO_SHORT', `The lease must last at least ${failure.minimum} seconds.`)
    case 'ConcurrencyConflict':
      return babelProblem(409, 'CONFLICT', 'The license changed while this request was being decided; retry it.')
  }
}

const AUTH: Readonly<Record<AuthFailure['_tag'], readonly [code: string, detail: string]>> = {
  MissingCredentials: ['MISSING_CREDENTIALS', 'Send an API key as Authorization: Bearer <key> or x-api-key.'],
  InvalidCredentials: ['INVALID_CREDENTIALS', 'The API key is not valid.'],
  ExpiredCredentials: ['CREDENTIALS_EXPIRED', 'The API key has expired.'],
  RevokedCredentials: ['CREDENTIALS_REVOKED', 'The API key has been revoked.'],
}

export const authProblem = (failure: AuthFailure): Reply => {
  const [code, detail] = AUTH[failure._tag]
  const answer = babelProblem(401, code, detail)
  return { ...answer, headers: { ...answer.headers, 'WWW-Authenticate': 'Bearer' } }
}

export const tokenProblem = (rejection: TokenRejection | { readonly _tag: 'WrongTokenKind' }): Reply =>
  babelProblem(
    400,
    'INVALID_LICENSE_TOKEN',
    rejection._tag === 'WrongTokenKind'
      ? 'The license token is not a floating seat token.'
      : 'The license token is not one this service issued, or it was altered.',
    [{ field: 'licenseToken', message: 'is not a valid license token' }],
  )
