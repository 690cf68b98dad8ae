// The shape every aggregate shares: a plain value, no I/O. `decide` gets the
// time and any generated ids through its context, so it stays pure.
import type * as E from 'fp-ts/Either'

export interface Decider<Command, State, Event, Error, Context> {
  readonly initialState: State
  readonly evolve: (state: State, event: Event) => State
  readonly decide: (command: Command, state: State, context: Context) => E.Either<Error, readonly Event[]>
}

export interface TimeContext {
  readonly now: Date
}

/** Folds events into a state; what replay, point-in-time reads and tests share. */
export const fold =
  <State, Event>(evolve: (state: State, event: Event) => State, initialState: State) =>
  (events: readonly Event[]): State =>
    events.reduce(evolve, initialState)
