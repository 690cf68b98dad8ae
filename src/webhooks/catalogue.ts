// Which domain events are delivered as which webhook events, and with what
// data. An entry takes the domain event and the world as it was at that event
// (world.ts) and returns the webhook events it makes (none, one or several).
//
// To deliver a new domain event, add an entry keyed by its type, e.g.
//   SeatGranted: (event, world) => [{ event: 'seat.granted', data: seatView(...) }],
// The entry is type-checked against the event's codec, and the webhook event
// name must be in the catalogue of names (src/domain/webhook-endpoint/catalogue.ts),
// which registrations are checked against. The world holds the order as the
// event left it (world.orders) and as it was just before (world.priorOrders,
// for what the event ended); if the data needs a read model the world does
// not hold yet, add its projection to world.ts.
import type { DomainEvent } from '../domain/events.js'
import { ownEntry, type ExistingOrder } from '../domain/order/index.js'
import type { WebhookEventName } from '../domain/webhook-endpoint/catalogue.js'
import { activationView } from '../views/activation.js'
import { licenseOrderView } from '../views/license-order.js'
import { seatView, type SeatEnding } from './seat-view.js'
import type { World } from './world.js'

export interface Occurrence {
  readonly event: WebhookEventName
  readonly data: unknown
}

type EventOf<K extends DomainEvent['type']> = Extract<DomainEvent, { readonly type: K }>
type Entry<K extends DomainEvent['type']> = (event: EventOf<K>, world: World) => readonly Occurrence[]
export type Catalogue = { readonly [K in DomainEvent['type']]?: Entry<K> }

/**
 * The order as seed 001 shows it, plus its seed 004 e-mail and license data
 * (which seed 001's view has no place for), as the event left it; nothing
 * when there is no such order (cannot happen for an order's own event).
 */
const licenseOrder =
  (name: WebhookEventName) =>
  (event: { readonly data: { readonly orderId: string } }, world: World): readonly Occurrence[] => {
    const order = world.orders.get(event.data.orderId)
    if (order === null) return []
    const customer = world.customers.get(order.terms.customer_id)
    const template = world.productTemplates.get(order.terms.product_template_id)
    return [{ event: name, data: { ...licenseOrderView(order, customer, template), email: order.email ?? null, license_data: order.licenseData ?? null } }]
  }

const productIdOf = (world: World, order: ExistingOrder): string | null => world.productTemplates.get(order.terms.product_template_id)?.productId ?? null

/** Seed 003's activation object, in `order` as it stands at the event's time. */
const activation = (name: WebhookEventName, order: ExistingOrder | null, activationId: string, at: string, world: World): readonly Occurrence[] => {
  const held = order === null ? undefined : ownEntry(order.usage.activations, activationId)
  if (order === null || held === undefined) return []
  return [{ event: name, data: activationView(order, held, productIdOf(world, order), new Date(at)) }]
}

const seat = (name: WebhookEventName, order: ExistingOrder | null, seatId: string, ending: SeatEnding, world: World): readonly Occurrence[] => {
  const held = order === null ? undefined : ownEntry(order.usage.seats, seatId)
  if (order === null || held === undefined) return []
  return [{ event: name, data: seatView(order, held, productIdOf(world, order), ending) }]
}

export const catalogue: Catalogue = {
  OrderCreated: licenseOrder('license-order.created'),
  OrderUpdated: licenseOrder('license-order.updated'),
  ActivationKeyChanged: licenseOrder('license-order.updated'),
  SerialNumberChanged: licenseOrder('license-order.updated'),
  LicenseEmailChanged: licenseOrder('license-order.updated'),
  LicenseDataChanged: licenseOrder('license-order.updated'),
  // Activations, made through seed 002 or seed 003; a deleted one is shown as it was.
  MachineActivated: ({ data }, world) => activation('activation.created', world.orders.get(data.orderId), data.activationId, data.at, world),
  ActivationUpdated: ({ data }, world) => activation('activation.updated', world.orders.get(data.orderId), data.activationId, data.at, world),
  MachineDeactivated: ({ data }, world) => activation('activation.deleted', world.priorOrders.get(data.orderId), data.activationId, data.at, world),
  // Floating seats; an expired seat's time is when its lease ran out, a revoked one ends as released.
  SeatGranted: ({ data }, world) => seat('seat.granted', world.orders.get(data.orderId), data.seatId, { status: 'granted' }, world),
  SeatReleased: ({ data }, world) => seat('seat.released', world.priorOrders.get(data.orderId), data.seatId, { status: 'released', at: data.at }, world),
  SeatExpired: ({ data }, world) => seat('seat.expired', world.priorOrders.get(data.orderId), data.seatId, { status: 'expired', at: data.at }, world),
  LicenseTokenRevoked: ({ data }, world) =>
    data.kind === 'activation'
      ? activation('activation.deleted', world.priorOrders.get(data.orderId), data.tokenId, data.at, world)
      : seat('seat.released', world.priorOrders.get(data.orderId), data.tokenId, { status: 'revoked', at: data.at }, world),
}

/** The webhook events a domain event makes. */
export const occurrencesOf = (event: DomainEvent, world: World): readonly Occurrence[] => {
  const entry = catalogue[event.type] as Entry<DomainEvent['type']> | undefined
  return entry === undefined ? [] : entry(event as never, world)
}

