// Every application failure, in every API's failure map: an error status in
// that API's envelope, never an internal tag. The examples are a record keyed
// by every failure's tag, so a failure added without one does not compile.
// (The maps are plain functions: no engine is needed to read them.)
import { describe, expect, it } from 'vitest'
import type { Failure, FailureOf, FailureTag } from '../../src/application/failures.js'
import { adminDialect } from '../../src/http/admin/dialect.js'
import { adminFailure } from '../../src/http/admin/failures.js'
import { babelDialect } from '../../src/http/babel/dialect.js'
import { babelFailure } from '../../src/http/babel/failures.js'
import { cryptlexDialect } from '../../src/http/cryptlex/dialect.js'
import { cryptlexFailure } from '../../src/http/cryptlex/failures.js'
import { dnaDialect } from '../../src/http/dna/dialect.js'
import { dnaFailure } from '../../src/http/dna/failures.js'
import { lacDialect } from '../../src/http/lac/dialect.js'
import { lacFailure } from '../../src/http/lac/failures.js'
import type { Dialect, Reply } from '../../src/http/reply.js'
import { rillsoftDialect } from '../../src/http/rillsoft/dialect.js'
import { rillsoftFailure } from '../../src/http/rillsoft/failures.js'

const orderId = 'order-1'
const examples: { readonly [K in FailureTag]: FailureOf<K> } = {
  MissingCredentials: { _tag: 'MissingCredentials' },
  InvalidCredentials: { _tag: 'InvalidCredentials', reason: 'revoked' },
  Forbidden: { _tag: 'Forbidden', target: { productId: '1', orderId } },
  UnknownActivationKey: { _tag: 'UnknownActivationKey', key: 'NO-SUCH-KEY' },
  OrderNotFound: { _tag: 'OrderNotFound', orderId },
  OrderAlreadyExists: { _tag: 'OrderAlreadyExists', orderId },
  UnknownCustomer: { _tag: 'UnknownCustomer', customerId: 9 },
  UnknownProductTemplate: { _tag: 'UnknownProductTemplate', productTemplateId: 9 },
  ActivationKeyTaken: { _tag: 'ActivationKeyTaken', key: 'TAKEN' },
  ConcurrencyConflict: { _tag: 'ConcurrencyConflict', streamName: `order-${orderId}`, attempts: 10 },
  OrderDisabled: { _tag: 'OrderDisabled', orderId },
  LicenseExpired: { _tag: 'LicenseExpired', orderId, expiredAt: '2026-11-22T10:00:00.000Z' },
  ActivationLimitReached: { _tag: 'ActivationLimitReached', orderId, limit: 2 },
  ActivationNotFound: { _tag: 'ActivationNotFound', orderId },
  DeactivationLimitReached: { _tag: 'DeactivationLimitReached', orderId, allowed: 1 },
  TokenRevoked: { _tag: 'TokenRevoked', orderId, tokenId: 'token-1', revokedAt: '2026-11-22T10:00:00.000Z' },
  TokenNotFound: { _tag: 'TokenNotFound', orderId, tokenId: 'token-1' },
  ClientMismatch: { _tag: 'ClientMismatch', orderId, tokenId: 'token-1' },
  MeterAttributeNotDefined: { _tag: 'MeterAttributeNotDefined', orderId, name: 'exports' },
  MeterUsesBelowZero: { _tag: 'MeterUsesBelowZero', orderId, name: 'exports' },
  MeterUsesAboveAllowed: { _tag: 'MeterUsesAboveAllowed', orderId, name: 'exports', allowedUses: 3 },
  FingerprintMismatch: { _tag: 'FingerprintMismatch', orderId, activationId: 'activation-1' },
  LeaseTooShort: { _tag: 'LeaseTooShort', orderId, leaseSeconds: 30, minimum: 40 },
  InvalidToken: { _tag: 'InvalidToken', reason: 'bad-signature' },
  WrongTokenKind: { _tag: 'WrongTokenKind' },
  TokenLicenseNotFound: { _tag: 'TokenLicenseNotFound', orderId },
  LicenseNotFound: { _tag: 'LicenseNotFound' },
  LicenseDataNotEnabled: { _tag: 'LicenseDataNotEnabled', productId: '1' },
  TestEventOnActiveProduct: { _tag: 'TestEventOnActiveProduct', productId: '1' },
  ApiKeyAlreadyExists: { _tag: 'ApiKeyAlreadyExists', keyId: 'key-1' },
  ApiKeyNotFound: { _tag: 'ApiKeyNotFound', keyId: 'key-1' },
  ApiKeyExpiryInPast: { _tag: 'ApiKeyExpiryInPast', expiresAt: '2020-01-01T00:00:00.000Z' },
  CustomerAlreadyExists: { _tag: 'CustomerAlreadyExists', customerId: 1 },
  CustomerNotFound: { _tag: 'CustomerNotFound', customerId: 1 },
  ProductTemplateAlreadyExists: { _tag: 'ProductTemplateAlreadyExists', templateId: 1 },
  WebhookEndpointAlreadyExists: { _tag: 'WebhookEndpointAlreadyExists', endpointId: 'endpoint-1' },
  WebhookEndpointNotFound: { _tag: 'WebhookEndpointNotFound', endpointId: 'endpoint-1' },
}

const maps: readonly (readonly [Dialect, (failure: Failure) => Reply])[] = [
  [adminDialect, adminFailure],
  [babelDialect, babelFailure],
  [cryptlexDialect, (failure) => cryptlexFailure(failure)],
  [dnaDialect, dnaFailure],
  [lacDialect, lacFailure],
  [rillsoftDialect, rillsoftFailure],
]

/** Every text in a body, however deep. */
const textsOf = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : typeof value === 'object' && value !== null ? Object.values(value).flatMap(textsOf) : []

/** The keys of an envelope, whatever its fields say: what tells one dialect's envelope from another's. */
/** The envelope's own members: `errors` and `detail` come and go, and a refusal by a rule adds `rule` and `denialId` (denial-fields.ts). */
const keysOf = (body: unknown): string[] => Object.keys(body as object).filter((key) => !['errors', 'detail', 'rule', 'denialId'].includes(key))

describe('failure maps', () => {
  const failures = Object.values(examples) as Failure[]

  it.each(maps.map(([dialect, map]) => [dialect.name, dialect, map] as const))('%s: every failure is an error in its envelope, naming no internal tag', (_name, dialect, map) => {
    for (const failure of failures) {
      const answer = map(failure)
      expect(answer.status, failure._tag).toBeGreaterThanOrEqual(400)
      expect(keysOf(answer.body), failure._tag).toEqual(keysOf(dialect.problem(answer.status).body))
      // The leak this rules out: a text that is the failure's tag (`{"detail": "CustomerAlreadyExists"}`),
      // besides the dialect's own words for the status (seed 002's 403 is titled "Forbidden").
      const own = new Set(textsOf(dialect.problem(answer.status).body))
      expect(textsOf(answer.body).filter((text) => !own.has(text)), failure._tag).not.toContain(failure._tag)
    }
  })
})
