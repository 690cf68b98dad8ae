// Subscriptions that heal, over a real SQLite store with faults injected below
// them: a drop is resubscribed from the last event passed on, the consumer
// sees one unbroken stream, and the gap shows while it lasts.
import { v4 as uuid } from 'uuid'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { subscriptionsCheck, withHealingSubscriptions, type HealingEventStore } from '../../src/store/healing.js'
import { ExpectedVersion, UnreadableEvent, type EventStore, type RecordedEvent, type Subscription } from '../../src/store/port.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { eventually } from '../support/eventually.js'
import { faultyStore, type FaultyStore } from '../support/faulty-store.js'
import { makeTempDir, type TempDir } from '../support/tmp.js'

/** Reads a subscription in the background; `seen` grows as events arrive. */
const reader = (subscription: Subscription) => {
  const seen: RecordedEvent[] = []
  const done = (async () => {
    for await (const event of subscription) seen.push(event)
  })()
  return { seen, done }
}

describe('healing subscriptions', () => {
  let dir: TempDir
  let sqlite: EventStore
  let faults: FaultyStore
  let store: HealingEventStore
  const append = (stream: string) =>
    sqlite.appendToStream(stream, [{ id: uuid(), type: 'Noted', data: {}, metadata: {} }], ExpectedVersion.any)

  beforeEach(() => {
    dir = makeTempDir('healing')
    sqlite = createSqliteEventStore({ path: dir.file('events.sqlite'), pollIntervalMs: 20 })
    faults = faultyStore()
    store = withHealingSubscriptions(faults.wrap(sqlite), { firstPauseMs: 10, maxPauseMs: 50 })
  })
  afterEach(async () => {
    await store.close()
    dir.remove()
  })

  it('after a drop, resubscribes from the last event passed on: every event once, in log order', async () => {
    for (const stream of ['a-1', 'a-2', 'a-3']) await append(stream)
    const subscription = store.subscribeToAll()
    const { seen } = reader(subscription)
    await eventually(() => (seen.length === 3 ? true : undefined), 5_000, 'the first three events')

    faults.dropSubscriptions()
    for (const stream of ['b-1', 'b-2']) await append(stream)
    const gap = await eventually(() => {
      const down = store.subscriptions()[0]?.down
      return down !== null && down !== undefined && down.attempts >= 2 ? down : undefined
    }, 5_000, 'a failed attempt to resubscribe')
    expect(gap.error).toBe('injected fault: the subscription could not be made')
    expect(seen).toHaveLength(3)

    faults.restore()
    await eventually(() => (seen.length === 5 ? true : undefined), 5_000, 'the events appended meanwhile')
    await append('c-1')
    await eventually(() => (seen.length === 6 ? true : undefined), 5_000, 'a live event after healing')

    const log = await sqlite.readAll({ maxCount: 100 })
    expect(seen.map((e) => e.id)).toEqual(log.map((e) => e.id))
    expect(store.subscriptions()).toEqual([{ position: log[5]!.position, down: null }])
    expect(faults.subscribes()).toBeGreaterThanOrEqual(3)
    await subscription.close()
  })

  it('shows the gap as a failed health check until it is subscribed again, even with nothing new in the log', async () => {
    await append('a-1')
    const subscription = store.subscribeToAll()
    const { seen } = reader(subscription)
    await eventually(() => (seen.length === 1 ? true : undefined), 5_000, 'the event')
    expect(subscriptionsCheck(store.subscriptions())).toEqual({ ok: true, detail: '1 subscribed' })
    expect([subscription.down?.(), subscription.drops?.()]).toEqual([false, 0])

    faults.dropSubscriptions()
    const check = await eventually(() => {
      const now = subscriptionsCheck(store.subscriptions())
      return now.ok ? undefined : now
    }, 5_000, 'the check to fail')
    expect(check.detail).toMatch(
      new RegExp(`^1 of 1 down since \\S+ \\(\\d+ attempts to resubscribe; last error: injected fault: .*\\); resuming after ${seen[0]!.position}$`),
    )

    expect(subscription.down?.()).toBe(true)

    faults.restore()
    await eventually(() => (subscriptionsCheck(store.subscriptions()).ok ? true : undefined), 5_000, 'the check to pass again')
    // The subscription itself says so too, and how many times it dropped (its attempts to resubscribe that failed included).
    expect(subscription.down?.()).toBe(false)
    expect(subscription.drops?.()).toBeGreaterThanOrEqual(1)
    await subscription.close()
  })

  it('closing it while it is down ends the iteration, and it is no longer listed', async () => {
    const subscription = store.subscribeToAll()
    const { done } = reader(subscription)
    faults.dropSubscriptions()
    await eventually(() => store.subscriptions()[0]?.down ?? undefined, 5_000, 'the drop to show')

    await subscription.close()
    await done
    expect(store.subscriptions()).toEqual([])
  })

  it('an event that cannot be read ends it with that error: no retry can help', async () => {
    let subscribes = 0
    const unreadable: EventStore = {
      ...sqlite,
      subscribeToAll: () => {
        subscribes += 1
        return {
          [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new UnreadableEvent('event e-1 in order-1 is not JSON')) }),
          close: async () => {},
        }
      },
    }
    const healing = withHealingSubscriptions(unreadable, { firstPauseMs: 10 })

    await expect(reader(healing.subscribeToAll()).done).rejects.toThrow(UnreadableEvent)
    expect(subscribes).toBe(1)
    expect(healing.subscriptions()).toEqual([])
  })
})
