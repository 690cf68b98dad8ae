// Reads a decider test as a sentence: given these past events, when this
// command (at this moment, with this context), then these new events or this error.
import type * as E from 'fp-ts/Either'
import { expect } from 'vitest'
import { fold, type Decider } from '../../src/domain/decider.js'

export const specify =
  <Command, State, Event, Error, Context>(decider: Decider<Command, State, Event, Error, Context>) =>
  (...past: readonly Event[]) => ({
    when: (command: Command, context: Context) => {
      const state = fold(decider.evolve, decider.initialState)(past)
      const outcome = decider.decide(command, state, context)
      return {
        then: (expected: E.Either<Error, readonly Event[]>): void => {
          expect(outcome).toEqual(expected)
        },
        /** The state after the new events, for rules about what evolve makes of them. */
        state: (): State => {
          if (outcome._tag === 'Left') throw new Error(`decision failed: ${JSON.stringify(outcome.left)}`)
          return outcome.right.reduce(decider.evolve, state)
        },
      }
    },
  })
