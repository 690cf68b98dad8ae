// Property: for random seat histories (grants, heartbeats, releases,
// revocations, denials, sweeps of lapsed seats, cap changes, hours passing),
// the seat-usage report the API answers from the seat-tenure read model
// equals the report folded from the license's whole order stream, rows and
// details both, for any period (before, across or after the history, by hour
// or day), from the live read models (folded in small batches) and from a
// replay of the log (one batch).
import * as E from 'fp-ts/Either'
import fc from 'fast-check'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import type { CommandMeta } from '../../src/application/metadata.js'
import { createServices } from '../../src/application/services.js'
import type { Bucket, OrderTerms } from '../../src/domain/order/index.js'
import { createReadModels, READ_MODELS, readModelProjections } from '../../src/projections/index.js'
import { openReadStore } from '../../src/projections/read-store.js'
import { ensureBuiltBy } from '../../src/projections/read-model-set.js'
import { createReplayer } from '../../src/projections/replay.js'
import { seatTenureReader } from '../../src/projections/seat-tenures.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { seedTerms } from '../domain/fixtures.js'
import { testClock } from '../support/clock.js'
import { makeTempDir } from '../support/tmp.js'

const CLIENTS = 4
const START = new Date('2026-11-22T10:00:00.000Z').getTime()

type Step =
  | { readonly kind: 'grant' | 'heartbeat' | 'release' | 'revoke'; readonly license: number; readonly client: number }
  | { readonly kind: 'cap'; readonly license: number; readonly allowed: number }
  /** Minutes pass with the seat's holder beating every minute: a tenure long enough to span periods' starts. */
  | { readonly kind: 'hold'; readonly license: number; readonly client: number; readonly minutes: number }
  | { readonly kind: 'tick'; readonly seconds: number }
  | { readonly kind: 'sweep' }

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

const meta: CommandMeta = { actor: 'property', correlationId: 'property', causationId: null, requestId: null, clientIp: null, idempotencyKey: null }
const silent = pino({ level: 'silent' })
const terms = (allowed: number): OrderTerms => ({ ...seedTerms, activations_allowed: allowed })

/** Checks the property; returns the seat-hours the folded reports counted (so a test can tell it counted something). */
const check = async (steps: readonly Step[], reports: readonly Report[]): Promise<number> => {
  const dir = makeTempDir('seat-usage-property')
  const clock = testClock(new Date(START))
  const store = createSqliteEventStore({ path: dir.file('events.sqlite'), clock: clock.now, pollIntervalMs: 10 })
  const services = createServices({ store, clock: clock.now, adminToken: null })
  const reads = createReadModels({ store, path: dir.file('read-models.sqlite'), logger: silent, lastAppended: services.handler.lastAppended })
  reads.runner.start()
  try {
    const session = services.session
    const admin = { credentialId: 'test', scope: { kind: 'admin' as const } }
    const profile = { name: 'Rivers Inc', description: null, phone_number: null, fax_number: null, street: null, city: null, country: null, zip_code: null, state: null, Contacts: [], CustomTags: [] }
    await services.customers.create(session(), { type: 'CreateCustomer', profile }, meta)
    await services.productTemplates.create(session(), { type: 'CreateProductTemplate', name: 'Trial', productId: '1' }, meta)
    const orders: string[] = []
    for (const allowed of [2, 1]) {
      const created = await services.orders.create(session(), admin, { terms: terms(allowed), activationKey: null }, meta)
      if (E.isLeft(created)) throw new Error('the license was not created')
      orders.push(created.right.orderId)
    }
    const seats = new Map<string, string>()
    for (const s of steps) {
      clock.advance(1_000)
      if (s.kind === 'tick') {
        clock.advance(s.seconds * 1_000)
        continue
      }
      if (s.kind === 'sweep') {
        for (const orderId of orders) await services.usage.expireLapsed(session(), { type: 'ExpireLapsedSeats', orderId }, meta)
        continue
      }
      const orderId = orders[s.license]!
      if (s.kind === 'cap') {
        await services.orders.update(session(), admin, { type: 'UpdateOrder', orderId, terms: terms(s.allowed) }, meta)
        continue
      }
      const presenter = { clientId: `client-${s.client}`, machineId: `machine-${s.client}` }
      const seatId = seats.get(`${orderId}/${s.client}`)
      if (s.kind === 'grant') {
        const granted = await services.usage.request(session(), { type: 'RequestSeat', orderId, ...presenter, clientName: `Client ${s.client}`, clientAddr: null }, meta)
        if (E.isRight(granted) && granted.right.seat !== null) seats.set(`${orderId}/${s.client}`, granted.right.seat.seatId)
      } else if (seatId !== undefined) {
        if (s.kind === 'hold') {
          for (let minute = 0; minute < s.minutes; minute += 1) {
            clock.advance(60_000)
            await services.usage.heartbeat(session(), { type: 'HeartbeatSeat', orderId, seatId, ...presenter }, meta)
          }
        } else if (s.kind === 'heartbeat') await services.usage.heartbeat(session(), { type: 'HeartbeatSeat', orderId, seatId, ...presenter }, meta)
        else if (s.kind === 'release') await services.usage.release(session(), { type: 'ReleaseSeat', orderId, seatId, ...presenter }, meta)
        else await services.usage.revokeToken(session(), { type: 'RevokeLicenseToken', orderId, tokenId: seatId }, meta)
      }
    }

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
