// Which domain events are delivered as which webhook events, and with what
// data. An entry takes the domain event and the world as it was at that event
// (world.ts) and returns the webhook events it makes (none, one or several).
//
// To deliver a new domain event, add an entry keyed by its type, e.g. once
// the order aggregate records seats and activations:
//   SeatGranted: (event, world) => [{ event: 'seat.granted', data: seatView(world.orders.get(event.data.orderId), event) }],
//   MachineActivated: (event, world) => [{ event: 'activation.created', data: activationView(...) }],
// where activationView shapes seed 003's activation object. The entry is
// type-checked against the event's codec, and the webhook event name must be
// in the catalogue of names (src/domain/webhook-endpoint/catalogue.ts), which
// registrations are checked against. If the data needs a read model the
// world does not hold yet, add its projection to world.ts.
import type { DomainEvent } from '../domain/events.js'
import type { WebhookEventName } from '../domain/webhook-endpoint/catalogue.js'
import { licenseOrderView } from '../http/lac/view.js'
import type { World } from './world.js'

export interface Occurrence {
  readonly event: WebhookEventName
  readonly data: unknown
}

type EventOf<K extends DomainEvent['type']> = Extract<DomainEvent, { readonly type: K }>
type Entry<K extends DomainEvent['type']> = (event: EventOf<K>, world: World) => readonly Occurrence[]
export type Catalogue = { readonly [K in DomainEvent['type']]?: Entry<K> }

/** The order as seed 001 shows it, as the event left it; nothing when there is no such order (cannot happen for an order's own event). */
const licenseOrder =
  (name: WebhookEventName) =>
  (event: { readonly data: { readonly orderId: string } }, world: World): readonly Occurrence[] => {
    const order = world.orders.get(event.data.orderId)
    if (order === null) return []
    const customer = world.customers.get(order.terms.customer_id)
    const template = world.productTemplates.get(order.terms.product_template_id)
    return [{ event: name, data: licenseOrderView(order, customer, template) }]
  }

export const catalogue: Catalogue = {
  OrderCreated: licenseOrder('license-order.created'),
  OrderUpdated: licenseOrder('license-order.updated'),
  ActivationKeyChanged: licenseOrder('license-order.updated'),
  SerialNumberChanged: licenseOrder('license-order.updated'),
}

/** The webhook events a domain event makes. */
export const occurrencesOf = (event: DomainEvent, world: World): readonly Occurrence[] => {
  const entry = catalogue[event.type] as Entry<DomainEvent['type']> | undefined
  return entry === undefined ? [] : entry(event as never, world)
}

