// The renewal lane (renewal-lane.ts) against the plain replay, the live
// runner's own way of applying the log: on a log the engine's application
// layer wrote (seats requested, renewed in their own streams, released and
// expired), the read models come out identical, table by table and row by
// row; a renewal stored in another shape is decoded and still comes out the
// same; and a renewal that does not decode stops the replay, with exactly the
// log before it committed.
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeReplayLog } from '../../bench/replay-log.js'
import { EventDecodeError } from '../../src/application/event-codec.js'
import { compareAttached } from '../../src/projections/compare.js'
import { READ_MODELS, readModelProjections } from '../../src/projections/index.js'
import { ensureBuiltBy } from '../../src/projections/read-model-set.js'
import { openReadStore } from '../../src/projections/read-store.js'
import { createReplayer } from '../../src/projections/replay.js'
import { readCheckpoint } from '../../src/projections/runner.js'
import { laneRenewalOrder } from '../../src/projections/renewal-lane.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { makeTempDir, type TempDir } from '../support/tmp.js'

/** Replays `log` into a fresh read-model file up to `target`, through the lane or not; returns the replayer. */
const replay = async (log: string, file: string, target: bigint, lane: boolean) => {
  const store = createSqliteEventStore({ path: log })
  const db = openReadStore(file)
  try {
    ensureBuiltBy(db, READ_MODELS, readModelProjections)
    // Small transactions: many ranges, orders changed and seats started inside them.
    const replayer = createReplayer({ db, projections: readModelProjections, name: READ_MODELS, transactionSize: 700, ...(lane ? { logPath: log } : {}) })
    await replayer.until(store, target)
    return replayer
  } finally {
    db.close()
    await store.close()
  }
}

const differences = (a: string, b: string) => {
  const db = new Database(a)
  try {
    db.prepare('ATTACH DATABASE ? AS other').run(b)
    const comparison = compareAttached(db, 'other')
    return { differences: comparison.differences, rows: comparison.rows }
  } finally {
    db.close()
  }
}

describe('the renewal lane of a replay', () => {
  let dir: TempDir
  let log: string
  let head: bigint

  beforeAll(async () => {
    dir = makeTempDir('renewal-lane')
    log = join(dir.path, 'events.sqlite')
    await writeReplayLog(log, { events: 3_000, licenses: 4 })
    const db = new Database(log)
    head = db.prepare('SELECT MAX(position) FROM events').pluck().safeIntegers(true).get() as bigint
    db.close()
  }, 600_000)
  afterAll(() => dir.remove())

  it('builds the same read models as applying every event, indexing most renewals without decoding them', async () => {
    const plain = await replay(log, join(dir.path, 'plain.sqlite'), head, false)
    const lane = await replay(log, join(dir.path, 'lane.sqlite'), head, true)
    expect(plain.position()).toBe(head)
    expect(lane.position()).toBe(head)
    const renewals = new Database(log).prepare("SELECT COUNT(*) FROM events WHERE type = 'SeatLeaseRenewed'").pluck().get() as number
    expect(lane.renewalsIndexedBySql()).toBeGreaterThan(renewals / 2)
    const { differences: found, rows } = differences(join(dir.path, 'plain.sqlite'), join(dir.path, 'lane.sqlite'))
    expect(rows).toBeGreaterThan(head)
    expect(found).toEqual([])
  }, 600_000)

  it('decodes a renewal stored in another shape than the engine writes, with the same result', async () => {
    const other = join(dir.path, 'reshaped.sqlite')
    copyFileSync(log, other)
    const db = new Database(other)
    // The same values, keys in another order and spaces between: JSON.parse reads it alike, the lane's check does not take it.
    const rows = db.prepare("SELECT position, data FROM events WHERE type = 'SeatLeaseRenewed' AND position % 7 = 0").all() as { position: number; data: string }[]
    const put = db.prepare('UPDATE events SET data = ? WHERE position = ?')
    for (const { position, data } of rows) {
      const parsed = JSON.parse(data) as Record<string, unknown>
      put.run(JSON.stringify(Object.fromEntries(Object.entries(parsed).reverse()), null, 1), position)
    }
    db.close()
    expect(rows.length).toBeGreaterThan(10)
    await replay(other, join(dir.path, 'reshaped-plain.sqlite'), head, false)
    await replay(other, join(dir.path, 'reshaped-lane.sqlite'), head, true)
    expect(differences(join(dir.path, 'reshaped-plain.sqlite'), join(dir.path, 'reshaped-lane.sqlite')).differences).toEqual([])
  }, 600_000)

  it('stops at a renewal that does not decode, with the log before it committed, as applying every event does', async () => {
    const broken = join(dir.path, 'broken.sqlite')
    copyFileSync(log, broken)
    const db = new Database(broken)
    // A renewal in the middle of a range, its seat renewed again after it: the lane would have taken it.
    const bad = db
      .prepare(
        `SELECT e.position FROM events e WHERE e.type = 'SeatLeaseRenewed' AND e.position > 1500
           AND EXISTS (SELECT 1 FROM events n WHERE n.stream = e.stream AND n.revision = e.revision + 1 AND n.type = 'SeatLeaseRenewed') ORDER BY e.position LIMIT 1`,
      )
      .pluck()
      .safeIntegers(true)
      .get() as bigint
    db.prepare("UPDATE events SET data = json_set(data, '$.leaseExpiresAt', 'not an instant') WHERE position = ?").run(bad)
    db.close()
    const failed = (lane: boolean) => replay(broken, join(dir.path, `broken-${lane ? 'lane' : 'plain'}.sqlite`), head, lane).then(() => null, (error: unknown) => error)
    const plainError = await failed(false)
    const laneError = await failed(true)
    expect(plainError).toBeInstanceOf(EventDecodeError)
    expect(laneError).toBeInstanceOf(EventDecodeError)
    expect((laneError as Error).message).toBe((plainError as Error).message)
    for (const which of ['plain', 'lane']) {
      const rebuilt = new Database(join(dir.path, `broken-${which}.sqlite`))
      expect(readCheckpoint(rebuilt, READ_MODELS)).toBe(bad - 1n)
      rebuilt.close()
    }
    expect(differences(join(dir.path, 'broken-plain.sqlite'), join(dir.path, 'broken-lane.sqlite')).differences).toEqual([])
  }, 600_000)

  it('takes a renewal only when its stored text is exactly what the codecs take as it is', () => {
    const data = {
      orderId: 'o-1',
      seatId: 's-1',
      clientId: 'client-1',
      machineId: 'machine-1',
      leaseExpiresAt: '2026-03-02T08:05:00.000Z',
      heartbeatIntervalSeconds: 60,
      at: '2026-03-02T08:02:00.000Z',
    }
    const metadata = { actor: 'key-4', correlationId: 'c', causationId: 'c', requestId: null, clientIp: '198.51.1.48', idempotencyKey: null, schemaVersion: 1 }
    const take = (d: object, m: object = metadata, stream = 'seat-s-1') => laneRenewalOrder(stream, JSON.stringify(d), JSON.stringify(m))
    expect(take(data)).toBe('o-1')
    expect(take(data, { ...metadata, actor: null })).toBe('o-1')
    // Another seat's stream, an instant that is none, a blank client, a number as text, a field more or less, an escape, an older schema version.
    expect(take(data, metadata, 'seat-s-2')).toBeNull()
    expect(take({ ...data, at: '2026-02-30T08:02:00.000Z' })).toBe(Number.isNaN(Date.parse('2026-02-30T08:02:00.000Z')) ? null : 'o-1')
    expect(take({ ...data, at: 'soon' })).toBeNull()
    expect(take({ ...data, clientId: '   ' })).toBeNull()
    expect(take({ ...data, heartbeatIntervalSeconds: '60' })).toBeNull()
    expect(take({ ...data, productId: 'P1' })).toBeNull()
    const { machineId: _, ...withoutMachine } = data
    expect(take(withoutMachine)).toBeNull()
    expect(take({ ...data, clientId: 'a "quoted" client' })).toBeNull()
    expect(take(data, { ...metadata, schemaVersion: 0 })).toBeNull()
    expect(take(data, { ...metadata, correlationId: null })).toBeNull()
  })
})
