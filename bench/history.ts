// A license's cost over its history: 100 floating seats heartbeating at the
// default interval (60 s) around the clock for a simulated number of days,
// through the engine's own application layer with a test clock, into a SQLite
// log on disk (with the snapshots file a node keeps). Then, as after a
// restart (the log and snapshots opened afresh, every cache empty), the time
// of the first requests on that license: a seat request (it reads the order and
// every held seat's stream) and a heartbeat. Run for two lengths of history
// (BENCH_HISTORY_DAYS, default "1,2"; the figure is 30) to show the
// license stream and the first request do not grow with the days: renewals
// are in the seats' own streams. "The old way" for comparison is what the
// license stream would hold had every renewal been written there, as before.
import { statSync } from 'node:fs'
import * as E from 'fp-ts/Either'
import { ADMIN_TOKEN_ID, type Principal } from '../src/application/credentials.js'
import type { CommandMeta } from '../src/application/metadata.js'
import { createServices, type Services } from '../src/application/services.js'
import { createSnapshots, type Snapshots } from '../src/application/snapshots.js'
import { DEFAULT_SNAPSHOT_INTERVAL } from '../src/config.js'
import { orderStream } from '../src/domain/order/index.js'
import { createLogger } from '../src/logger.js'
import { openSqliteSnapshotStore } from '../src/store/snapshots.js'
import { createSqliteEventStore } from '../src/store/sqlite.js'
import { seedTerms } from '../test/domain/fixtures.js'
import { testClock } from '../test/support/clock.js'
import { makeTempDir } from '../test/support/tmp.js'
import { progress } from './progress.js'

const SEATS = 100
const DAYS = (process.env.BENCH_HISTORY_DAYS ?? '1,2').split(',').map(Number)
const RUNS = 5
const silent = createLogger('silent')
const admin: Principal = { credentialId: ADMIN_TOKEN_ID, scope: { kind: 'admin' } }
const meta: CommandMeta = { actor: 'bench', correlationId: 'bench', causationId: null, requestId: null, clientIp: null, idempotencyKey: null }

const right = <A>(either: E.Either<unknown, A>, what: string): A => {
  if (E.isLeft(either)) throw new Error(`${what} failed: ${JSON.stringify(either.left)}`)
  return either.right
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

interface History {
  readonly days: number
  readonly licenseStreamEvents: number
  readonly totalEvents: number
  readonly renewals: number
  readonly bytesOnDisk: number
  readonly firstRequestMs: number
  readonly firstHeartbeatMs: number
}

const lived = async (days: number): Promise<History> => {
  const dir = makeTempDir('bench-history')
  const clock = testClock(new Date('2026-03-02T08:00:00.000Z'))
  const logPath = dir.file('events.sqlite')
  const snapshotsFile = (): Snapshots => createSnapshots({ store: openSqliteSnapshotStore(dir.file('snapshots.sqlite')), interval: DEFAULT_SNAPSHOT_INTERVAL, logger: silent })
  try {
    // The license's life, written as a node writes it.
    const log = createSqliteEventStore({ path: logPath, clock: clock.now })
    const kept = snapshotsFile()
    const services: Services = createServices({ store: log, clock: clock.now, adminToken: null, snapshots: kept })
    const session = services.session
    right(await services.customers.create(session(), { type: 'CreateCustomer', profile: { name: 'Build farm Inc', description: null, phone_number: null, fax_number: null, street: null, city: null, country: null, zip_code: null, state: null, Contacts: [], CustomTags: [] } }, meta), 'customer')
    right(await services.productTemplates.create(session(), { type: 'CreateProductTemplate', name: 'Compiler', productId: '1' }, meta), 'template')
    const { orderId } = right(await services.orders.create(session(), admin, { terms: { ...seedTerms, activations_allowed: SEATS }, activationKey: null }, meta), 'order')
    const seats: { seatId: string; clientId: string; machineId: string }[] = []
    for (let n = 0; n < SEATS; n += 1) {
      const who = { clientId: `client-${n}`, machineId: `machine-${n}` }
      const { seat } = right(await services.usage.request(session(), { type: 'RequestSeat', orderId, ...who, clientName: 'build agent', clientAddr: null }, meta), 'request')
      seats.push({ seatId: seat!.seatId, ...who })
    }
    const minutes = days * 24 * 60
    const shown = progress(`${SEATS} seats heartbeating for ${days} day(s)`, minutes)
    let renewals = 0
    for (let minute = 0; minute < minutes; minute += 1) {
      clock.advance(60_000)
      const beats = await Promise.all(seats.map((seat) => services.usage.heartbeat(session(), { type: 'HeartbeatSeat', orderId, ...seat }, meta)))
      for (const beat of beats) {
        const { seat, written } = right(beat, 'heartbeat')
        if (seat === null) throw new Error('a seat heartbeating every interval lapsed')
        renewals += written
      }
      shown.tick(1)
    }
    shown.done()
    kept.close()
    await log.close()
    const bytesOnDisk = ['', '-wal', '-shm'].reduce((sum, suffix) => {
      try {
        return sum + statSync(`${logPath}${suffix}`).size
      } catch {
        return sum
      }
    }, 0)

    // As after a restart: the log and the snapshots opened afresh, every cache empty; the first request on the license.
    const cold = async (request: (services: Services) => Promise<void>): Promise<number> => {
      const times: number[] = []
      for (let run = 0; run < RUNS; run += 1) {
        const store = createSqliteEventStore({ path: logPath, clock: clock.now })
        const snapshots = snapshotsFile()
        const fresh = createServices({ store, clock: clock.now, adminToken: null, snapshots })
        const started = performance.now()
        await request(fresh)
        times.push(performance.now() - started)
        snapshots.close()
        await store.close()
      }
      return median(times)
    }
    // A client asking again for its seat (it holds one): the order and every held seat's stream are read.
    const seat = seats[0]!
    const firstRequestMs = await cold(async (fresh) => {
      right(await fresh.usage.request(fresh.session(), { type: 'RequestSeat', orderId, clientId: seat.clientId, machineId: seat.machineId, clientName: 'build agent', clientAddr: null }, meta), 'request')
    })
    const firstHeartbeatMs = await cold(async (fresh) => {
      right(await fresh.usage.heartbeat(fresh.session(), { type: 'HeartbeatSeat', orderId, ...seat }, meta), 'heartbeat')
    })
    const store = createSqliteEventStore({ path: logPath, clock: clock.now })
    const licenseStreamEvents = (await store.readStream(orderStream(orderId))).length
    const totalEvents = Number((await store.headPosition()) ?? 0n)
    await store.close()
    return { days, licenseStreamEvents, totalEvents, renewals, bytesOnDisk, firstRequestMs, firstHeartbeatMs }
  } finally {
    dir.remove()
  }
}

export const benchHistory = async (): Promise<void> => {
  const results: History[] = []
  for (const days of DAYS) {
    const history = await lived(days)
    results.push(history)
    const mib = (history.bytesOnDisk / 1_048_576).toFixed(1)
    console.log(
      `${days} day(s), ${SEATS} seats: license stream ${history.licenseStreamEvents} events (the old way: ${history.licenseStreamEvents + history.renewals}); ` +
        `${history.totalEvents} events in all, ${history.renewals} renewals in the seats' streams; ${mib} MiB on disk; ` +
        `first request after a restart ${history.firstRequestMs.toFixed(1)} ms, first heartbeat ${history.firstHeartbeatMs.toFixed(1)} ms`,
    )
  }
  console.log(JSON.stringify({ bench: 'history', seats: SEATS, runs: results }))
}
