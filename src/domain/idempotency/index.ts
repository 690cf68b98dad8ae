// The first reply to a write that carried an Idempotency-Key, kept so that a
// client retrying after a timeout gets that reply again and nothing is done twice.
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { Instant } from '../codecs.js'
import type { Decider, TimeContext } from '../decider.js'
import type { EventSchemas } from '../versioning.js'

export const IdempotentReplyRecorded = t.type({
  type: t.literal('IdempotentReplyRecorded'),
  data: t.type({
    /** SHA-256 of the credential and the key: the scope a key is unique in. */
    scope: t.string,
    /** SHA-256 of the method, path and body: the same key with another request is refused. */
    fingerprint: t.string,
    status: t.number,
    headers: t.record(t.string, t.string),
    body: t.unknown,
    at: Instant,
  }),
})
export const IdempotencyEvent = IdempotentReplyRecorded
export type IdempotencyEvent = t.TypeOf<typeof IdempotencyEvent>

export const idempotencySchemas: EventSchemas<IdempotencyEvent['type']> = { versions: { IdempotentReplyRecorded: 1 }, upcasters: {} }

export type IdempotencyState = null | IdempotencyEvent['data']

export type RecordReply = { readonly type: 'RecordReply' } & Omit<IdempotencyEvent['data'], 'at'>

export const idempotencyDecider: Decider<RecordReply, IdempotencyState, IdempotencyEvent, never, TimeContext> = {
  initialState: null,
  // The first reply stands; a later one (a race between processes) changes nothing.
  evolve: (state, event) => state ?? event.data,
  decide: (command, state, { now }) => {
    if (state !== null) return E.right([])
    const { type: _type, ...reply } = command
    return E.right([{ type: 'IdempotentReplyRecorded', data: { ...reply, at: now.toISOString() } }])
  },
}

export const idempotencyStream = (scope: string): string => `idempotency-${scope}`
