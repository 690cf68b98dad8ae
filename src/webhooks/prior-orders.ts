// The order as it was just before the event being handled: what a webhook
// about something the event ended (a deactivated machine, a released or
// expired seat) shows, since the order after the event no longer holds it.
// Applied before the orders' own projection, it copies the order's row as
// that projection left it for the previous event. One row per order; only
// the row of the event being handled is meaningful.
import type Database from 'better-sqlite3'
import type { DomainEvent } from '../domain/events.js'
import type { ExistingOrder, OrderState } from '../domain/order/index.js'
import { eachEvent, jsonRows, type Projection } from '../projections/projection.js'

/** The events whose webhooks show what the event took away. */
const ENDINGS: ReadonlySet<DomainEvent['type']> = new Set(['MachineDeactivated', 'SeatReleased', 'SeatExpired', 'LicenseTokenRevoked'])

export const priorOrdersProjection: Projection = {
  name: 'webhook-prior-orders',
  open: (db) => {
    db.exec('CREATE TABLE IF NOT EXISTS webhook_prior_orders (order_id TEXT PRIMARY KEY, state TEXT NOT NULL)')
    let copy: Database.Statement | null = null
    return eachEvent(({ event }) => {
      if (!ENDINGS.has(event.type)) return
      // Prepared on first use: the orders' table is created by a projection opened after this one.
      copy ??= db.prepare('INSERT OR REPLACE INTO webhook_prior_orders (order_id, state) SELECT order_id, state FROM license_orders WHERE order_id = ?')
      copy.run((event.data as { readonly orderId: string }).orderId)
    })
  },
}

export const priorOrderReader = (db: Database.Database) => {
  const get = jsonRows<OrderState>(db, 'webhook_prior_orders', 'order_id')
  return {
    /** The order before the event being handled (for the events listed above). */
    get: (orderId: string): ExistingOrder | null => {
      const state = get(orderId)
      return state !== null && state.exists ? state : null
    },
  }
}
