// "Why was I denied?" on the wire: an answer that refuses names the rule that
// refused it (and, where the refusal was recorded, the denial's id, which
// GET /license-orders/{key}/denials/{id} explains). Added to a dialect's own
// envelope as extra members, so the envelopes stay as their seeds define them.
import type { Failure } from '../application/failures.js'
import { ruleOf } from '../domain/order/denial-rules.js'
import type { StandingCode } from '../domain/order/standing.js'
import type { UsageError } from '../domain/order/usage-errors.js'
import type { Reply } from './reply.js'

const USAGE_TAGS: ReadonlySet<string> = new Set<UsageError['_tag']>([
  'OrderNotFound', 'OrderDisabled', 'LicenseExpired', 'ActivationLimitReached', 'ActivationNotFound', 'DeactivationLimitReached',
  'TokenRevoked', 'TokenNotFound', 'ClientMismatch', 'MeterAttributeNotDefined', 'MeterUsesBelowZero', 'MeterUsesAboveAllowed',
  'FingerprintMismatch', 'LeaseTooShort',
])

const isUsageError = (failure: Failure): failure is Failure & UsageError => USAGE_TAGS.has(failure._tag)

/** The answer with `rule` (and `denialId`, when the failure carries one) added to its body. */
export const withDenialFields = (failure: Failure, answer: Reply): Reply => {
  if (!isUsageError(failure)) return answer
  const rule = ruleOf(failure)
  const body = answer.body
  if (rule === null || typeof body !== 'object' || body === null || Array.isArray(body)) return answer
  const denialId = (failure as { readonly denialId?: string }).denialId
  return { ...answer, body: { ...body, rule, ...(denialId === undefined ? {} : { denialId }) } }
}

/**
 * The same as headers (`X-Denial-Rule`, `X-Denial-Id`), for a dialect whose error body allows no member of ours
 * (seed 003: Cryptlex's error schema is `{message, code}` and nothing else).
 */
export const withDenialHeaders = (failure: Failure, answer: Reply): Reply => {
  if (!isUsageError(failure)) return answer
  const rule = ruleOf(failure)
  if (rule === null) return answer
  const denialId = (failure as { readonly denialId?: string }).denialId
  return { ...answer, headers: { ...answer.headers, 'X-Denial-Rule': rule, ...(denialId === undefined ? {} : { 'X-Denial-Id': denialId }) } }
}

/** The rule behind seed 002's validate codes (null: valid). */
export const standingRule = (code: StandingCode): string | null => {
  switch (code) {
    case 'VALID':
      return null
    case 'DISABLED':
      return 'enabled'
    case 'EXPIRED':
      return 'expiration'
    case 'HEARTBEAT_DEAD':
      return 'lease'
    case 'TOKEN_REVOKED':
      return 'token_revoked'
    case 'FINGERPRINT_MISMATCH':
      return 'activation_fingerprint'
    case 'NO_SEAT':
      return 'seat_required'
    case 'NOT_ACTIVATED':
      return 'activation_required'
  }
}
