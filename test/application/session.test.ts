// A session is one request's unit of work over a real SQLite store that
// counts what is asked of it: each stream is read once, a command starts from
// the state the session has, and the append's expected version catches what
// another process wrote meanwhile.
import * as E from 'fp-ts/Either'
import { afterEach, describe, expect, it } from 'vitest'
import { CustomerAggregate } from '../../src/application/aggregates.js'
import { createCommandHandler } from '../../src/application/command-handler.js'
import type { CommandMeta } from '../../src/application/metadata.js'
import { customerStream, type CustomerCommand, type CustomerProfile, type CustomerState } from '../../src/domain/customer/index.js'
import type { EventStore } from '../../src/store/port.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { profileNamed } from '../domain/fixtures.js'
import { makeTempDir, type TempDir } from '../support/tmp.js'

const meta: CommandMeta = { actor: 'test', correlationId: 'corr', causationId: null, requestId: null, clientIp: null, idempotencyKey: null }
const profile = profileNamed
const create = (name: string): CustomerCommand => ({ type: 'CreateCustomer', customerId: 1, profile: profile(name) })
const update = (name: string): CustomerCommand => ({ type: 'UpdateCustomer', customerId: 1, profile: profile(name) })
const STREAM = customerStream(1)

const nameOf = (state: CustomerState): string | null => (state.exists ? state.profile.name : null)

describe('a session', () => {
  let dir: TempDir
  let sqlite: EventStore
  let reads = 0
  let conflicts = 0
  afterEach(async () => {
    await sqlite.close()
    dir.remove()
  })
  /** A store that counts stream reads and lost appends. */
  const open = (): EventStore => {
    dir = makeTempDir('session')
    sqlite = createSqliteEventStore({ path: dir.file('events.sqlite') })
    reads = 0
    conflicts = 0
    return {
      ...sqlite,
      readStream: (...args) => {
        reads += 1
        return sqlite.readStream(...args)
      },
      appendToStream: async (...args) => {
        const appended = await sqlite.appendToStream(...args)
        if (E.isLeft(appended)) conflicts += 1
        return appended
      },
    }
  }

  it('reads a stream once, however often it loads it', async () => {
    const handler = createCommandHandler({ store: open(), clock: () => new Date() })
    await handler.handle(CustomerAggregate, create('A'), {}, meta)
    reads = 0
    const session = handler.session()
    const first = await session.load(CustomerAggregate, STREAM)
    const again = await session.load(CustomerAggregate, STREAM)
    expect(again).toEqual(first)
    expect(reads).toBe(1)
  })

  it('peeks without a read when the process has the stream, and a later load reads its tail once', async () => {
    const handler = createCommandHandler({ store: open(), clock: () => new Date() })
    await handler.handle(CustomerAggregate, create('A'), {}, meta)
    reads = 0
    const session = handler.session()
    expect(nameOf((await session.peek(CustomerAggregate, STREAM)).state)).toBe('A')
    expect(reads).toBe(0)
    await session.load(CustomerAggregate, STREAM)
    await session.load(CustomerAggregate, STREAM)
    expect(reads).toBe(1)
  })

  it('handles a command from the state it read, reads nothing more, and keeps the new state for the reply', async () => {
    const handler = createCommandHandler({ store: open(), clock: () => new Date() })
    await handler.handle(CustomerAggregate, create('A'), {}, meta)
    const session = handler.session()
    await session.load(CustomerAggregate, STREAM)
    reads = 0
    const handled = await session.handle(CustomerAggregate, update('B'), {}, meta)
    expect(E.isRight(handled) && handled.right.revision).toBe(1)
    expect(nameOf((await session.load(CustomerAggregate, STREAM)).state)).toBe('B')
    expect(reads).toBe(0)
  })

  it('starts from what this process wrote since it read: a request behind another in the same process meets no conflict', async () => {
    const handler = createCommandHandler({ store: open(), clock: () => new Date() })
    await handler.handle(CustomerAggregate, create('A'), {}, meta)
    const behind = handler.session()
    await behind.load(CustomerAggregate, STREAM)
    await handler.handle(CustomerAggregate, update('B'), {}, meta)
    const handled = await behind.handle(CustomerAggregate, update('C'), {}, meta)
    expect(E.isRight(handled) && handled.right.revision).toBe(2)
    expect(conflicts).toBe(0)
  })

  it('when another process wrote after it read, the append is refused and the command is decided again on the new state', async () => {
    const store = open()
    const here = createCommandHandler({ store, clock: () => new Date() })
    const elsewhere = createCommandHandler({ store, clock: () => new Date() })
    await here.handle(CustomerAggregate, create('A'), {}, meta)
    const session = here.session()
    await session.load(CustomerAggregate, STREAM)
    await elsewhere.handle(CustomerAggregate, update('B'), {}, meta)
    const handled = await session.handle(CustomerAggregate, update('C'), {}, meta)
    expect(conflicts).toBe(1)
    expect(E.isRight(handled) && handled.right.revision).toBe(2)
    expect((await sqlite.readStream(STREAM)).map((e) => (e.data as { profile: CustomerProfile }).profile.name)).toEqual(['A', 'B', 'C'])
  })

  it('begins a stream it has just named without a read; should the stream exist, the append is refused and the command decided on what it holds', async () => {
    const store = open()
    const handler = createCommandHandler({ store, clock: () => new Date() })
    const fresh = handler.session()
    fresh.begin(CustomerAggregate, STREAM)
    expect(E.isRight(await fresh.handle(CustomerAggregate, create('A'), {}, meta))).toBe(true)
    expect({ reads, conflicts }).toEqual({ reads: 0, conflicts: 0 })

    // Named again (it was not new after all): the create is refused on the stream as it stands, after one conflict.
    const elsewhere = createCommandHandler({ store, clock: () => new Date() }).session()
    elsewhere.begin(CustomerAggregate, STREAM)
    expect(await elsewhere.handle(CustomerAggregate, create('B'), {}, meta)).toEqual(E.left({ _tag: 'CustomerAlreadyExists', customerId: 1 }))
    expect(conflicts).toBe(1)
    expect((await sqlite.readStream(STREAM)).map((e) => (e.data as { profile: CustomerProfile }).profile.name)).toEqual(['A'])
  })
})
