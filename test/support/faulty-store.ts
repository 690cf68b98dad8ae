// A fault-injecting event store: wrapped around a real store (under a real
// engine through start's wrapStore, or under a store decorator), it fails calls
// the way a store in trouble does, on demand, and records what it was asked.
// The failures are the port's own (StoreUnavailable), as the adapters report
// an unreachable server, a lost leader or a locked file.
import { StoreUnavailable, type EventStore, type Position, type RecordedEvent, type Subscription } from '../../src/store/port.js'

export interface AppendAttempt {
  readonly streamName: string
  readonly eventIds: readonly string[]
  /** How the wrapper answered it. */
  readonly outcome: 'passed' | 'failed' | 'written, then failed'
}

export interface FaultyStore {
  readonly wrap: (store: EventStore) => EventStore
  /**
   * The next `times` appends fail. `written`: each is written first and then
   * fails, as when the store's answer is lost on the way.
   */
  readonly failAppends: (times: number, options?: { readonly written?: boolean }) => void
  /**
   * Every append to a stream `streams` matches fails, until `restore`: one of
   * two appends that belong together never lands, as when the process died
   * between them.
   */
  readonly failAppendsTo: (streams: (streamName: string) => boolean) => void
  /** Every open subscription fails now; new ones fail at once (and are never confirmed) until `restore`. */
  readonly dropSubscriptions: () => void
  /** Subscriptions work again; appends fail no more. */
  readonly restore: () => void
  /** Every append asked of the store, in order. */
  readonly appends: () => readonly AppendAttempt[]
  /** How many subscriptions were asked for. */
  readonly subscribes: () => number
  /** Where each subscription asked for started (null: the start of the log), in order. */
  readonly subscribedFrom: () => readonly (Position | null)[]
}

const unavailable = (what: string): StoreUnavailable => new StoreUnavailable(`injected fault: ${what}`)

/** A subscription that fails on its first read, as one to an unreachable server does. */
const failedSubscription = (): Subscription => ({
  [Symbol.asyncIterator]: () => ({
    next: () => Promise.reject(unavailable('the subscription could not be made')),
    return: async () => ({ done: true, value: undefined }),
  }),
  confirmed: new Promise<void>(() => {}),
  close: async () => {},
})

export const faultyStore = (): FaultyStore => {
  const attempts: AppendAttempt[] = []
  const drops = new Set<(error: Error) => void>()
  let appendFaults = 0
  let failingStreams: ((streamName: string) => boolean) | null = null
  let writeThenFail = false
  let subscriptionsDown = false
  let subscribes = 0
  const starts: (Position | null)[] = []

  const wrap = (store: EventStore): EventStore => {
    const appendToStream: EventStore['appendToStream'] = async (streamName, events, expected) => {
      const eventIds = events.map((event) => event.id)
      if (failingStreams?.(streamName) === true) {
        attempts.push({ streamName, eventIds, outcome: 'failed' })
        throw unavailable('the append could not be sent')
      }
      if (appendFaults === 0) {
        attempts.push({ streamName, eventIds, outcome: 'passed' })
        return store.appendToStream(streamName, events, expected)
      }
      appendFaults -= 1
      if (writeThenFail) await store.appendToStream(streamName, events, expected)
      attempts.push({ streamName, eventIds, outcome: writeThenFail ? 'written, then failed' : 'failed' })
      throw unavailable(writeThenFail ? 'the answer to an append was lost' : 'the append could not be sent')
    }

    const subscribeToAll: EventStore['subscribeToAll'] = (options) => {
      subscribes += 1
      starts.push(options?.from ?? null)
      if (subscriptionsDown) return failedSubscription()
      const inner = store.subscribeToAll(options)
      let drop: (error: Error) => void = () => {}
      const dropped = new Promise<never>((_, reject) => {
        drop = reject
      })
      dropped.catch(() => {})
      drops.add(drop)

      async function* events(): AsyncGenerator<RecordedEvent> {
        const source = inner[Symbol.asyncIterator]()
        try {
          for (;;) {
            const next = source.next()
            next.catch(() => {}) // still pending when a drop wins the race
            const settled = await Promise.race([next, dropped])
            if (settled.done === true) return
            yield settled.value
          }
        } finally {
          drops.delete(drop)
          await inner.close()
        }
      }

      const iterator = events()
      return {
        [Symbol.asyncIterator]: () => iterator,
        ...(inner.confirmed === undefined ? {} : { confirmed: inner.confirmed }),
        close: async () => {
          drops.delete(drop)
          await inner.close()
          await iterator.return(undefined)
        },
      }
    }

    return { ...store, appendToStream, subscribeToAll }
  }

  return {
    wrap,
    failAppends: (times, options = {}) => {
      appendFaults = times
      writeThenFail = options.written ?? false
    },
    failAppendsTo: (streams) => {
      failingStreams = streams
    },
    dropSubscriptions: () => {
      subscriptionsDown = true
      for (const drop of [...drops]) drop(unavailable('the subscription was dropped'))
    },
    restore: () => {
      appendFaults = 0
      failingStreams = null
      subscriptionsDown = false
    },
    appends: () => attempts,
    subscribes: () => subscribes,
    subscribedFrom: () => starts,
  }
}
