// Subscriptions that heal. A subscription from this decorator resubscribes by
// itself when the one below it drops (the server restarted, the leader moved,
// a slow consumer was cut off), from the position of the last event it passed
// on and after a growing pause, so its consumer (the projection runner, the
// mailer, the webhooks) sees one unbroken stream, each event once, and needs
// no code for it. Only an event that cannot be read (UnreadableEvent) ends it
// with an error: no retry can help there. While one is down, `subscriptions()`
// says since when and why, for /healthz.
import { backoff, pause } from './backoff.js'
import { UnreadableEvent, type EventStore, type Position, type RecordedEvent, type SubscribeOptions, type Subscription } from './port.js'

export interface SubscriptionHealth {
  /** Whose it is, when its subscriber said. */
  readonly name?: string
  /** The last event passed on; the next subscription starts after it. */
  readonly position: Position | null
  /** Null while subscribed; else since when it has been down, the last failure, and the attempts to resubscribe since. */
  readonly down: { readonly since: Date; readonly error: string; readonly attempts: number } | null
}

export interface HealingOptions {
  readonly firstPauseMs?: number
  readonly maxPauseMs?: number
  readonly clock?: () => Date
  /** Each drop, before the pause (for the log). */
  readonly onDrop?: (error: unknown, attempt: number, pauseMs: number) => void
  /** Subscribed again after a drop (for the log). */
  readonly onHealed?: (health: SubscriptionHealth) => void
}

export interface HealingEventStore extends EventStore {
  /** Every open subscription's state. */
  readonly subscriptions: () => readonly SubscriptionHealth[]
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

export const withHealingSubscriptions = (store: EventStore, options: HealingOptions = {}): HealingEventStore => {
  const firstPauseMs = options.firstPauseMs ?? 100
  const maxPauseMs = options.maxPauseMs ?? 30_000
  const clock = options.clock ?? (() => new Date())
  const open = new Set<{ health: SubscriptionHealth }>()
  let storeClosed = false

  const subscribeToAll = (subscribeOptions: SubscribeOptions = {}): Subscription => {
    const { name } = subscribeOptions
    const entry: { health: SubscriptionHealth } = { health: { ...(name === undefined ? {} : { name }), position: subscribeOptions.from ?? null, down: null } }
    const stopping = new AbortController()
    let current: Subscription | null = null
    let drops = 0

    const up = (): void => {
      if (entry.health.down === null) return
      entry.health = { ...entry.health, down: null }
      options.onHealed?.(entry.health)
    }

    async function* resubscribing(): AsyncGenerator<RecordedEvent> {
      for (let attempt = 1; !stopping.signal.aborted; attempt += 1) {
        try {
          const from = entry.health.position
          const subscription = store.subscribeToAll({ ...(from === null ? {} : { from }), ...(name === undefined ? {} : { name }) })
          current = subscription
          // Subscribed once the store says so (EventStoreDB confirms), or at once where it has nothing to say.
          void (subscription.confirmed ?? Promise.resolve()).then(() => {
            if (current === subscription && !stopping.signal.aborted) up()
          })
          for await (const event of subscription) {
            up()
            attempt = 1
            entry.health = { ...entry.health, position: event.position }
            yield event
          }
          if (stopping.signal.aborted || storeClosed) return
          throw new Error('the subscription ended by itself')
        } catch (error) {
          if (stopping.signal.aborted || storeClosed) return
          if (error instanceof UnreadableEvent) throw error
          drops += 1
          const wait = backoff(attempt, firstPauseMs, maxPauseMs)
          const since = entry.health.down?.since ?? clock()
          entry.health = { ...entry.health, down: { since, error: messageOf(error), attempts: attempt } }
          options.onDrop?.(error, attempt, wait)
          await current?.close().catch(() => {})
          await pause(wait, stopping.signal)
        }
      }
    }

    // Listed while it can still deliver: not after close, nor after an event that cannot be read ended it.
    async function* events(): AsyncGenerator<RecordedEvent> {
      try {
        yield* resubscribing()
      } finally {
        open.delete(entry)
      }
    }

    const iterator = events()
    open.add(entry)
    return {
      [Symbol.asyncIterator]: () => iterator,
      down: () => entry.health.down !== null,
      drops: () => drops,
      close: async () => {
        if (stopping.signal.aborted) return
        stopping.abort()
        open.delete(entry)
        await current?.close()
        await iterator.return(undefined)
      },
    }
  }

  return {
    ...store,
    subscribeToAll,
    subscriptions: () => [...open].map((entry) => entry.health),
    close: async () => {
      storeClosed = true
      await store.close()
    },
  }
}

/** The subscriptions as a /healthz check: ok while all are subscribed; else which are down, since when and why. */
export const subscriptionsCheck = (health: readonly SubscriptionHealth[]): { readonly ok: boolean; readonly detail: string } => {
  const named = (some: readonly SubscriptionHealth[]): string => {
    const names = some.flatMap((one) => (one.name === undefined ? [] : [one.name])).sort()
    return names.length === 0 ? '' : ` (${names.join(', ')})`
  }
  const down = health.filter((one) => one.down !== null)
  const first = down[0]?.down
  if (first === undefined || first === null) return { ok: true, detail: `${health.length} subscribed${named(health)}` }
  const from = down.map((one) => one.position?.toString() ?? 'the start').join(', ')
  return {
    ok: false,
    detail: `${down.length} of ${health.length} down${named(down)} since ${first.since.toISOString()} (${first.attempts} attempts to resubscribe; last error: ${first.error}); resuming after ${from}`,
  }
}
