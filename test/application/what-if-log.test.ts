// The what-if's reading of a license's log against a real SQLite store the
// engine's own services wrote: the license's stream and its seats' streams
// come back as one sequence of actions in log order, read once (a stream a
// page at a time, never again per action), and the reading stops at the
// period's end; through the store's reads, and from the log's own table
// (both plans), alike. A stored renewal that does not decode stops the
// reading with its error on every path, never skipped. And its replay of a
// period that starts after the license's last change: the proposal holds
// from the period's start.
import Database from 'better-sqlite3'
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { decodeRecorded, EventDecodeError } from '../../src/application/event-codec.js'
import { systemMeta } from '../../src/application/metadata.js'
import { createServices, type Services } from '../../src/application/services.js'
import { FACT, HEARTBEAT, readActionLog, RELEASE, REQUEST, type ActionLog, type StoredRows } from '../../src/application/what-if-log.js'
import { createWhatIf } from '../../src/application/what-if.js'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import { CustomerProfileInput } from '../../src/domain/customer/index.js'
import type { EventStore, RecordedEvent } from '../../src/store/port.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { sqliteStreamRows } from '../../src/store/sqlite-stream-rows.js'
import { seedTerms } from '../domain/fixtures.js'
import { testClock } from '../support/clock.js'
import { makeTempDir } from '../support/tmp.js'

const right = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) throw new Error(JSON.stringify(either.left))
  return either.right
}

/** A customer, a template and a license of `seats` seats under `activationKey`, written through the services: its order id. */
const aLicense = async (services: Services, seats: number, activationKey: string): Promise<string> => {
  const meta = systemMeta('test', 'test')
  const admin = { credentialId: 'test', scope: { kind: 'admin' as const } }
  right(await services.customers.create(services.session(), { type: 'CreateCustomer', profile: right(CustomerProfileInput.decode({ name: 'Rivers Inc' })) }, meta))
  right(await services.productTemplates.create(services.session(), { type: 'CreateProductTemplate', name: 'Trial', productId: '1' }, meta))
  return right(await services.orders.create(services.session(), admin, { terms: { ...seedTerms, activations_allowed: seats }, activationKey: activationKey as ActivationKey }, meta)).orderId
}

/** What the log says, the simple way: every stream read whole, merged by sorting on position. */
const expectedKinds = async (store: EventStore, orderId: string): Promise<readonly string[]> => {
  const order = await store.readStream(`order-${orderId}`)
  const seatIds = order.flatMap((r) => (r.type === 'SeatGranted' ? [(r.data as { seatId: string }).seatId] : []))
  const seats = await Promise.all(seatIds.map((seatId) => store.readStream(`seat-${seatId}`)))
  const merged: RecordedEvent[] = [...order, ...seats.flat()].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0))
  return merged.flatMap((recorded) => {
    const { event } = decodeRecorded(recorded)
    const fromSeat = recorded.streamName.startsWith('seat-')
    if (fromSeat) return event.type === 'SeatLeaseRenewed' ? [`heartbeat ${event.data.clientId} ${event.data.at}`] : []
    switch (event.type) {
      case 'SeatGranted':
      case 'SeatRequestDenied':
        return [`request ${event.data.clientId} ${event.data.at}`]
      case 'SeatReleased':
        return [`release ${event.data.clientId} ${event.data.at}`]
      case 'SeatExpired':
        return []
      default:
        return ['fact']
    }
  })
}

const names = { [REQUEST]: 'request', [HEARTBEAT]: 'heartbeat', [RELEASE]: 'release', [FACT]: 'fact' } as Record<number, string>
/** The actions read, as the simple reading above names them. */
const kindsOf = (log: ActionLog): readonly string[] =>
  Array.from({ length: log.length }, (_, i) => {
    const kind = log.kinds[i]!
    if (kind === FACT) return 'fact'
    const detail = kind === REQUEST ? (log.details[log.refs[i]!] as { client: { clientId: string } }).client : log.clients[log.refs[i]!]!
    return `${names[kind]} ${detail.clientId} ${new Date(log.times[i]!).toISOString()}`
  })

/** Every way there is to read the log: the store's reads, and its table by either plan or by the one it chooses. */
const readers = (path: string): readonly (readonly [string, StoredRows | undefined])[] => [
  ['the store’s reads', undefined],
  ['the table, scanned', sqliteStreamRows(path, { plan: 'scan' })],
  ['the table, by its stream index', sqliteStreamRows(path, { plan: 'index' })],
  ['the table, as chosen', sqliteStreamRows(path)],
]

describe('what-if: reading a license’s log', () => {
  it('gives the license’s and its seats’ actions in log order, reading each stream once a page at a time, up to the period’s end', async () => {
    const dir = makeTempDir('what-if-log')
    const clock = testClock()
    const sqlite = createSqliteEventStore({ path: dir.file('events.sqlite'), clock: clock.now })
    let reads = 0
    const store: EventStore = {
      ...sqlite,
      readStream: (...args) => {
        reads += 1
        return sqlite.readStream(...args)
      },
    }
    try {
      const services = createServices({ store: sqlite, clock: clock.now, adminToken: null })
      const meta = systemMeta('test', 'test')
      const session = () => services.session()
      const orderId = await aLicense(services, 2, 'WHAT-IF-LOG')
      const client = (n: number) => ({ clientId: `c${n}`, machineId: `m${n}`, clientName: null, clientAddr: null })
      const seatIds: Record<number, string> = {}
      const request = async (n: number) => {
        const { seat } = right(await services.usage.request(session(), { type: 'RequestSeat', orderId, ...client(n) }, meta))
        if (seat !== null) seatIds[n] = seat.seatId
      }
      const beat = async (n: number) =>
        right(await services.usage.heartbeat(session(), { type: 'HeartbeatSeat', orderId, seatId: seatIds[n]!, clientId: `c${n}`, machineId: `m${n}` }, meta))
      await request(1)
      await request(2)
      await request(3)
      for (let minute = 0; minute < 3; minute += 1) {
        clock.advance(60_000)
        await beat(1)
        await beat(2)
      }
      const midway = clock.now().getTime() + 30_000
      right(await services.usage.release(session(), { type: 'ReleaseSeat', orderId, seatId: seatIds[1]!, clientId: 'c1', machineId: 'm1' }, meta))
      clock.advance(60_000)
      await request(3)
      for (let minute = 0; minute < 2; minute += 1) {
        clock.advance(60_000)
        await beat(2)
        await beat(3)
      }

      const log = (await readActionLog(store, orderId, Infinity))!
      const kinds = kindsOf(log)
      expect(kinds).toEqual(await expectedKinds(sqlite, orderId))
      expect(kinds.filter((k) => k.startsWith('heartbeat'))).toHaveLength(10)
      // The order's stream, then for each of its 3 seats its size and its one page: never once per action.
      expect(reads).toBe(1 + 2 * 3)

      const early = (await readActionLog(store, orderId, midway))!
      // Up to the first request, heartbeat or release at or after the end: the request after the release.
      expect(early.length).toBe(kinds.findIndex((k) => k !== 'fact' && Date.parse(k.split(' ')[2]!) >= midway))
      expect(kinds[early.length]).toMatch(/^request c3 /)
      expect(Math.max(...early.times)).toBeLessThan(midway)
      expect(await readActionLog(store, 'no-such-order', Infinity)).toBeNull()

      // From the table, by either plan: the same actions, and the same end of the period.
      for (const [how, rows] of readers(dir.file('events.sqlite'))) {
        expect(kindsOf((await readActionLog(sqlite, orderId, Infinity, undefined, rows))!), how).toEqual(kinds)
        expect(kindsOf((await readActionLog(sqlite, orderId, midway, undefined, rows))!), how).toEqual(kinds.slice(0, early.length))
      }
    } finally {
      await sqlite.close()
      dir.remove()
    }
  })

  it('reads a renewal stored in another form as decoding gives it, and stops at one that does not decode, on every path', async () => {
    const dir = makeTempDir('what-if-undecodable')
    const path = dir.file('events.sqlite')
    const clock = testClock()
    const store = createSqliteEventStore({ path, clock: clock.now })
    try {
      const services = createServices({ store, clock: clock.now, adminToken: null })
      const meta = systemMeta('test', 'test')
      const session = () => services.session()
      const orderId = await aLicense(services, 2, 'WHAT-IF-BAD')
      const seats = []
      for (const n of [1, 2]) seats.push(right(await services.usage.request(session(), { type: 'RequestSeat', orderId, clientId: `c${n}`, machineId: `m${n}`, clientName: null, clientAddr: null }, meta)).seat!)
      for (let minute = 0; minute < 3; minute += 1) {
        clock.advance(60_000)
        for (const [i, seat] of seats.entries()) right(await services.usage.heartbeat(session(), { type: 'HeartbeatSeat', orderId, seatId: seat.seatId, clientId: `c${i + 1}`, machineId: `m${i + 1}` }, meta))
      }
      const db = new Database(path)
      const renewals = db.prepare("SELECT position, data, metadata FROM events WHERE type = 'SeatLeaseRenewed' ORDER BY position").all() as { position: number; data: string; metadata: string }[]
      expect(renewals).toHaveLength(6)
      const rewrite = (position: number, data: string, metadata?: string): void => {
        db.prepare('UPDATE events SET data = ?, metadata = coalesce(?, metadata) WHERE position = ?').run(data, metadata ?? null, position)
      }
      const [first, second, third] = renewals as [(typeof renewals)[0], (typeof renewals)[0], (typeof renewals)[0]]
      const kindsBy = async (rows: StoredRows | undefined) => kindsOf((await readActionLog(store, orderId, Infinity, undefined, rows))!)
      const expected = await kindsBy(undefined)
      expect(expected.filter((k) => k.startsWith('heartbeat'))).toHaveLength(6)

      // Forms the engine does not write, which decode all the same: keys in another order, a number as text, a retention on a seat's stream.
      const { at, ...rest } = JSON.parse(first.data) as Record<string, unknown>
      rewrite(first.position, JSON.stringify({ at, ...rest }))
      rewrite(second.position, JSON.stringify({ ...(JSON.parse(second.data) as object), heartbeatIntervalSeconds: '60' }))
      for (const [how, rows] of readers(path)) expect(await kindsBy(rows), how).toEqual(expected)
      db.prepare('INSERT INTO stream_retention (stream, max_age_seconds, max_count) VALUES (?, NULL, 1000)').run(`seat-${seats[0]!.seatId}`)
      expect(sqliteStreamRows(path).rows([`seat-${seats[0]!.seatId}`], 'SeatLeaseRenewed')).toBeNull()
      for (const [how, rows] of readers(path)) expect(await kindsBy(rows), how).toEqual(expected)
      db.prepare('DELETE FROM stream_retention').run()

      // A renewal that does not decode: an error naming it, whichever way the log is read.
      const original = third.data
      for (const [what, data, metadata] of [
        ['a time that is none', JSON.stringify({ ...(JSON.parse(original) as object), at: 'not a time' }), undefined],
        ['an empty client id', JSON.stringify({ ...(JSON.parse(original) as object), clientId: '' }), undefined],
        ['a field missing', JSON.stringify({ ...(JSON.parse(original) as object), leaseExpiresAt: undefined }), undefined],
        ['metadata without its schema version', original, JSON.stringify({ ...(JSON.parse(third.metadata) as object), schemaVersion: undefined })],
        ['text that is not JSON', original.slice(0, -1), undefined],
      ] as const) {
        rewrite(third.position, data, metadata ?? third.metadata)
        for (const [how, rows] of readers(path)) {
          const reading = readActionLog(store, orderId, Infinity, undefined, rows)
          if (what === 'text that is not JSON') await expect(reading, `${what}, ${how}`).rejects.toThrow(SyntaxError)
          else await expect(reading, `${what}, ${how}`).rejects.toThrow(EventDecodeError)
        }
      }
      db.close()
    } finally {
      await store.close()
      dir.remove()
    }
  })

  it('applies the proposal from the period’s start, though the license did not change since', async () => {
    const dir = makeTempDir('what-if-start')
    const clock = testClock()
    const store = createSqliteEventStore({ path: dir.file('events.sqlite'), clock: clock.now })
    try {
      const services = createServices({ store, clock: clock.now, adminToken: null })
      const meta = systemMeta('test', 'test')
      const session = () => services.session()
      const orderId = await aLicense(services, 3, 'WHAT-IF-START')
      const request = async (n: number) =>
        right(await services.usage.request(session(), { type: 'RequestSeat', orderId, clientId: `c${n}`, machineId: `m${n}`, clientName: null, clientAddr: null }, meta)).seat
      const first = await request(1)
      const second = await request(2)
      clock.advance(60_000)
      for (const [n, seat] of [[1, first], [2, second]] as const) {
        right(await services.usage.heartbeat(session(), { type: 'HeartbeatSeat', orderId, seatId: seat!.seatId, clientId: `c${n}`, machineId: `m${n}` }, meta))
      }
      const from = new Date(clock.now().getTime() + 1_000)
      clock.advance(2_000)
      expect(await request(3)).not.toBeNull()
      const to = new Date(clock.now().getTime() + 1_000)

      const report = (await createWhatIf(store).run(orderId, { from, to }, { seats: 2 }))!
      expect(report.recorded).toMatchObject({ requests: 1, grants: 1, denials: 0 })
      expect(report.proposed).toMatchObject({ requests: 1, grants: 0, denials: 1, deniedClients: [{ clientId: 'c3', machineId: 'm3', at: new Date(to.getTime() - 1_000).toISOString() }] })
    } finally {
      await store.close()
      dir.remove()
    }
  })
})
