// What the command handler needs to know of an aggregate to load its stream.
import type * as t from 'io-ts'
import type { DomainEvent } from '../domain/events.js'

export interface AggregateType<State, Event extends DomainEvent> {
  readonly name: string
  readonly initialState: State
  readonly evolve: (state: State, event: Event) => State
  /** Tells the aggregate's own events from any other. */
  readonly codec: t.Decoder<unknown, Event> & { readonly is: (u: unknown) => u is Event }
}
