// Property: however the log is cut into transactions, the read models come out
// the same. For random seat histories (grants, heartbeats renewing leases in
// the seats' own streams, releases, revocations, denials, sweeps, cap
// changes, time passing), every table built one event per transaction equals,
// row for row, the one a replay builds in one transaction, and one built in
// transactions of a few events. A projection that folds a transaction's events
// in memory (the license orders hold back lease renewals until an event of
// their seat comes) must not change what it writes.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createServices } from '../../src/application/services.js'
import { decodeAfresh } from '../../src/application/event-codec.js'
import { evolveOrder, initialOrderState, orderSchemas, type OrderState } from '../../src/domain/order/index.js'
import { eventsOf } from '../../src/projections/projection.js'
import { createBatchApplier, logChunks } from '../../src/projections/batch.js'
import { compareAttached } from '../../src/projections/compare.js'
import { READ_MODELS, readModelProjections } from '../../src/projections/index.js'
import { openReadStore } from '../../src/projections/read-store.js'
import { ensureBuiltBy } from '../../src/projections/read-model-set.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import type { EventStore } from '../../src/store/port.js'
import { testClock } from '../support/clock.js'
import { CLIENTS, writeSeatHistory, type SeatStep } from '../support/seat-history.js'
import { makeTempDir } from '../support/tmp.js'

const isOrderEvent = eventsOf(orderSchemas)

type Step = SeatStep

const license = fc.integer({ min: 0, max: 1 })
const client = fc.integer({ min: 0, max: CLIENTS - 1 })
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('grant' as const), license, client }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('heartbeat' as const), license, client }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('hold' as const), license, client, minutes: fc.integer({ min: 1, max: 12 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('release' as const), license, client }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revoke' as const), license, client }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cap' as const), license, allowed: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('tick' as const), seconds: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 300, max: 3 * 3600 })) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sweep' as const) }) },
)

/** Writes the history through the application layer. */
const write = async (store: EventStore, clock: ReturnType<typeof testClock>, steps: readonly Step[]): Promise<void> => {
  await writeSeatHistory(createServices({ store, clock: clock.now, adminToken: null }), clock, steps)
}

/** The read models of the whole log, read in chunks of `chunk` events and committed `transaction` events at a time (or one event at a time). */
const build = async (store: EventStore, path: string, how: { readonly chunk: number; readonly transaction: number; readonly eventByEvent: boolean }): Promise<void> => {
  const db = openReadStore(path)
  try {
    ensureBuiltBy(db, READ_MODELS, readModelProjections)
    const { applyChunks, createIndexes } = createBatchApplier({ db, name: READ_MODELS, projections: readModelProjections, eventByEvent: how.eventByEvent })
    await applyChunks(logChunks(store, null, await store.headPosition(), how.chunk), { transactionSize: how.transaction, committed: () => undefined, readAlone: true })
    createIndexes()
  } finally {
    db.close()
  }
}

/** Checks the property; returns how many lease renewals the log holds and how many seats the license orders hold at its end. */
const check = async (steps: readonly Step[]): Promise<{ readonly renewals: number; readonly held: number }> => {
  const dir = makeTempDir('read-model-batches')
  const clock = testClock(new Date('2026-11-22T10:00:00.000Z'))
  const store = createSqliteEventStore({ path: dir.file('events.sqlite'), clock: clock.now })
  try {
    await write(store, clock, steps)
    await build(store, dir.file('one-by-one.sqlite'), { chunk: 1, transaction: 1, eventByEvent: true })
    await build(store, dir.file('whole.sqlite'), { chunk: 1_000, transaction: 50_000, eventByEvent: false })
    await build(store, dir.file('small.sqlite'), { chunk: 3, transaction: 7, eventByEvent: false })
    const db = openReadStore(dir.file('one-by-one.sqlite'))
    try {
      db.prepare('ATTACH DATABASE ? AS whole').run(dir.file('whole.sqlite'))
      db.prepare('ATTACH DATABASE ? AS small').run(dir.file('small.sqlite'))
      const whole = compareAttached(db, 'whole')
      expect(whole.differences).toEqual([])
      expect(compareAttached(db, 'small').differences).toEqual([])
      // And the license orders are each order's own fold of its events (its renewals from its seats' streams too), event by event.
      const folded = new Map<string, OrderState>()
      for (const recorded of await store.readAll({ maxCount: 100_000 })) {
        const { event } = decodeAfresh(recorded)
        if (!isOrderEvent(event)) continue
        folded.set(event.data.orderId, evolveOrder(folded.get(event.data.orderId) ?? initialOrderState, event))
      }
      const stored = db.prepare('SELECT order_id, state FROM license_orders ORDER BY order_id').all() as { order_id: string; state: string }[]
      expect(stored.map((row) => [row.order_id, row.state])).toEqual([...folded].sort(([a], [b]) => a.localeCompare(b)).map(([orderId, state]) => [orderId, JSON.stringify(state)]))
      const held = db.prepare("SELECT SUM(json_extract(state, '$.usage.seatCount')) FROM license_orders").pluck().get() as number
      const renewals = (await store.readAll({ maxCount: 100_000 })).filter((recorded) => recorded.type === 'SeatLeaseRenewed').length
      return { renewals, held }
    } finally {
      db.close()
    }
  } finally {
    await store.close()
    dir.remove()
  }
}

describe('read models cut into transactions differently', () => {
  it('are the same, table by table and row by row, for random seat histories', async () => {
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 60 }), async (steps) => {
      await check(steps)
    }), { numRuns: 15 })
  }, 300_000)

  it('hold seats renewed many times between their grants and releases, so the property cannot pass on an empty history', async () => {
    const busy: Step[] = Array.from({ length: 12 }, (_, i): Step[] => [
      { kind: 'grant', license: 0, client: i % CLIENTS },
      { kind: 'grant', license: 0, client: (i + 1) % CLIENTS },
      { kind: 'hold', license: 0, client: i % CLIENTS, minutes: 6 },
      { kind: 'heartbeat', license: 0, client: (i + 1) % CLIENTS },
      { kind: 'hold', license: 0, client: (i + 1) % CLIENTS, minutes: 4 },
      { kind: 'release', license: 0, client: (i + 1) % CLIENTS },
      { kind: 'cap', license: 0, allowed: 1 + (i % 3) },
      { kind: 'hold', license: 0, client: i % CLIENTS, minutes: 3 },
    ]).flat()
    const { renewals, held } = await check([...busy, { kind: 'grant', license: 1, client: 0 }, { kind: 'hold', license: 1, client: 0, minutes: 5 }])
    expect(renewals).toBeGreaterThan(20)
    expect(held).toBeGreaterThan(0)
  }, 60_000)
})
