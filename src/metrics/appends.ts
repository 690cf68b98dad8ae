// Counts the events appended through a store, by type, once the append has
// succeeded: a decorator over the event store port.
import type { EventStore } from '../store/port.js'
import type { Metrics } from './registry.js'

export const countAppends = (store: EventStore, metrics: Pick<Metrics, 'appended'>): EventStore => ({
  ...store,
  appendToStream: async (...args) => {
    const result = await store.appendToStream(...args)
    if (result._tag === 'Right') metrics.appended(args[1].map((event) => event.type))
    return result
  },
})
