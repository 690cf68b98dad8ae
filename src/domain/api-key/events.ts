// Facts of an API key's stream. Only a hash of the secret is ever recorded.
import * as t from 'io-ts'
import { BoundedString, Instant, NonEmptyString } from '../codecs.js'
import type { EventSchemas } from '../versioning.js'

/** What a key may reach: everything, one product's licenses, or one license (order). */
export const ApiKeyScope = t.union([
  t.type({ kind: t.literal('admin') }),
  t.type({ kind: t.literal('product'), productId: BoundedString(1, 64) }),
  t.type({ kind: t.literal('license'), orderId: NonEmptyString }),
])
export type ApiKeyScope = t.TypeOf<typeof ApiKeyScope>

export const ApiKeyIssued = t.type({
  type: t.literal('ApiKeyIssued'),
  data: t.type({
    keyId: NonEmptyString,
    name: NonEmptyString,
    /** SHA-256 of the secret, hex. */
    secretHash: t.string,
    scope: ApiKeyScope,
    expiresAt: t.union([Instant, t.null]),
    at: Instant,
  }),
})

export const ApiKeyRevoked = t.type({
  type: t.literal('ApiKeyRevoked'),
  data: t.type({ keyId: NonEmptyString, at: Instant }),
})

export const ApiKeyEvent = t.union([ApiKeyIssued, ApiKeyRevoked])
export type ApiKeyEvent = t.TypeOf<typeof ApiKeyEvent>

export const apiKeySchemas: EventSchemas<ApiKeyEvent['type']> = {
  versions: { ApiKeyIssued: 1, ApiKeyRevoked: 1 },
  upcasters: {},
}
