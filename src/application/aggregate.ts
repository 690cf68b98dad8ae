// An aggregate as the application handles it, built by one constructor from
// its decider: the decider, the codec that tells its events from any other,
// and the stream a command is decided on. The command handler knows nothing
// else of an aggregate.
import type * as t from 'io-ts'
import type { Decider, TimeContext } from '../domain/decider.js'
import type { DomainEvent } from '../domain/events.js'

/** Tells a stream's own events from any other. */
export type EventGuard<Event> = t.Decoder<unknown, Event> & { readonly is: (u: unknown) => u is Event }

/**
 * What loading a stream needs: its fold and its events. Several aggregates
 * may decide on one kind of stream (an order's terms, its use, its seed 004
 * data): they share its name, its fold and so its state.
 */
export interface StreamType<State, Event extends DomainEvent> {
  readonly name: string
  /**
   * The version of the state's shape and fold: a snapshot of the state is
   * loaded only at the version it was taken at. Bump it whenever what the
   * fold gives may change (evolve, the state, the events or their upcasters);
   * test/application/state-versions.test.ts says when.
   */
  readonly stateVersion: number
  readonly decider: { readonly initialState: State; readonly evolve: (state: State, event: Event) => State }
  readonly events: EventGuard<Event>
  /**
   * Take a snapshot at least every this many events, when sooner than the
   * configured interval: a small state read many at a time (a license's
   * seats, on the first request after a start) is cheaper from a snapshot
   * than from even a short tail.
   */
  readonly snapshotEvery?: number
}

export interface Aggregate<Command, State, Event extends DomainEvent, Error, Context extends TimeContext> extends StreamType<State, Event> {
  readonly decider: Decider<Command, State, Event, Error, Context>
  /** The stream a command is decided on (several commands handled together share it). */
  readonly streamOf: (command: Command) => string
}

export const aggregate = <Command, State, Event extends DomainEvent, Error, Context extends TimeContext>(
  definition: Aggregate<Command, State, Event, Error, Context>,
): Aggregate<Command, State, Event, Error, Context> => definition
