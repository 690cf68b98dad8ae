// Counts the events a store's stream reads return, as a decorator over a real
// store: what a load reads, for the tests and benchmarks of snapshots.
import type { EventStore } from '../../src/store/port.js'

export const eventReads = (counted: (streamName: string) => boolean = () => true) => {
  let read = 0
  return {
    /** The store, its stream reads counted (also as `start`'s wrapStore, across restarts). */
    wrap: (store: EventStore): EventStore => ({
      ...store,
      readStream: async (name, options) => {
        const events = await store.readStream(name, options)
        if (counted(name)) read += events.length
        return events
      },
    }),
    read: (): number => read,
    reset: (): void => {
      read = 0
    },
  }
}
