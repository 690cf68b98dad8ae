// LEASE_HISTORY_RETENTION_DAYS applied to a stream of a seat's renewals, over
// a real SQLite store with a test clock: renewals older than the configured
// days are no longer read, the license's stream is never given a retention.
import * as E from 'fp-ts/Either'
import { v4 as uuid } from 'uuid'
import { afterAll, describe, expect, it } from 'vitest'
import { keepLeaseHistory, leaseHistoryRetention } from '../../src/application/lease-history.js'
import { ExpectedVersion, type NewEvent } from '../../src/store/port.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { testClock } from '../support/clock.js'
import { makeTempDir } from '../support/tmp.js'

const DAY = 86_400_000
const renewal = (n: number): NewEvent => ({ id: uuid(), type: 'SeatLeaseRenewed', data: { n }, metadata: {} })

describe('lease history retention', () => {
  const dir = makeTempDir('lease-history')
  const clock = testClock()
  const store = createSqliteEventStore({ path: dir.file('events.sqlite'), clock: clock.now, retentionSweepIntervalMs: 0 })
  afterAll(async () => {
    await store.close()
    dir.remove()
  })

  it('given a number of days, then renewals older than that are dropped', () => {
    expect(leaseHistoryRetention(30)).toEqual({ maxAgeSeconds: 30 * 86_400 })
    expect(leaseHistoryRetention(null)).toBeNull()
  })

  it('given 8 days configured, when a seat stream is given it, then renewals older than 8 days are no longer read and appends go on', async () => {
    const stream = `seat-${uuid()}`
    expect(E.isRight(await store.appendToStream(stream, [renewal(0)], ExpectedVersion.noStream))).toBe(true)
    clock.advance(9 * DAY)
    expect(E.isRight(await store.appendToStream(stream, [renewal(1)], ExpectedVersion.exact(0)))).toBe(true)
    await keepLeaseHistory(store, 8)(stream)
    expect((await store.readStream(stream)).map((e) => e.data)).toEqual([{ n: 1 }])
    expect(E.isRight(await store.appendToStream(stream, [renewal(2)], ExpectedVersion.exact(1)))).toBe(true)
  })

  it('given no retention configured, then a seat stream keeps everything', async () => {
    const stream = `seat-${uuid()}`
    expect(E.isRight(await store.appendToStream(stream, [renewal(0)], ExpectedVersion.noStream))).toBe(true)
    await keepLeaseHistory(store, null)(stream)
    clock.advance(3_650 * DAY)
    expect((await store.readStream(stream)).map((e) => e.data)).toEqual([{ n: 0 }])
  })

  it('given a license’s stream, then it is refused: its grants, releases and expiries are kept forever', async () => {
    await expect(keepLeaseHistory(store, 8)(`order-${uuid()}`)).rejects.toThrow(/kept forever/)
  })
})
