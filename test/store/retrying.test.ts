// Retries of transient store failures, over a real SQLite store: a lost
// answer, a write lock held by another connection, and a store that stays
// down past the budget.
import Database from 'better-sqlite3'
import * as E from 'fp-ts/Either'
import { v4 as uuid } from 'uuid'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ExpectedVersion, StoreUnavailable, type EventStore, type NewEvent } from '../../src/store/port.js'
import { withRetries } from '../../src/store/retrying.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { faultyStore, type FaultyStore } from '../support/faulty-store.js'
import { makeTempDir, type TempDir } from '../support/tmp.js'

const event = (): NewEvent => ({ id: uuid(), type: 'Noted', data: {}, metadata: {} })

class Exhausted extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('exhausted')
  }
}

describe('retries of transient store failures', () => {
  let dir: TempDir
  let sqlite: EventStore
  let faults: FaultyStore
  beforeEach(() => {
    dir = makeTempDir('retrying')
    sqlite = createSqliteEventStore({ path: dir.file('events.sqlite'), busyTimeoutMs: 20 })
    faults = faultyStore()
  })
  afterEach(async () => {
    await sqlite.close()
    dir.remove()
  })

  const retrying = (budgetMs: number): EventStore =>
    withRetries(faults.wrap(sqlite), { budgetMs, firstPauseMs: 5, maxPauseMs: 20, exhausted: (_failure, seconds) => new Exhausted(seconds) })

  it('an append whose answer was lost goes again with the same event ids, and is written once', async () => {
    faults.failAppends(2, { written: true })
    const sent = [event(), event()]

    const result = await retrying(5_000).appendToStream('order-1', sent, ExpectedVersion.noStream)

    const stored = await sqlite.readStream('order-1')
    expect(result).toEqual(E.right({ nextRevision: 1, position: stored[1]!.position }))
    expect(stored.map((e) => e.id)).toEqual(sent.map((e) => e.id))
    const ids = sent.map((e) => e.id)
    expect(faults.appends()).toEqual([
      { streamName: 'order-1', eventIds: ids, outcome: 'written, then failed' },
      { streamName: 'order-1', eventIds: ids, outcome: 'written, then failed' },
      { streamName: 'order-1', eventIds: ids, outcome: 'passed' },
    ])
  })

  it('a write lock another connection holds past the busy timeout: the append fails as transient, and a retry gets through once it is free', async () => {
    const other = new Database(dir.file('events.sqlite'))
    other.exec('BEGIN IMMEDIATE')
    try {
      await expect(sqlite.appendToStream('order-1', [event()], ExpectedVersion.noStream)).rejects.toThrow(StoreUnavailable)
      setTimeout(() => other.exec('COMMIT'), 50)
      const result = await retrying(5_000).appendToStream('order-1', [event()], ExpectedVersion.noStream)
      expect(E.isRight(result)).toBe(true)
    } finally {
      if (other.inTransaction) other.exec('COMMIT')
      other.close()
    }
    expect(await sqlite.readStream('order-1')).toHaveLength(1)
  })

  it('setting a retention while another connection holds the write lock fails as transient, and a retry gets through once it is free', async () => {
    await sqlite.appendToStream('seat-1', [event(), event(), event()], ExpectedVersion.noStream)
    const other = new Database(dir.file('events.sqlite'))
    other.exec('BEGIN IMMEDIATE')
    try {
      await expect(sqlite.setStreamRetention('seat-1', { maxCount: 1 })).rejects.toThrow(StoreUnavailable)
      setTimeout(() => other.exec('COMMIT'), 50)
      await retrying(5_000).setStreamRetention('seat-1', { maxCount: 1 })
    } finally {
      if (other.inTransaction) other.exec('COMMIT')
      other.close()
    }
    expect((await sqlite.readStream('seat-1')).map((e) => e.revision)).toEqual([2])
  })

  it('when the budget is spent the caller gets the exhausted error, after a bounded number of attempts', async () => {
    faults.failAppends(Number.MAX_SAFE_INTEGER)

    await expect(retrying(100).appendToStream('order-1', [event()], ExpectedVersion.noStream)).rejects.toEqual(new Exhausted(1))

    expect(faults.appends().length).toBeGreaterThan(1)
    expect(faults.appends().length).toBeLessThan(100)
    expect(await sqlite.readStream('order-1')).toEqual([])
  })

  it('no budget: one attempt only', async () => {
    faults.failAppends(1)
    await expect(retrying(0).appendToStream('order-1', [event()], ExpectedVersion.noStream)).rejects.toBeInstanceOf(Exhausted)
    expect(faults.appends()).toHaveLength(1)
  })

  it('a conflict or any other failure is the caller\'s at once', async () => {
    const store = retrying(5_000)
    await store.appendToStream('order-1', [event()], ExpectedVersion.noStream)
    const conflict = await store.appendToStream('order-1', [event()], ExpectedVersion.noStream)
    expect(E.isLeft(conflict)).toBe(true)

    const broken = withRetries({ ...sqlite, readStream: async () => Promise.reject(new TypeError('a bug')) }, { budgetMs: 5_000 })
    await expect(broken.readStream('order-1')).rejects.toThrow(TypeError)
    expect(faults.appends()).toHaveLength(2)
  })
})
