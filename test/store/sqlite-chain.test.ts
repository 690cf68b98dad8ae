// The embedded log's hash chain at start-up: a log whose every event is
// chained opens without the write lock (another process may hold it for a
// while), and one with unchained events (written before the chain, or by an
// older engine) is caught up under it.
import Database from 'better-sqlite3'
import { v4 as uuid } from 'uuid'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ExpectedVersion, type NewEvent } from '../../src/store/port.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { makeTempDir, type TempDir } from '../support/tmp.js'

const event = (): NewEvent => ({ id: uuid(), type: 'Noted', data: {}, metadata: {} })

describe('sqlite log chain at start-up', () => {
  let dir: TempDir
  let path: string
  beforeEach(async () => {
    dir = makeTempDir('sqlite-chain')
    path = dir.file('events.sqlite')
    const store = createSqliteEventStore({ path })
    expect((await store.appendToStream('order-1', [event(), event(), event()], ExpectedVersion.noStream))._tag).toBe('Right')
    await store.close()
  })
  afterEach(() => dir.remove())

  /** Runs `work` while another connection holds the log's write lock. */
  const whileLocked = async <A>(work: () => Promise<A>): Promise<A> => {
    const other = new Database(path)
    other.exec('BEGIN IMMEDIATE')
    try {
      return await work()
    } finally {
      other.exec('COMMIT')
      other.close()
    }
  }
  const chained = (): number => {
    const db = new Database(path, { readonly: true })
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM event_chain').get() as { n: number }).n
    } finally {
      db.close()
    }
  }

  it('opens a log whose every event is chained without taking the write lock', async () => {
    const events = await whileLocked(async () => {
      const store = createSqliteEventStore({ path, busyTimeoutMs: 20 })
      try {
        return (await store.readStream('order-1')).length
      } finally {
        await store.close()
      }
    })
    expect(events).toBe(3)
  })

  it('catches up a log with unchained events under the write lock: waits for it, then chains them', async () => {
    const db = new Database(path)
    db.exec('DELETE FROM event_chain WHERE position > 1')
    db.close()
    await whileLocked(async () => {
      expect(() => createSqliteEventStore({ path, busyTimeoutMs: 20 })).toThrow(/locked|busy/i)
    })
    const store = createSqliteEventStore({ path, busyTimeoutMs: 20 })
    await store.close()
    expect(chained()).toBe(3)
  })
})
