// The shape every aggregate shares: a plain value, no I/O. `decide` gets the
// time and any generated ids through its context, so it stays pure.
import * as E from 'fp-ts/Either'

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

/**
 * Decides several commands as one: each on the state the previous ones
 * left, all events together or the first error. Their events are then
 * appended atomically.
 */
export const decideAll =
  <Command, State, Event, Error, Context>(decider: Decider<Command, State, Event, Error, Context>) =>
  (commands: readonly Command[], state: State, context: Context): E.Either<Error, readonly Event[]> => {
    let current = state
    const events: Event[] = []
    for (const command of commands) {
      const decision = decider.decide(command, current, context)
      if (E.isLeft(decision)) return decision
      events.push(...decision.right)
      current = decision.right.reduce(decider.evolve, current)
    }
    return E.right(events)
  }
