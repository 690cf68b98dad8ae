// The command cache following the log (issue 10): events another process
// appended are folded into the cached state as this process's subscription
// reads them, its own are not folded twice, what cannot be folded drops the
// entry, and a state read before the subscription passed a later event is not
// cached. The follower's subscription heals: dropped (through the
// fault-injecting wrapper) it resubscribes from its checkpoint and catches up.
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { aggregate } from '../../src/application/aggregate.js'
import { CustomerAggregate } from '../../src/application/aggregates.js'
import { createCacheFollower } from '../../src/application/cache-follower.js'
import { createCommandHandler, type CommandHandler } from '../../src/application/command-handler.js'
import type { CommandMeta } from '../../src/application/metadata.js'
import { customerDecider, type CustomerCommand } from '../../src/domain/customer/index.js'
import { subscriptionsCheck, withHealingSubscriptions, type HealingEventStore } from '../../src/store/healing.js'
import type { EventStore, RecordedEvent } from '../../src/store/port.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { profileNamed } from '../domain/fixtures.js'
import { eventually } from '../support/eventually.js'
import { faultyStore, type FaultyStore } from '../support/faulty-store.js'
import { makeTempDir, type TempDir } from '../support/tmp.js'

const meta: CommandMeta = { actor: 'test', correlationId: 'corr', causationId: 'cause', requestId: 'req', clientIp: '127.0.0.1', idempotencyKey: null }
const create = (name: string): CustomerCommand => ({ type: 'CreateCustomer', customerId: 1, profile: profileNamed(name) })
const rename = (name: string): CustomerCommand => ({ type: 'UpdateCustomer', customerId: 1, profile: profileNamed(name) })
const STREAM = 'customer-1'

/** The store, counting the streams read; `gate` holds a read's answer back (after reading) until it is opened. */
const watchedStore = (store: EventStore) => {
  let reads = 0
  let gate: Promise<void> | null = null
  const wrapped: EventStore = {
    ...store,
    readStream: async (name, options) => {
      reads += 1
      const events = await store.readStream(name, options)
      await gate
      return events
    },
  }
  return {
    store: wrapped,
    reads: () => reads,
    hold: (): (() => void) => {
      let open = (): void => {}
      gate = new Promise((resolve) => {
        open = () => {
          gate = null
          resolve()
        }
      })
      return open
    },
  }
}

/** The customer aggregate, counting its folds. */
const counting = () => {
  let folds = 0
  const type = aggregate({
    ...CustomerAggregate,
    decider: {
      ...customerDecider,
      evolve: (state, event) => {
        folds += 1
        return customerDecider.evolve(state, event)
      },
    },
  })
  return { type, folds: () => folds }
}

/** The name and revision this process answers from, without reading the store when it has the stream cached. */
const peek = async (handler: CommandHandler) => {
  const { state, revision } = await handler.session().peek(CustomerAggregate, STREAM)
  return { name: state.exists ? state.profile.name : null, revision }
}

describe('the command cache following the log', () => {
  let dir: TempDir
  let sqlite: EventStore
  beforeEach(() => {
    dir = makeTempDir('cache-follower')
    sqlite = createSqliteEventStore({ path: dir.file('events.sqlite'), pollIntervalMs: 20 })
  })
  afterEach(async () => {
    await sqlite.close()
    dir.remove()
  })
  const last = async (): Promise<RecordedEvent> => (await sqlite.readStream(STREAM)).at(-1)!

  describe('follow', () => {
    it("folds another process's event into the cached state: answered without a read", async () => {
      const watched = watchedStore(sqlite)
      const here = createCommandHandler({ store: watched.store, clock: () => new Date() })
      const elsewhere = createCommandHandler({ store: sqlite, clock: () => new Date() })
      await here.handle(CustomerAggregate, create('A'), {}, meta)
      await elsewhere.handle(CustomerAggregate, rename('B'), {}, meta)
      expect(await peek(here)).toEqual({ name: 'A', revision: 0 })

      here.follow(await last())

      const reads = watched.reads()
      expect(await peek(here)).toEqual({ name: 'B', revision: 1 })
      expect(watched.reads()).toBe(reads)
    })

    it('skips what the cache has already (its own appends, what it read): each event is folded once', async () => {
      const { type, folds } = counting()
      const watched = watchedStore(sqlite)
      const here = createCommandHandler({ store: watched.store, clock: () => new Date() })
      await here.handle(type, create('A'), {}, meta)
      await here.handle(type, rename('B'), {}, meta)
      const [before, reads] = [folds(), watched.reads()]

      for (const recorded of await sqlite.readStream(STREAM)) here.follow(recorded)

      expect(folds()).toBe(before)
      expect(await peek(here)).toEqual({ name: 'B', revision: 1 })
      expect(watched.reads()).toBe(reads) // still cached
    })

    it('drops the entry on a gap: the next peek reads the stream', async () => {
      const watched = watchedStore(sqlite)
      const here = createCommandHandler({ store: watched.store, clock: () => new Date() })
      const elsewhere = createCommandHandler({ store: sqlite, clock: () => new Date() })
      await here.handle(CustomerAggregate, create('A'), {}, meta)
      await elsewhere.handle(CustomerAggregate, rename('B'), {}, meta)
      await elsewhere.handle(CustomerAggregate, rename('C'), {}, meta)

      here.follow(await last()) // revision 2, after the cached 0: revision 1 was missed

      const reads = watched.reads()
      expect(await peek(here)).toEqual({ name: 'C', revision: 2 })
      expect(watched.reads()).toBe(reads + 1)
    })

    it('drops the entry for an event it cannot fold: the next peek reads the stream', async () => {
      const watched = watchedStore(sqlite)
      const here = createCommandHandler({ store: watched.store, clock: () => new Date() })
      await here.handle(CustomerAggregate, create('A'), {}, meta)
      const recorded = await last()

      here.follow({ ...recorded, revision: 1, id: 'not-ours', type: 'SomethingElse', data: {} })

      const reads = watched.reads()
      expect(await peek(here)).toEqual({ name: 'A', revision: 0 })
      expect(watched.reads()).toBe(reads + 1)
    })

    it('does not cache a state read before the subscription passed a later event of the stream', async () => {
      const watched = watchedStore(sqlite)
      const here = createCommandHandler({ store: watched.store, clock: () => new Date() })
      const elsewhere = createCommandHandler({ store: sqlite, clock: () => new Date() })
      await elsewhere.handle(CustomerAggregate, create('A'), {}, meta)
      const open = watched.hold()
      const loading = here.load(CustomerAggregate, STREAM) // reads revision 0, then waits at the gate
      await eventually(() => (watched.reads() === 1 ? true : undefined), 5_000, 'the read')
      await elsewhere.handle(CustomerAggregate, rename('B'), {}, meta)
      here.follow(await last())
      open()

      expect((await loading).revision).toBe(0)
      expect(await peek(here)).toEqual({ name: 'B', revision: 1 })
    })
  })

  describe('the follower', () => {
    let faults: FaultyStore
    let watched: ReturnType<typeof watchedStore>
    let healing: HealingEventStore
    beforeEach(() => {
      faults = faultyStore()
      watched = watchedStore(sqlite)
      healing = withHealingSubscriptions(faults.wrap(watched.store), { firstPauseMs: 10, maxPauseMs: 50 })
    })

    it('folds what other processes append as its subscription reads it; dropped, peeks read meanwhile, and it resubscribes from its checkpoint and catches up', async () => {
      const here = createCommandHandler({ store: healing, clock: () => new Date() })
      const elsewhere = createCommandHandler({ store: sqlite, clock: () => new Date() })
      await here.handle(CustomerAggregate, create('A'), {}, meta)
      const from = await sqlite.headPosition()
      const follower = createCacheFollower({ store: healing, handler: here, from, logger: pino({ level: 'silent' }) })
      follower.start()
      /** What `here` answers, and whether it read the store for it. */
      const answered = async () => {
        const reads = watched.reads()
        return { ...(await peek(here)), read: watched.reads() > reads }
      }
      try {
        await elsewhere.handle(CustomerAggregate, rename('B'), {}, meta)
        expect(await follower.waitFor((await last()).position, 5_000)).toBe(true)
        expect(await answered()).toEqual({ name: 'B', revision: 1, read: false })
        expect(subscriptionsCheck(healing.subscriptions())).toEqual({ ok: true, detail: '1 subscribed (command cache)' })

        faults.dropSubscriptions()
        const checkpoint = (await last()).position
        await elsewhere.handle(CustomerAggregate, rename('C'), {}, meta)
        const missed = (await last()).position
        const gap = await eventually(() => {
          const check = subscriptionsCheck(healing.subscriptions())
          return check.ok ? undefined : check
        }, 5_000, 'the gap to show')
        expect(gap.detail).toMatch(/^1 of 1 down \(command cache\) since /)
        // Down, it is behind the log: a request naming the position waits, and is told no in time; a peek reads.
        expect(await follower.waitFor(missed, 100)).toBe(false)
        expect(await answered()).toEqual({ name: 'C', revision: 2, read: true })

        faults.restore()
        expect(await follower.waitFor(missed, 5_000)).toBe(true)
        // Back, the cache starts afresh (what it held before the drop may have missed what it is still catching up
        // on): the first peek reads, and the cache follows the log from there.
        expect(await answered()).toEqual({ name: 'C', revision: 2, read: true })
        await elsewhere.handle(CustomerAggregate, rename('D'), {}, meta)
        expect(await follower.waitFor((await last()).position, 5_000)).toBe(true)
        expect(await answered()).toEqual({ name: 'D', revision: 3, read: false })
        expect(faults.subscribedFrom()[0]).toBe(from)
        expect(faults.subscribedFrom().at(-1)).toBe(checkpoint)
        expect(faults.subscribes()).toBeGreaterThanOrEqual(2)
        expect(subscriptionsCheck(healing.subscriptions()).ok).toBe(true)
        expect(follower.health()).toEqual({ ok: true, detail: `at position ${(await last()).position}` })
      } finally {
        await follower.stop()
      }
    })
  })
})
