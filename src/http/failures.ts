// What each application failure means for a client, before any dialect
// renders it: a status, a machine-readable code and a text for a person (or
// the fields at fault). The texts several dialects share are written here,
// once, in a record keyed by every failure's tag: a failure added to the
// application without a meaning here does not compile. Each API's own
// failures.ts maps every failure, to this meaning in its envelope or to an
// answer of its own; there is no default that could leak an internal tag.
import type { AuthFailure } from '../application/credentials.js'
import type { Failure, FailureOf, FailureTag } from '../application/failures.js'
import type { Dialect, Problem, Reply } from './reply.js'

export type { Failure }

export interface Meaning extends Problem {
  readonly status: number
}

/** How a dialect answers each failure. */
export type FailureMap = { readonly [K in FailureTag]: (failure: FailureOf<K>) => Reply }

type Meanings = { readonly [K in FailureTag]: (failure: FailureOf<K>) => Meaning }

/** Written in the eight places that answered it before: another writer got there first, and the request may simply be sent again. */
const CONFLICT_TEXT = 'The data changed while this request was being decided; retry it.'

/** What is wrong with a credential, for the dialects that say it in their own sentence (never whether it was revoked or expired). */
export const authFailureDetail = (failure: AuthFailure): string => {
  switch (failure._tag) {
    case 'MissingCredentials':
      return 'no credentials were provided'
    case 'InvalidCredentials':
      return 'the credentials are not valid'
  }
}

const unauthenticated = (code: string) => (failure: AuthFailure): Meaning => ({ status: 401, code, detail: `Authentication failed: ${authFailureDetail(failure)}.` })

const invalidToken = (detail: string): Meaning => ({
  status: 400,
  code: 'INVALID_LICENSE_TOKEN',
  detail,
  fields: [{ field: 'licenseToken', message: 'is not a valid license token' }],
})

const meanings: Meanings = {
  MissingCredentials: unauthenticated('MISSING_CREDENTIALS'),
  InvalidCredentials: unauthenticated('INVALID_CREDENTIALS'),
  Forbidden: () => ({ status: 403, code: 'FORBIDDEN', detail: 'This credential may not act on this license.' }),
  ConcurrencyConflict: () => ({ status: 409, code: 'CONFLICT', detail: CONFLICT_TEXT }),
  // License orders (seeds 000 and 001).
  UnknownActivationKey: () => ({ status: 404, code: 'LICENSE_NOT_FOUND', detail: 'No license has this key.' }),
  OrderNotFound: () => ({ status: 404, code: 'LICENSE_NOT_FOUND', detail: 'No license has this key.' }),
  OrderAlreadyExists: () => ({ status: 409, code: 'LICENSE_EXISTS', detail: 'the license order already exists' }),
  UnknownCustomer: (f) => ({ status: 400, code: 'VALIDATION_FAILED', fields: [{ field: 'customer_id', message: `customer ${f.customerId} does not exist` }] }),
  UnknownProductTemplate: (f) => ({
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: [{ field: 'product_template_id', message: `product template ${f.productTemplateId} does not exist` }],
  }),
  ActivationKeyTaken: (f) => ({ status: 409, code: 'ACTIVATION_KEY_TAKEN', detail: `activation key ${f.key} is already in use by another license order` }),
  // A license's use (seeds 002 and 003).
  OrderDisabled: () => ({ status: 403, code: 'LICENSE_DISABLED', detail: 'The license is disabled.' }),
  LicenseExpired: (f) => ({ status: 403, code: 'LICENSE_EXPIRED', detail: `The license expired at ${f.expiredAt}.` }),
  ActivationLimitReached: (f) => ({ status: 409, code: 'ACTIVATION_LIMIT_REACHED', detail: `All ${f.limit} activations of the license are in use.` }),
  ActivationNotFound: () => ({ status: 404, code: 'NOT_ACTIVATED', detail: 'This client is not activated on this machine.' }),
  DeactivationLimitReached: (f) => ({
    status: 409,
    code: 'DEACTIVATION_LIMIT_REACHED',
    detail: `The license allows ${f.allowed} deactivations and has none left.`,
  }),
  TokenRevoked: (f) => ({ status: 403, code: 'TOKEN_REVOKED', detail: `The license token was revoked at ${f.revokedAt}.` }),
  TokenNotFound: () => ({ status: 404, code: 'TOKEN_NOT_FOUND', detail: 'The license has no such token.' }),
  ClientMismatch: () => ({ status: 403, code: 'CLIENT_MISMATCH', detail: 'The license token was issued to another client or machine.' }),
  MeterUsesBelowZero: (f) => ({ status: 400, code: 'METER_USES_BELOW_ZERO', detail: `The uses of ${f.name} cannot go below zero.` }),
  MeterAttributeNotDefined: (f) => ({ status: 400, code: 'METER_ATTRIBUTE_NOT_DEFINED', detail: `The license defines no meter attribute ${f.name}.` }),
  MeterUsesAboveAllowed: (f) => ({ status: 409, code: 'METER_ATTRIBUTE_LIMIT_REACHED', detail: `The license allows ${f.allowedUses} uses of ${f.name}.` }),
  FingerprintMismatch: () => ({ status: 409, code: 'FINGERPRINT_MISMATCH', detail: 'The activation is bound to another machine.' }),
  LeaseTooShort: (f) => ({ status: 400, code: 'LEASE_TOO_SHORT', detail: `The lease must last at least ${f.minimum} seconds.` }),
  InvalidToken: () => invalidToken('The license token is not one this service issued, or it was altered.'),
  WrongTokenKind: () => invalidToken('The license token is not a floating seat token.'),
  TokenLicenseNotFound: () => ({ status: 404, code: 'LICENSE_NOT_FOUND', detail: 'The license of this token no longer exists.' }),
  // Seed 004's license updates: the dialect's own texts are the seed's.
  LicenseNotFound: () => ({ status: 404, code: 'LICENSE_NOT_FOUND' }),
  LicenseDataNotEnabled: () => ({ status: 403, code: 'LICENSE_DATA_NOT_ENABLED' }),
  TestEventOnActiveProduct: () => ({ status: 409, code: 'TEST_EVENT_ON_ACTIVE_PRODUCT' }),
  // The admin API's resources.
  ApiKeyAlreadyExists: () => ({ status: 409, code: 'API_KEY_EXISTS', detail: 'the API key already exists' }),
  ApiKeyNotFound: () => ({ status: 404, code: 'NOT_FOUND', detail: 'no such API key' }),
  ApiKeyExpiryInPast: () => ({ status: 400, code: 'VALIDATION_FAILED', fields: [{ field: 'expires_at', message: 'must be in the future' }] }),
  CustomerAlreadyExists: () => ({ status: 409, code: 'CUSTOMER_EXISTS', detail: 'the customer already exists' }),
  CustomerNotFound: (f) => ({ status: 404, code: 'NOT_FOUND', detail: `customer ${f.customerId} does not exist` }),
  ProductTemplateAlreadyExists: () => ({ status: 409, code: 'PRODUCT_TEMPLATE_EXISTS', detail: 'the product template already exists' }),
  WebhookEndpointAlreadyExists: () => ({ status: 409, code: 'WEBHOOK_ENDPOINT_EXISTS', detail: 'the webhook endpoint already exists' }),
  WebhookEndpointNotFound: () => ({ status: 404, code: 'NOT_FOUND', detail: 'no such webhook endpoint' }),
}

/** A failure's shared meaning. */
const meaningOf = (failure: Failure): Meaning => (meanings[failure._tag] as (f: Failure) => Meaning)(failure)

/**
 * A dialect's answer to every failure: the answers it gives in its own words
 * (`own`), and every other failure's shared meaning in its envelope.
 */
export const failureMap =
  (dialect: Dialect, own: Partial<FailureMap>) =>
  (failure: Failure): Reply => {
    const answer = own[failure._tag] as ((f: Failure) => Reply) | undefined
    if (answer !== undefined) return answer(failure)
    const { status, ...problem } = meaningOf(failure)
    return dialect.problem(status, problem)
  }

/** Adds a header to an answer (WWW-Authenticate, say). */
export const withHeader = (answer: Reply, name: string, value: string): Reply => ({ ...answer, headers: { ...answer.headers, [name]: value } })
