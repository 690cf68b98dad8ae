// LEASE_HISTORY_RETENTION_DAYS applied to a stream of a seat's renewals, over
// a real SQLite store with a test clock: renewals older than the configured
// days are no longer read, the license's stream is never given a retention.
import * as E from 'fp-ts/Either'
import { v4 as uuid } from 'uuid'
import { afterAll, describe, expect, it } from 'vitest'
import { keepLeaseHistory, leaseHistoryRetention } from '../../src/application/lease-history.js'
import { systemMeta } from '../../src/application/metadata.js'
import { createServices } from '../../src/application/services.js'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import { CustomerProfileInput } from '../../src/domain/customer/index.js'
import { orderStream } from '../../src/domain/order/index.js'
import { seatStream } from '../../src/domain/seat/index.js'
import { ExpectedVersion, type NewEvent } from '../../src/store/port.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { seedTerms } from '../domain/fixtures.js'
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

describe('lease history retention on a license in use', () => {
  const dir = makeTempDir('lease-history-in-use')
  const clock = testClock()
  const store = createSqliteEventStore({ path: dir.file('events.sqlite'), clock: clock.now, retentionSweepIntervalMs: 0 })
  afterAll(async () => {
    await store.close()
    dir.remove()
  })
  const right = <A>(either: E.Either<unknown, A>): A => {
    if (E.isLeft(either)) throw new Error(JSON.stringify(either.left))
    return either.right
  }

  it('given 8 days configured, when a seat beats daily for 12 days, then its stream keeps 8 days of renewals, the license keeps its grant, and the seat lives on after a restart', async () => {
    const services = createServices({ store, clock: clock.now, adminToken: null, leaseHistoryRetentionDays: 8 })
    const meta = systemMeta('test', 'test')
    const session = services.session()
    right(await services.customers.create(session, { type: 'CreateCustomer', profile: right(CustomerProfileInput.decode({ name: 'Rivers Inc' })) }, meta))
    right(await services.productTemplates.create(session, { type: 'CreateProductTemplate', name: 'Trial', productId: '1' }, meta))
    const admin = { credentialId: 'test', scope: { kind: 'admin' as const } }
    const { orderId } = right(await services.orders.create(session, admin, { terms: seedTerms, activationKey: 'KEPT-KEY' as ActivationKey }, meta))
    // A daily heartbeat, a lease of a week: every beat renews (at least half an interval after the last).
    right(await services.usage.changeSeatSettings(services.session(), { type: 'ChangeSeatSettings', orderId, settings: { heartbeatIntervalSeconds: 86_400, leaseSeconds: 7 * 86_400 } }, meta))
    const requested = right(await services.usage.request(services.session(), { type: 'RequestSeat', orderId, clientId: 'c1', machineId: 'm1', clientName: null, clientAddr: null }, meta))
    const seatId = requested.seat!.seatId
    const heartbeat = { type: 'HeartbeatSeat' as const, orderId, seatId, clientId: 'c1', machineId: 'm1' }
    for (let day = 1; day <= 12; day += 1) {
      clock.advance(DAY)
      expect(right(await services.usage.heartbeat(services.session(), heartbeat, meta)).seat).not.toBeNull()
    }
    const kept = await store.readStream(seatStream(seatId))
    // Renewed on days 1..12; those not older than 8 days (4..12: day 4's is exactly 8 days old) are kept, the start and days 1..3 are not.
    expect(kept.map((event) => event.type)).toEqual(Array.from({ length: 9 }, () => 'SeatLeaseRenewed'))
    expect((await store.readStream(orderStream(orderId))).map((event) => event.type)).toContain('SeatGranted')
    // A new process (nothing cached) loads the seat from what is kept: still held.
    const restarted = createServices({ store, clock: clock.now, adminToken: null, leaseHistoryRetentionDays: 8 })
    clock.advance(60_000)
    expect(right(await restarted.usage.heartbeat(restarted.session(), heartbeat, meta)).seat).not.toBeNull()
  })
})
