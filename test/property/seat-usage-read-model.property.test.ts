// Property: for random seat histories (grants, heartbeats, releases,
// revocations, denials, sweeps of lapsed seats, cap changes, hours passing),
// the seat-usage report the API answers from the seat-tenure read model
// equals the report folded from the license's whole order stream, rows and
// details both, for any period (before, across or after the history, by hour
// or day), from the live read models (folded in small batches) and from a
// replay of the log (one batch).
import fc from 'fast-check'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { createServices } from '../../src/application/services.js'
import type { Bucket } from '../../src/domain/order/index.js'
import { createReadModels, READ_MODELS, readModelProjections } from '../../src/projections/index.js'
import { openReadStore } from '../../src/projections/read-store.js'
import { ensureBuiltBy } from '../../src/projections/read-model-set.js'
import { createReplayer } from '../../src/projections/replay.js'
import { seatTenureReader } from '../../src/projections/seat-tenures.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { testClock } from '../support/clock.js'
import { CLIENTS, writeSeatHistory, type SeatStep } from '../support/seat-history.js'
import { makeTempDir } from '../support/tmp.js'

const START = new Date('2026-11-22T10:00:00.000Z').getTime()

type Step = SeatStep

interface Report {
  readonly from: number
  readonly to: number
  readonly bucket: Bucket
}

const license = fc.integer({ min: 0, max: 1 })
const client = fc.integer({ min: 0, max: CLIENTS - 1 })
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('grant' as const), license, client }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('heartbeat' as const), license, client }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('release' as const), license, client }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revoke' as const), license, client }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cap' as const), license, allowed: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('hold' as const), license, client, minutes: fc.integer({ min: 1, max: 150 }) }) },
  // Seconds to hours: seats lapse, buckets pass.
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('tick' as const), seconds: fc.oneof(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 600, max: 4 * 3600 })) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sweep' as const) }) },
)
// Periods by offsets from the history's start, in minutes: some before it, some past its end.
const report: fc.Arbitrary<Report> = fc
  .record({ from: fc.integer({ min: -60, max: 600 }), length: fc.integer({ min: 1, max: 1500 }), bucket: fc.constantFrom<Bucket>('hour', 'day'), seconds: fc.integer({ min: 0, max: 59 }) })
  .map(({ from, length, bucket, seconds }) => ({ from: START + from * 60_000 + seconds * 1000, to: START + (from + length) * 60_000, bucket }))

const silent = pino({ level: 'silent' })

/** Checks the property; returns the seat-hours the folded reports counted (so a test can tell it counted something). */
const check = async (steps: readonly Step[], reports: readonly Report[]): Promise<number> => {
  const dir = makeTempDir('seat-usage-property')
  const clock = testClock(new Date(START))
  const store = createSqliteEventStore({ path: dir.file('events.sqlite'), clock: clock.now, pollIntervalMs: 10 })
  const services = createServices({ store, clock: clock.now, adminToken: null })
  const reads = createReadModels({ store, path: dir.file('read-models.sqlite'), logger: silent, lastAppended: services.handler.lastAppended })
  reads.runner.start()
  try {
    const orders = await writeSeatHistory(services, clock, steps)

    expect(await reads.runner.waitFor(await store.headPosition(), 10_000)).toBe(true)
    const replayed = openReadStore(dir.file('replayed.sqlite'))
    ensureBuiltBy(replayed, READ_MODELS, readModelProjections)
    await createReplayer({ db: replayed, projections: readModelProjections, name: READ_MODELS }).until(store, await store.headPosition())
    const fromReplay = seatTenureReader(replayed)
    let seatHours = 0
    try {
      for (const orderId of orders) {
        for (const r of reports) {
          const period = { from: new Date(r.from), to: new Date(r.to), bucket: r.bucket, now: clock.now() }
          const folded = await services.reports.seatUsageFromLog(orderId, period, true)
          seatHours += folded.rows.reduce((sum, row) => sum + row.seatHours, 0)
          expect(await services.reports.seatUsage(reads.seatTenures.period, orderId, period, true)).toEqual(folded)
          expect(await services.reports.seatUsage(fromReplay.period, orderId, period, true)).toEqual(folded)
          expect((await services.reports.seatUsage(reads.seatTenures.period, orderId, period)).details).toBeNull()
        }
      }
    } finally {
      replayed.close()
    }
    return seatHours
  } finally {
    await reads.close()
    await store.close()
    dir.remove()
  }
}

describe('the seat-usage report from the seat-tenure read model', () => {
  it('equals the report folded from the order stream, for random histories and periods', async () => {
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 80 }), fc.array(report, { minLength: 1, maxLength: 6 }), async (steps, reports) => {
      await check(steps, reports)
    }), { numRuns: 25 })
  }, 120_000)

  it('counts a history whose seats are busy every period, so the report cannot pass by being empty', async () => {
    const busy: Step[] = Array.from({ length: 30 }, (_, i): Step[] => [
      { kind: 'grant', license: 0, client: i % CLIENTS },
      { kind: 'grant', license: 0, client: (i + 1) % CLIENTS },
      { kind: 'hold', license: 0, client: i % CLIENTS, minutes: 20 },
      { kind: 'hold', license: 0, client: (i + 1) % CLIENTS, minutes: 20 },
      { kind: 'release', license: 0, client: (i + 1) % CLIENTS },
      { kind: 'tick', seconds: 1500 },
      { kind: 'sweep' },
    ]).flat()
    const seatHours = await check(busy, [{ from: START, to: START + 24 * 3_600_000, bucket: 'hour' }, { from: START + 10 * 60_000, to: START + 70 * 60_000, bucket: 'hour' }, { from: START + 90 * 60_000, to: START + 30 * 3_600_000, bucket: 'day' }])
    expect(seatHours).toBeGreaterThan(1)
  }, 60_000)
})
