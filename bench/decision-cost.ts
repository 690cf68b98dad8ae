// What a heartbeat and a grant cost the application layer itself (the
// decisions, the command handler, the SQLite log; no HTTP, no projections) on
// a license with many seats against one with few, in this process: CPU time
// per call. The HTTP figures of license-size.ts include the read models,
// which this leaves out, so the two together tell where a size dependence is.
import * as E from 'fp-ts/Either'
import { systemMeta } from '../src/application/metadata.js'
import { createServices } from '../src/application/services.js'
import type { ActivationKey } from '../src/domain/activation-key/key.js'
import { CustomerProfileInput } from '../src/domain/customer/index.js'
import type { Seat } from '../src/domain/order/index.js'
import { createSqliteEventStore } from '../src/store/sqlite.js'
import { seedTerms } from '../test/domain/fixtures.js'
import { makeTempDir } from '../test/support/tmp.js'

const right = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) throw new Error(JSON.stringify(either.left))
  return either.right
}

/** CPU milliseconds `work` took in this process. */
const cpuMs = async (work: () => Promise<unknown>): Promise<number> => {
  const before = process.cpuUsage()
  await work()
  const { user, system } = process.cpuUsage(before)
  return (user + system) / 1000
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length

export interface DecisionCost {
  readonly grantCpuMsFirstTenth: number
  readonly grantCpuMsLastTenth: number
  readonly heartbeatCpuMsSmall: number
  readonly heartbeatCpuMsLarge: number
}

/** Fills a license of `large` seats and one of `small` one grant at a time, then heartbeats `beats` times on each (none due for renewal). */
export const decisionCost = async (small: number, large: number, beats = 20_000): Promise<DecisionCost> => {
  const dir = makeTempDir('bench-decision-cost')
  // One instant throughout: no lease lapses or comes due while the licenses fill, whatever the machine's speed.
  let now = Date.now()
  const clock = () => new Date(now)
  const store = createSqliteEventStore({ path: dir.file('events.sqlite'), clock })
  try {
    const services = createServices({ store, clock, adminToken: null })
    const meta = systemMeta('bench', 'bench')
    const session = services.session()
    right(await services.customers.create(session, { type: 'CreateCustomer', profile: right(CustomerProfileInput.decode({ name: 'Bench Ltd' })) }, meta))
    right(await services.productTemplates.create(session, { type: 'CreateProductTemplate', name: 'Bench', productId: '1' }, meta))
    const admin = { credentialId: 'bench', scope: { kind: 'admin' as const } }
    const fill = async (seats: number, key: string, timed?: (ms: number) => void): Promise<{ orderId: string; held: Seat[] }> => {
      const order = right(await services.orders.create(session, admin, { terms: { ...seedTerms, activations_allowed: seats }, activationKey: key as ActivationKey }, meta))
      const held: Seat[] = []
      for (let n = 0; n < seats; n += 1) {
        const command = { type: 'RequestSeat' as const, orderId: order.orderId, clientId: `c${n}`, machineId: `m${n}`, clientName: null, clientAddr: null }
        let seat: Seat | null = null
        const ms = await cpuMs(async () => {
          seat = right(await services.usage.request(services.session(), command, meta)).seat
        })
        timed?.(ms)
        held.push(seat!)
      }
      return { orderId: order.orderId, held }
    }
    const grants: number[] = []
    const onLarge = await fill(large, 'BENCH-LARGE', (ms) => grants.push(ms))
    const onSmall = await fill(small, 'BENCH-SMALL')
    now += 10_000
    const beat = async ({ orderId, held }: { orderId: string; held: readonly Seat[] }): Promise<number> => {
      const seats = held.slice(-small)
      const ms = await cpuMs(async () => {
        for (let n = 0; n < beats; n += 1) {
          const seat = seats[n % seats.length]!
          right(await services.usage.heartbeat(services.session(), { type: 'HeartbeatSeat', orderId, seatId: seat.seatId, clientId: seat.clientId, machineId: seat.machineId }, meta))
        }
      })
      return ms / beats
    }
    // Twice each, the first as a warm-up.
    await beat(onSmall)
    await beat(onLarge)
    const heartbeatCpuMsSmall = await beat(onSmall)
    const heartbeatCpuMsLarge = await beat(onLarge)
    const tenth = Math.max(1, Math.floor(large / 10))
    return { grantCpuMsFirstTenth: mean(grants.slice(0, tenth)), grantCpuMsLastTenth: mean(grants.slice(-tenth)), heartbeatCpuMsSmall, heartbeatCpuMsLarge }
  } finally {
    await store.close()
    dir.remove()
  }
}
