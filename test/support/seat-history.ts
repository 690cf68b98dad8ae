// A random seat history (grants, heartbeats, releases, revocations, cap
// changes, sweeps, time passing) on two licenses, written through the
// application layer: what the property tests over the read models replay.
import * as E from 'fp-ts/Either'
import type { CommandMeta } from '../../src/application/metadata.js'
import type { Services } from '../../src/application/services.js'
import type { OrderTerms } from '../../src/domain/order/index.js'
import { seedTerms } from '../domain/fixtures.js'
import type { testClock } from './clock.js'

export const CLIENTS = 4

export type SeatStep =
  | { readonly kind: 'grant' | 'heartbeat' | 'release' | 'revoke'; readonly license: number; readonly client: number }
  | { readonly kind: 'cap'; readonly license: number; readonly allowed: number }
  /** Minutes pass with the seat's holder beating every minute: leases renewed many times. */
  | { readonly kind: 'hold'; readonly license: number; readonly client: number; readonly minutes: number }
  | { readonly kind: 'tick'; readonly seconds: number }
  | { readonly kind: 'sweep' }

const meta: CommandMeta = { actor: 'property', correlationId: 'property', causationId: null, requestId: null, clientIp: null, idempotencyKey: null }
const terms = (allowed: number): OrderTerms => ({ ...seedTerms, activations_allowed: allowed })
const admin = { credentialId: 'test', scope: { kind: 'admin' as const } }
const profile = { name: 'Rivers Inc', description: null, phone_number: null, fax_number: null, street: null, city: null, country: null, zip_code: null, state: null, Contacts: [], CustomTags: [] }

/** Creates two licenses (2 seats and 1), applies the steps a second apart, and returns the licenses' order ids. */
export const writeSeatHistory = async (services: Services, clock: ReturnType<typeof testClock>, steps: readonly SeatStep[]): Promise<readonly string[]> => {
  const session = services.session
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
  return orders
}
