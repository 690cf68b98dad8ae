// A realistic event log for the replay and start-up benchmarks, written by the
// engine's own application layer (services with a test clock), not by hand:
// customers, product templates and API keys; licenses created and now and
// then changed; floating seats requested (some denied), heartbeated (a
// renewal every other beat, in the seat's own stream), released, and left to
// expire and swept. Built
// once and cached, since a million events take minutes to decide and write.
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/Either'
import { v4 as uuid } from 'uuid'
import { ADMIN_TOKEN_ID, type Principal } from '../src/application/credentials.js'
import { createServices, type Services } from '../src/application/services.js'
import type { CommandMeta } from '../src/application/metadata.js'
import { OrderTerms } from '../src/domain/order/terms.js'
import { createSqliteEventStore } from '../src/store/sqlite.js'
import { testClock } from '../test/support/clock.js'
import { progress } from './progress.js'

/** Bump when the mix below changes, so a cached log of the old mix is not used. */
const MIX_VERSION = 2

export interface LogShape {
  readonly events: number
  readonly licenses: number
}

/** A million events over a thousand licenses, unless BENCH_EVENTS and BENCH_LICENSES say otherwise. */
export const logShape = (): LogShape => ({ events: Number(process.env.BENCH_EVENTS ?? 1_000_000), licenses: Number(process.env.BENCH_LICENSES ?? 1_000) })

/** A small deterministic generator (mulberry32), so every build of a log makes the same choices. */
export const random = (seed: number): (() => number) => {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const right = <A>(either: E.Either<unknown, A>, what: string): A => {
  if (E.isLeft(either)) throw new Error(`${what} failed: ${JSON.stringify(either.left)}`)
  return either.right
}

const terms = (customerId: number, templateId: number, seats: number): OrderTerms =>
  right(OrderTerms.decode({
  customer_id: customerId,
  product_template_id: templateId,
  license_type: 'network',
  licensee_type: 'customer',
  licensee: null,
  hostid_match_rate: 100,
  min_hostids: 0,
  activations_allowed: seats,
  enabled: true,
  description: 'Floating licence for the build farm',
  settings_description: null,
  removal: false,
  deactivations_allowed: null,
  Hostids: [{ name: 'hostname', min_amount: 0, max_amount: 1 }],
  Features: [
    {
      name: 'Compiler',
      version: '12.0',
      expiration_type: 'no_expiration',
      expiration_date: null,
      days_from_activation: null,
      issued_type: 'activation_time',
      issued_date: null,
      options: null,
      additional_settings: null,
      count: seats,
      maintenance_type: 'no_maintenance',
      maintenance_date: null,
      maintenance_days_from_activation: null,
      enabled: true,
      comment: null,
    },
  ],
  }), 'terms')

interface Held {
  readonly clientId: string
  readonly machineId: string
  readonly seatId: string
  /** false: the client went away without releasing; its seat lapses. */
  alive: boolean
}

interface License {
  readonly orderId: string
  readonly customerId: number
  readonly templateId: number
  seats: number
  readonly held: Held[]
  clients: number
}

/** Writes the log into `path` (a new SQLite event log) until it holds at least `shape.events` events. */
const generate = async (path: string, shape: LogShape): Promise<void> => {
  const clock = testClock(new Date('2026-03-02T08:00:00.000Z'))
  const store = createSqliteEventStore({ path, clock: clock.now })
  const services: Services = createServices({ store, clock: clock.now, adminToken: 'bench-admin-token-0123456789' })
  const admin: Principal = { credentialId: ADMIN_TOKEN_ID, scope: { kind: 'admin' } }
  // Each step is a request of its own, as over HTTP: a session reads each stream it needs once.
  const session = services.session
  const next = random(20260302)
  const pick = <A>(items: readonly A[]): A => items[Math.floor(next() * items.length)]!
  const addresses = Array.from({ length: 200 }, (_, i) => `198.51.${Math.floor(i / 100)}.${i % 100}`)
  const meta = (actor: string): CommandMeta => {
    const requestId = uuid()
    return { actor, correlationId: requestId, causationId: requestId, requestId, clientIp: pick(addresses), idempotencyKey: null }
  }

  const shown = progress('building the log through the application layer', shape.events)
  let written = 0
  const count = (n: number): void => {
    written += n
    shown.tick(n)
  }
  const customers: number[] = []
  for (let i = 0; i < Math.max(1, Math.round(shape.licenses / 20)); i += 1) {
    const profile = {
      name: `Customer ${i}`, description: null, phone_number: '+1 555 0100', fax_number: null, street: `${i} Main Street`, city: 'Shortport',
      country: 'USA', zip_code: '12345', state: null, Contacts: [{ name: 'Ops', email: `ops${i}@example.com` }], CustomTags: [],
    }
    customers.push(right(await services.customers.create(session(), { type: 'CreateCustomer', profile }, meta('admin-token')), 'customer').customerId)
    count(2)
  }
  const templates: number[] = []
  for (let i = 0; i < 5; i += 1) {
    templates.push(right(await services.productTemplates.create(session(), { type: 'CreateProductTemplate', name: `Product ${i}`, productId: `product-${i}` }, meta('admin-token')), 'template').templateId)
    count(2)
  }
  const keys: string[] = []
  for (let i = 0; i < 5; i += 1) {
    keys.push(right(await services.credentials.issue(session(), { name: `reseller ${i}`, scope: { kind: 'product', productId: `product-${i}` }, expiresAt: null }, meta('admin-token')), 'API key').key.keyId)
    count(1)
  }
  const licenses: License[] = []
  for (let i = 0; i < shape.licenses; i += 1) {
    const customerId = pick(customers)
    const templateId = pick(templates)
    const seats = 4 + Math.floor(next() * 12)
    const order = right(await services.orders.create(session(), admin, { terms: terms(customerId, templateId, seats), activationKey: null }, meta(pick(keys))), 'order')
    licenses.push({ orderId: order.orderId, customerId, templateId, seats, held: [], clients: 0 })
    count(2)
  }

  // One minute of the license's life: each client alive beats (the lease is renewed every other beat), some
  // release, some go away without a word; now and then a new client asks for a seat and may be refused.
  const minute = async (license: License): Promise<void> => {
    const actor = `key-${license.templateId}`
    for (const held of [...license.held]) {
      if (!held.alive) continue
      const roll = next()
      if (roll < 0.02) {
        count(right(await services.usage.release(session(), { type: 'ReleaseSeat', orderId: license.orderId, seatId: held.seatId, clientId: held.clientId, machineId: held.machineId }, meta(actor)), 'release').written)
        license.held.splice(license.held.indexOf(held), 1)
      } else if (roll < 0.04) {
        held.alive = false
      } else {
        const beat = await services.usage.heartbeat(session(), { type: 'HeartbeatSeat', orderId: license.orderId, seatId: held.seatId, clientId: held.clientId, machineId: held.machineId }, meta(actor))
        if (E.isRight(beat)) count(beat.right.written)
        // The seat lapsed meanwhile (its client was slow): it is gone.
        if (E.isLeft(beat) || beat.right.seat === null) license.held.splice(license.held.indexOf(held), 1)
      }
    }
    if (next() < 0.15) {
      license.clients += 1
      const requester = { clientId: `client-${license.clients}`, machineId: `machine-${license.clients}`, clientName: 'build agent', clientAddr: null }
      const requested = right(await services.usage.request(session(), { type: 'RequestSeat', orderId: license.orderId, ...requester }, meta(actor)), 'request')
      count(requested.written)
      if (requested.seat !== null) license.held.push({ clientId: requester.clientId, machineId: requester.machineId, seatId: requested.seat.seatId, alive: true })
    }
  }

  for (let tick = 0; written < shape.events; tick += 1) {
    clock.advance(60_000)
    await Promise.all(licenses.map(minute))
    // The sweeper's pass: seats whose clients went away lapse after their lease.
    if (tick % 5 === 4) {
      const sweep = meta('system:seat-sweeper')
      for (const license of licenses) {
        const swept = right(await services.usage.expireLapsed(session(), { type: 'ExpireLapsedSeats', orderId: license.orderId }, sweep), 'sweep')
        // Each seat swept is expired on its own stream, then on its order's: two events.
        count(2 * swept)
        const gone = new Set(Object.keys((await services.orders.get(session(), license.orderId))!.usage.seats))
        for (const held of [...license.held]) if (!gone.has(held.seatId)) license.held.splice(license.held.indexOf(held), 1)
      }
    }
    // Now and then a license is changed: more seats, which the audit shows as a change of terms.
    if (tick % 30 === 29) {
      for (const license of licenses.filter(() => next() < 0.05)) {
        license.seats += 1
        right(await services.orders.update(session(), admin, { type: 'UpdateOrder', orderId: license.orderId, terms: terms(license.customerId, license.templateId, license.seats) }, meta('admin-token')), 'update')
        count(1)
      }
    }
  }
  shown.done()
  await store.close()
}

/** The cached log of this shape, built first when missing. Returns its path; never write to it (copy it first). */
export const cachedLog = async (shape: LogShape): Promise<string> => {
  const dir = process.env.BENCH_CACHE_DIR ?? join(tmpdir(), 'licensing-bench-cache')
  mkdirSync(dir, { recursive: true })
  const path = join(dir, `replay-log-v${MIX_VERSION}-${shape.events}-events-${shape.licenses}-licenses.sqlite`)
  if (existsSync(path)) {
    process.stderr.write(`using the cached log ${path} (${(statSync(path).size / 2 ** 20).toFixed(0)} MiB; delete it to build it again)\n`)
    return path
  }
  const building = `${path}.building-${process.pid}`
  try {
    await generate(building, shape)
    renameSync(building, path)
  } finally {
    for (const leftover of [building, `${building}-wal`, `${building}-shm`]) rmSync(leftover, { force: true })
  }
  return path
}

/** A data directory of its own holding a copy of the log (the engine writes to its log; the cached one stays as it is). */
export const dataDirWith = (log: string, dir: string): string => {
  copyFileSync(log, join(dir, 'events.sqlite'))
  return dir
}
