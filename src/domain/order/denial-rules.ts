// The rule that refused a use of a license, by name: what a denial records
// and what an answer that refuses (seed 002's validate and granted: false,
// seed 003's errors) names, so that "why was I denied?" has one answer in the
// log and on the wire. Names are the license terms (seed 001's) where a term
// decided it.
import type { UsageError } from './usage-errors.js'
import { oneOf } from '../codecs.js'

export const DenialRule = oneOf(
  'activations_allowed',
  'deactivations_allowed',
  'enabled',
  'expiration',
  'token_revoked',
  'token_client',
  'meter_allowed_uses',
  'meter_defined',
  'activation_fingerprint',
)
export type DenialRule = typeof DenialRule._A

/** The rule a usage error is refused by; null: not a refusal by a rule (a thing not found, a bad request). */
export const ruleOf = (error: UsageError): DenialRule | null => {
  switch (error._tag) {
    case 'ActivationLimitReached':
      return 'activations_allowed'
    case 'DeactivationLimitReached':
      return 'deactivations_allowed'
    case 'OrderDisabled':
      return 'enabled'
    case 'LicenseExpired':
      return 'expiration'
    case 'TokenRevoked':
      return 'token_revoked'
    case 'ClientMismatch':
      return 'token_client'
    case 'MeterUsesAboveAllowed':
    case 'MeterUsesBelowZero':
      return 'meter_allowed_uses'
    case 'MeterAttributeNotDefined':
      return 'meter_defined'
    case 'FingerprintMismatch':
      return 'activation_fingerprint'
    case 'OrderNotFound':
    case 'ActivationNotFound':
    case 'TokenNotFound':
    case 'LeaseTooShort':
      return null
  }
}
