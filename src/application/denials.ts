// "Why was I denied?": a license's denials (seat requests and activations refused), each with the rule that refused
// it and who held the places then. The holders are not stored with the
// denial: they are the order's state just before the denial's event, folded
// from the log with the order's own evolve (the state the decision was made
// on, with the seat ends recorded with it), so the answer is the log's.
import { orderStream, type ExistingOrder, type OrderState } from '../domain/order/index.js'
import type { DenialRule } from '../domain/order/denial-rules.js'
import { DENIAL_RECORD_WINDOW_MS } from '../domain/order/lease.js'
import type { EventStore } from '../store/port.js'
import { OrderAggregate } from './aggregates.js'
import { decodeRecorded } from './event-codec.js'

export interface Holder {
  readonly kind: 'seat' | 'activation'
  /** The seat's or the activation's id (its token's id). */
  readonly id: string
  readonly clientId: string
  readonly machineId: string
  readonly clientName: string | null
  readonly since: string
  /** A seat's lease as the order recorded it; null for an activation. */
  readonly leaseExpiresAt: string | null
}

export interface Denial {
  /** The id the client was answered with (older denials, recorded before ids: their event's id). */
  readonly denialId: string
  /** What was refused: a floating seat (seed 002's request) or a new activation (seed 002's activate, seed 003's activations). */
  readonly asked: 'seat' | 'activation'
  readonly at: string
  readonly clientId: string
  readonly machineId: string
  readonly clientName: string | null
  readonly rule: DenialRule
  /** Places taken and allowed, as the decision counted them. */
  readonly active: number
  readonly limit: number
  /** The order stream's revision it was decided on; null when not recorded (older denials). */
  readonly decidedOnRevision: number | null
  /** Where the denial itself is in the order's stream and in the log. */
  readonly revision: number
  readonly position: bigint
  readonly heldBy: readonly Holder[]
}

const PAGE = 1_000

const holdersOf = (order: ExistingOrder): readonly Holder[] => [
  ...Object.values(order.usage.activations).map(
    (a): Holder => ({ kind: 'activation', id: a.activationId, clientId: a.clientId, machineId: a.machineId, clientName: a.clientName, since: a.activatedAt, leaseExpiresAt: null }),
  ),
  ...Object.values(order.usage.seats).map(
    (s): Holder => ({ kind: 'seat', id: s.seatId, clientId: s.clientId, machineId: s.machineId, clientName: s.clientName, since: s.grantedAt, leaseExpiresAt: s.leaseExpiresAt }),
  ),
]

export const createDenials = (store: EventStore) => {
  /** The order's denials, oldest first, each with the holders at that moment. */
  const ofOrder = async (orderId: string): Promise<readonly Denial[]> => {
    const found: Denial[] = []
    let state: OrderState = OrderAggregate.decider.initialState
    for (let fromRevision = 0; ; ) {
      const page = await store.readStream(orderStream(orderId), { fromRevision, maxCount: PAGE })
      // The next page starts after the last revision read: a stream trimmed by retention starts above 0.
      if (page.length > 0) fromRevision = page[page.length - 1]!.revision + 1
      for (const recorded of page) {
        const { event } = decodeRecorded(recorded)
        if (event.type === 'ActivationDenied' && state.exists) {
          const { clientId, machineId, clientName, active, limit, at, denialId, rule, decidedOnRevision } = event.data
          const { revision, position } = recorded
          found.push({ denialId, asked: 'activation', at, clientId, machineId, clientName, rule, active, limit, decidedOnRevision, revision, position, heldBy: holdersOf(state) })
        }
        if (event.type === 'SeatRequestDenied' && state.exists) {
          const { clientId, machineId, clientName, active, limit, at, denialId, rule, decidedOnRevision } = event.data
          found.push({
            denialId: denialId ?? recorded.id,
            asked: 'seat',
            at,
            clientId,
            machineId,
            clientName,
            rule: rule ?? 'activations_allowed',
            active,
            limit,
            decidedOnRevision: decidedOnRevision ?? null,
            revision: recorded.revision,
            position: recorded.position,
            heldBy: holdersOf(state),
          })
        }
        state = OrderAggregate.decider.evolve(state, event as Parameters<typeof OrderAggregate.decider.evolve>[1])
      }
      if (page.length < PAGE) return found
    }
  }

  /**
   * The client's denial a refused request stands for when it recorded none (it
   * was denied within the recording window): the last one recorded for it, read
   * from the stream's end back over that window. null: none there.
   */
  const lastOf = async (orderId: string, client: { readonly clientId: string; readonly machineId: string }, now: Date): Promise<string | null> => {
    const since = now.getTime() - DENIAL_RECORD_WINDOW_MS
    let fromRevision: number | undefined
    for (;;) {
      const page = await store.readStream(orderStream(orderId), { direction: 'backwards', maxCount: 100, ...(fromRevision === undefined ? {} : { fromRevision }) })
      for (const recorded of page) {
        if (recorded.recordedAt.getTime() < since) return null
        if (recorded.type !== 'SeatRequestDenied') continue
        const { event } = decodeRecorded(recorded)
        if (event.type === 'SeatRequestDenied' && event.data.clientId === client.clientId && event.data.machineId === client.machineId) return event.data.denialId ?? recorded.id
      }
      const last = page[page.length - 1]
      if (page.length < 100 || last === undefined || last.revision === 0) return null
      fromRevision = last.revision - 1
    }
  }

  return { ofOrder, lastOf }
}
export type Denials = ReturnType<typeof createDenials>
