import * as E from 'fp-ts/Either'
import { v4 as uuid } from 'uuid'
import { afterEach, describe, expect, it } from 'vitest'
import { aggregate } from '../../src/application/aggregate.js'
import { CustomerAggregate } from '../../src/application/aggregates.js'
import { createCommandHandler, MAX_TURN } from '../../src/application/command-handler.js'
import { EventDecodeError } from '../../src/application/event-codec.js'
import type { CommandMeta } from '../../src/application/metadata.js'
import { customerDecider, type CustomerCommand } from '../../src/domain/customer/index.js'
import { ExpectedVersion, StoreUnavailable, type EventStore } from '../../src/store/port.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { profileNamed } from '../domain/fixtures.js'
import { makeTempDir, type TempDir } from '../support/tmp.js'

const meta: CommandMeta = { actor: 'test', correlationId: 'corr', causationId: 'cause', requestId: 'req', clientIp: '127.0.0.1', idempotencyKey: null }
const profile = profileNamed

const create = (customerId: number, name: string): CustomerCommand => ({ type: 'CreateCustomer', customerId, profile: profile(name) })
const update = (customerId: number, name: string): CustomerCommand => ({ type: 'UpdateCustomer', customerId, profile: profile(name) })

/** Counts the appends that lost an optimistic-concurrency race. */
const countingConflicts = (store: EventStore) => {
  let conflicts = 0
  const wrapped: EventStore = {
    ...store,
    appendToStream: async (...args) => {
      const result = await store.appendToStream(...args)
      if (E.isLeft(result)) conflicts += 1
      return result
    },
  }
  return { store: wrapped, conflicts: () => conflicts }
}

describe('command handling', () => {
  let dir: TempDir
  let store: EventStore
  afterEach(async () => {
    await store.close()
    dir.remove()
  })
  const open = (): EventStore => {
    dir = makeTempDir('handler')
    store = createSqliteEventStore({ path: dir.file('events.sqlite') })
    return store
  }

  it('records the metadata and schema version with every event', async () => {
    const handler = createCommandHandler({ store: open(), clock: () => new Date('2026-11-22T10:00:00Z') })
    await handler.handle(CustomerAggregate, create(1, 'A'), {}, meta)
    const [event] = await store.readStream('customer-1')
    expect(event!.metadata).toEqual({ ...meta, schemaVersion: 2 })
  })

  it('serialises commands on one stream within a process: no conflicts, every change applied', async () => {
    const counted = countingConflicts(open())
    const handler = createCommandHandler({ store: counted.store, clock: () => new Date() })
    await handler.handle(CustomerAggregate, create(1, 'v0'), {}, meta)
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => handler.handle(CustomerAggregate, update(1, `v${i + 1}`), {}, meta)))
    expect(results.every(E.isRight)).toBe(true)
    expect(counted.conflicts()).toBe(0)
    expect(await store.readStream('customer-1')).toHaveLength(51)
  })

  it('appends the commands queued on one stream together, each answered with the state its own decision left', async () => {
    open()
    let appends = 0
    const counted: EventStore = {
      ...store,
      appendToStream: (...args) => {
        appends += 1
        return store.appendToStream(...args)
      },
    }
    const handler = createCommandHandler({ store: counted, clock: () => new Date() })
    await handler.handle(CustomerAggregate, create(1, 'v0'), {}, meta)
    // All queued before the stream's turn comes: one turn decides them in order, one append holds them all.
    const results = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => handler.handle(CustomerAggregate, update(1, `v${i + 1}`), {}, meta)),
      handler.handle(CustomerAggregate, create(1, 'again'), {}, meta),
    ])
    expect(appends).toBe(2)
    const answered = results.map((result) => (E.isRight(result) ? [result.right.revision, result.right.state.exists && result.right.state.profile.name] : result.left._tag))
    expect(answered).toEqual([...Array.from({ length: 20 }, (_, i) => [i + 1, `v${i + 1}`]), 'CustomerAlreadyExists'])
    expect((await store.readStream('customer-1')).map((e) => (e.data as { profile: { name: string } }).profile.name)).toEqual(Array.from({ length: 21 }, (_, i) => `v${i}`))
  })

  it('when the append of a turn fails, the decisions that wrote fail with it and the others are decided again alone', async () => {
    open()
    let failNext = false
    const flaky: EventStore = {
      ...store,
      appendToStream: async (...args) => {
        if (failNext) {
          failNext = false
          throw new StoreUnavailable('the disk is away')
        }
        return store.appendToStream(...args)
      },
    }
    const handler = createCommandHandler({ store: flaky, clock: () => new Date() })
    await handler.handle(CustomerAggregate, create(1, 'v0'), {}, meta)
    const outcome = (p: Promise<E.Either<{ readonly _tag: string }, unknown>>) => p.then((r) => (E.isLeft(r) ? r.left._tag : 'done'), (e: unknown) => `threw ${(e as Error).name}`)
    failNext = true
    // One turn: an update (writes) and a create refused on the state the update left: the refusal needs no append.
    const first = await Promise.all([outcome(handler.handle(CustomerAggregate, update(1, 'v1'), {}, meta)), outcome(handler.handle(CustomerAggregate, create(1, 'again'), {}, meta))])
    expect(first).toEqual([`threw ${new StoreUnavailable('x').name}`, 'CustomerAlreadyExists'])
    failNext = true
    // One turn: two creates of a new customer, the second refused only because of the first, whose append failed:
    // alone, on what the stream holds, the second creates it.
    const second = await Promise.all([outcome(handler.handle(CustomerAggregate, create(2, 'A'), {}, meta)), outcome(handler.handle(CustomerAggregate, create(2, 'B'), {}, meta))])
    expect(second).toEqual([`threw ${new StoreUnavailable('x').name}`, 'done'])
    expect((await store.readStream('customer-2')).map((e) => (e.data as { profile: { name: string } }).profile.name)).toEqual(['B'])
    expect((await store.readStream('customer-1')).map((e) => (e.data as { profile: { name: string } }).profile.name)).toEqual(['v0'])
  })

  it(`decides at most ${MAX_TURN} queued commands in one turn, one append`, async () => {
    open()
    const sizes: number[] = []
    const counted: EventStore = {
      ...store,
      appendToStream: (name, events, expected) => {
        sizes.push(events.length)
        return store.appendToStream(name, events, expected)
      },
    }
    const handler = createCommandHandler({ store: counted, clock: () => new Date() })
    await handler.handle(CustomerAggregate, create(1, 'v0'), {}, meta)
    const results = await Promise.all(Array.from({ length: 2 * MAX_TURN + 50 }, (_, i) => handler.handle(CustomerAggregate, update(1, `v${i + 1}`), {}, meta)))
    expect(results.every(E.isRight)).toBe(true)
    expect(Math.max(...sizes)).toBe(MAX_TURN)
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(2 * MAX_TURN + 51)
  })

  it('when another process appended first, decides again on the new state and succeeds', async () => {
    open()
    const here = createCommandHandler({ store, clock: () => new Date() })
    const elsewhere = createCommandHandler({ store, clock: () => new Date() })
    await here.handle(CustomerAggregate, create(1, 'A'), {}, meta)
    await here.load(CustomerAggregate, 'customer-1') // `here` now caches revision 0
    await elsewhere.handle(CustomerAggregate, update(1, 'B'), {}, meta)

    const seen: string[] = []
    // The customer aggregate, noting the state each decision is made on.
    const watched = aggregate({
      ...CustomerAggregate,
      decider: {
        ...customerDecider,
        decide: (command, s, context) => {
          if (s.exists) seen.push(s.profile.name)
          return customerDecider.decide(command, s, context)
        },
      },
    })
    const result = await here.handle(watched, update(1, 'C'), {}, meta)
    expect(E.isRight(result) && result.right.revision).toBe(2)
    // It read B's write (the cache caught up on the tail) before deciding.
    expect(seen).toEqual(['B'])
  })

  it('gives up with ConcurrencyConflict after the bounded number of attempts', async () => {
    open()
    const racing: EventStore = {
      ...store,
      // Someone else always appends just before us.
      appendToStream: async (stream, events, expected) => {
        await store.appendToStream(stream, [{ id: uuid(), type: 'CustomerUpdated', data: { customerId: 1, profile: profile('X'), at: new Date().toISOString() }, metadata: { ...meta, schemaVersion: 1 } }], ExpectedVersion.any)
        return store.appendToStream(stream, events, expected)
      },
    }
    const handler = createCommandHandler({ store: racing, clock: () => new Date(), maxAttempts: 3 })
    const result = await handler.handle(CustomerAggregate, create(9, 'A'), {}, meta)
    expect(result).toEqual(E.left({ _tag: 'ConcurrencyConflict', streamName: 'customer-9', attempts: 3 }))
    // By default 20: enough for a request racing two other nodes' queues on one stream (see the handler).
    const byDefault = await createCommandHandler({ store: racing, clock: () => new Date() }).handle(CustomerAggregate, create(10, 'A'), {}, meta)
    expect(byDefault).toEqual(E.left({ _tag: 'ConcurrencyConflict', streamName: 'customer-10', attempts: 20 }))
  })

  it('refuses to load a stream holding an event that does not decode', async () => {
    open()
    await store.appendToStream('customer-5', [{ id: uuid(), type: 'CustomerCreated', data: { customerId: 'five' }, metadata: { ...meta, schemaVersion: 1 } }], ExpectedVersion.noStream)
    const handler = createCommandHandler({ store, clock: () => new Date() })
    await expect(handler.load(CustomerAggregate, 'customer-5')).rejects.toBeInstanceOf(EventDecodeError)
  })
})
