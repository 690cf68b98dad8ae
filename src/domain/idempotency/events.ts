// Facts of an Idempotency-Key's stream (`idempotency-<scope>`): the key
// claimed by the request that does the work, the claim given back when there
// is no reply worth keeping, and the first reply, kept so that a client
// retrying after a timeout gets it again and nothing is done twice.
import * as t from 'io-ts'
import { Instant } from '../codecs.js'
import type { EventSchemas } from '../versioning.js'

const keyUse = {
  /** SHA-256 of the credential and the key: the scope a key is unique in. */
  scope: t.string,
  /** SHA-256 of the method, path and body: the same key with another request is refused. */
  fingerprint: t.string,
}

export const IdempotencyKeyClaimed = t.type({
  type: t.literal('IdempotencyKeyClaimed'),
  data: t.type({
    ...keyUse,
    /** The claim's own id: only its holder gives it back. */
    claim: t.string,
    /** Past this instant without a reply, the holder is taken to have died: the key may be claimed again. */
    expiresAt: Instant,
    at: Instant,
  }),
})

export const IdempotencyClaimReleased = t.type({
  type: t.literal('IdempotencyClaimReleased'),
  data: t.type({ scope: t.string, claim: t.string, at: Instant }),
})

export const IdempotentReplyRecorded = t.type({
  type: t.literal('IdempotentReplyRecorded'),
  data: t.type({
    ...keyUse,
    status: t.number,
    headers: t.record(t.string, t.string),
    body: t.unknown,
    at: Instant,
  }),
})

export const IdempotencyEvent = t.union([IdempotencyKeyClaimed, IdempotencyClaimReleased, IdempotentReplyRecorded])
export type IdempotencyEvent = t.TypeOf<typeof IdempotencyEvent>

export type IdempotentReply = t.TypeOf<typeof IdempotentReplyRecorded>['data']

export const idempotencySchemas: EventSchemas<IdempotencyEvent['type']> = {
  versions: { IdempotencyKeyClaimed: 1, IdempotencyClaimReleased: 1, IdempotentReplyRecorded: 1 },
  upcasters: {},
}
