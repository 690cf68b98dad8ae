// Integer ids (customers and product templates are numbered, as seed 001
// shows them) handed out by a sequence stream: the next id is decided on the
// last one under optimistic concurrency, so two creators never share an id.
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { Instant, PositiveInt } from '../codecs.js'
import type { Decider, TimeContext } from '../decider.js'
import type { EventSchemas } from '../versioning.js'

export const IdAllocated = t.type({
  type: t.literal('IdAllocated'),
  data: t.type({ id: PositiveInt, at: Instant }),
})
export const SequenceEvent = IdAllocated
export type SequenceEvent = t.TypeOf<typeof SequenceEvent>

/** The next id of the named sequence (`customer`, `productTemplate`). */
export type SequenceCommand = { readonly type: 'AllocateId'; readonly sequence: string }

export const sequenceSchemas: EventSchemas<SequenceEvent['type']> = { versions: { IdAllocated: 1 }, upcasters: {} }

export const sequenceDecider: Decider<SequenceCommand, number, SequenceEvent, never, TimeContext> = {
  initialState: 0,
  evolve: (_last, event) => event.data.id,
  decide: (_command, last, { now }) => E.right([{ type: 'IdAllocated', data: { id: last + 1, at: now.toISOString() } }]),
}

export const sequenceStream = (name: string): string => `sequence-${name}`
