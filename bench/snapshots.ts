// A cold load of a long-lived license (the first request on it after a start,
// or after the command handler's cache let it go) with snapshots against the
// baseline in the same run: the same load folding the order stream from its
// first event. The stream is written by the engine's own application layer
// (services with a test clock): a busy floating license whose seats are
// requested (some refused), heartbeated, released, left to lapse and swept,
// with activations and term changes now and then. It is decided in memory,
// then copied into a SQLite log on disk, which the loads read.
import * as E from 'fp-ts/Either'
import { ADMIN_TOKEN_ID, type Principal } from '../src/application/credentials.js'
import { OrderAggregate } from '../src/application/aggregates.js'
import { createCommandHandler } from '../src/application/command-handler.js'
import type { CommandMeta } from '../src/application/metadata.js'
import { createServices, type Services } from '../src/application/services.js'
import { createSnapshots, type Snapshots } from '../src/application/snapshots.js'
import { DEFAULT_SNAPSHOT_INTERVAL } from '../src/config.js'
import { noActivationDetails, orderStream } from '../src/domain/order/index.js'
import { createLogger } from '../src/logger.js'
import { ExpectedVersion, type EventStore } from '../src/store/port.js'
import { openSqliteSnapshotStore } from '../src/store/snapshots.js'
import { createSqliteEventStore } from '../src/store/sqlite.js'
import { seedTerms } from '../test/domain/fixtures.js'
import { testClock } from '../test/support/clock.js'
import { eventReads } from '../test/support/event-reads.js'
import { makeTempDir } from '../test/support/tmp.js'
import { progress } from './progress.js'
import { random } from './replay-log.js'

const EVENTS = Number(process.env.BENCH_SNAPSHOT_EVENTS ?? 20_000)
const SEATS = 40
const CLIENTS = 120
const RUNS = 20
const silent = createLogger('silent')

const right = <A>(either: E.Either<unknown, A>, what: string): A => {
  if (E.isLeft(either)) throw new Error(`${what} failed: ${JSON.stringify(either.left)}`)
  return either.right
}

const admin: Principal = { credentialId: ADMIN_TOKEN_ID, scope: { kind: 'admin' } }
const meta: CommandMeta = { actor: 'bench', correlationId: 'bench', causationId: null, requestId: null, clientIp: null, idempotencyKey: null }
const terms = (seats: number) => ({ ...seedTerms, activations_allowed: seats, deactivations_allowed: null })

let termChanges = 0

/** Changes the license's terms `times` times, each to other terms than the last: an event each. */
const changeTerms = async (services: Services, orderId: string, times: number): Promise<number> => {
  for (let i = 0; i < times; i += 1) {
    termChanges += 1
    right(await services.orders.update(services.session(), admin, { type: 'UpdateOrder', orderId, terms: terms(SEATS + (termChanges % 2)) }, meta), 'update')
  }
  return times
}

/** One busy license's life, minute by minute, until its order's stream holds `events` events (its seats' renewals are in their own streams); returns the order's id. */
const busyLicense = async (services: Services, clock: ReturnType<typeof testClock>, events: number): Promise<string> => {
  const session = services.session
  const next = random(20260302)
  const profile = { name: 'Build farm Inc', description: null, phone_number: null, fax_number: null, street: null, city: null, country: null, zip_code: null, state: null, Contacts: [], CustomTags: [] }
  right(await services.customers.create(session(), { type: 'CreateCustomer', profile }, meta), 'customer')
  right(await services.productTemplates.create(session(), { type: 'CreateProductTemplate', name: 'Compiler', productId: '1' }, meta), 'template')
  const { orderId } = right(await services.orders.create(session(), admin, { terms: terms(SEATS), activationKey: null }, meta), 'order')
  const held = new Map<number, { seatId: string; alive: boolean }>()
  const who = (client: number) => ({ clientId: `client-${client}`, machineId: `machine-${client}` })
  const shown = progress("deciding a busy license's order stream through the application layer", events)
  let written = 1
  const count = (n: number): void => {
    written += n
    shown.tick(n)
  }
  for (let minute = 0; written < events; minute += 1) {
    clock.advance(60_000)
    for (const [client, seat] of [...held]) {
      const roll = next()
      if (roll < 0.03) {
        count(right(await services.usage.release(session(), { type: 'ReleaseSeat', orderId, seatId: seat.seatId, ...who(client) }, meta), 'release').events.length)
        held.delete(client)
      } else if (roll < 0.05) seat.alive = false
      else if (seat.alive) {
        const beat = await services.usage.heartbeat(session(), { type: 'HeartbeatSeat', orderId, seatId: seat.seatId, ...who(client) }, meta)
        if (E.isRight(beat)) count(beat.right.events.length)
        if (E.isLeft(beat) || beat.right.seat === null) held.delete(client)
      }
    }
    for (let ask = 0; ask < 4; ask += 1) {
      const client = Math.floor(next() * CLIENTS)
      if (held.has(client)) continue
      const requested = right(await services.usage.request(session(), { type: 'RequestSeat', orderId, ...who(client), clientName: 'build agent', clientAddr: null }, meta), 'request')
      count(requested.events.length)
      if (requested.seat !== null) held.set(client, { seatId: requested.seat.seatId, alive: true })
    }
    if (minute % 5 === 4) count(right(await services.usage.expireLapsed(session(), { type: 'ExpireLapsedSeats', orderId }, meta), 'sweep'))
    if (minute % 60 === 59) {
      // A workstation is activated, or deactivated when it already was (or no place is free).
      const workstation = who(1000 + Math.floor(next() * 5))
      const activated = await services.usage.activate(session(), { type: 'ActivateMachine', orderId, ...workstation, clientName: 'workstation', clientAddr: null, details: noActivationDetails }, meta)
      if (E.isRight(activated) && activated.right.events.length > 0) count(activated.right.events.length)
      else {
        const deactivated = await services.usage.deactivate(session(), { type: 'DeactivateMachine', orderId, activation: workstation }, meta)
        if (E.isRight(deactivated)) count(deactivated.right.events.length)
      }
    }
    if (minute % 600 === 599) count(await changeTerms(services, orderId, 1))
  }
  shown.done()
  return orderId
}

/** Copies a stream, as it was written, into another log, a thousand events per append. */
const copyStream = async (from: EventStore, to: EventStore, streamName: string): Promise<number> => {
  const recorded = await from.readStream(streamName)
  for (let at = 0; at < recorded.length; at += 1_000) {
    const events = recorded.slice(at, at + 1_000).map(({ id, type, data, metadata }) => ({ id, type, data, metadata }))
    right(await to.appendToStream(streamName, events as never, ExpectedVersion.any), 'copy')
  }
  return recorded.length
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** The median time of a cold load (a handler with an empty cache), and the events it read. */
const coldLoads = async (log: EventStore, streamName: string, snapshots: () => Snapshots | undefined): Promise<{ readonly ms: number; readonly read: number }> => {
  const reads = eventReads()
  const counted = reads.wrap(log)
  const times: number[] = []
  for (let run = 0; run < RUNS; run += 1) {
    const kept = snapshots()
    reads.reset()
    const handler = createCommandHandler({ store: counted, clock: () => new Date(), snapshots: kept })
    const started = performance.now()
    await handler.load(OrderAggregate, streamName)
    times.push(performance.now() - started)
    kept?.close()
  }
  return { ms: median(times), read: reads.read() }
}

export const benchSnapshots = async (): Promise<void> => {
  const dir = makeTempDir('bench-snapshots')
  const clock = testClock(new Date('2026-03-02T08:00:00.000Z'))
  const memory = createSqliteEventStore({ path: ':memory:', clock: clock.now })
  const log = createSqliteEventStore({ path: dir.file('events.sqlite'), clock: clock.now })
  const interval = DEFAULT_SNAPSHOT_INTERVAL
  const snapshotsFile = (): Snapshots => createSnapshots({ store: openSqliteSnapshotStore(dir.file('snapshots.sqlite')), interval, logger: silent })
  try {
    const orderId = await busyLicense(createServices({ store: memory, clock: clock.now, adminToken: null }), clock, EVENTS)
    const streamName = orderStream(orderId)
    // What a change of the terms reads besides the order: its customer and template.
    for (const other of ['customer-1', 'productTemplate-1']) await copyStream(memory, log, other)
    await copyStream(memory, log, streamName)

    // A process with snapshots loads the stream (and takes one), then the license lives on for half an interval.
    const kept = snapshotsFile()
    const before = (await createCommandHandler({ store: log, clock: clock.now, snapshots: kept }).load(OrderAggregate, streamName)).state
    kept.close()
    const state = JSON.stringify(before)
    const tookMs = median(Array.from({ length: RUNS }, () => {
      const started = performance.now()
      JSON.stringify(before)
      return performance.now() - started
    }))
    const living = snapshotsFile()
    await changeTerms(createServices({ store: log, clock: clock.now, adminToken: null, snapshots: living }), orderId, interval / 2)
    living.close()

    const without = await coldLoads(log, streamName, () => undefined)
    const withSnapshots = await coldLoads(log, streamName, snapshotsFile)
    console.log(`a busy license's order stream: ${without.read} events; its state: ${(state.length / 1024).toFixed(1)} KiB of JSON`)
    console.log(`cold load, folding from the first event: ${without.ms.toFixed(2)} ms (${without.read} events read)`)
    console.log(`cold load from a snapshot (every ${interval} events): ${withSnapshots.ms.toFixed(2)} ms (${withSnapshots.read} events read: the snapshot's own and ${withSnapshots.read - 1} after it)`)
    console.log(`ratio: ${(without.ms / withSnapshots.ms).toFixed(0)}x faster; taking a snapshot: ${tookMs.toFixed(2)} ms of JSON on the request's path, the write after it`)
  } finally {
    await memory.close()
    await log.close()
    dir.remove()
  }
}
