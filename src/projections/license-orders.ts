// Read models of license orders: each order's state (folded with the same
// evolve the command side uses), the activation-key index, and the orders of
// each customer.
import type Database from 'better-sqlite3'
import { evolveOrder, initialOrderState, orderSchemas, type ExistingOrder, type OrderState } from '../domain/order/index.js'
import { batchStates, eventsOf, jsonRows, type Projection } from './projection.js'

const isOrderEvent = eventsOf(orderSchemas)

/** Zero-padded, so that text order is log order. */
const positionText = (position: bigint): string => position.toString().padStart(40, '0')

export const licenseOrdersProjection: Projection = {
  name: 'license-orders',
  indexes: ['CREATE INDEX IF NOT EXISTS license_orders_by_customer ON license_orders (customer_id, created_position)'],
  open: (db) => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS license_orders (
        order_id TEXT PRIMARY KEY,
        activation_key TEXT NOT NULL,
        customer_id INTEGER NOT NULL,
        product_template_id INTEGER NOT NULL,
        created_position TEXT NOT NULL,
        state TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS activation_keys (activation_key TEXT PRIMARY KEY, order_id TEXT NOT NULL);
    `)
    const get = jsonRows<OrderState>(db, 'license_orders', 'order_id')
    const put = db.prepare(
      `INSERT INTO license_orders (order_id, activation_key, customer_id, product_template_id, created_position, state)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (order_id) DO UPDATE SET activation_key = excluded.activation_key, customer_id = excluded.customer_id,
         product_template_id = excluded.product_template_id, state = excluded.state`,
    )
    const dropKey = db.prepare('DELETE FROM activation_keys WHERE activation_key = ? AND order_id = ?')
    const putKey = db.prepare('INSERT OR REPLACE INTO activation_keys (activation_key, order_id) VALUES (?, ?)')
    // Each order a batch touches is read once and written once, however many of its events the batch holds.
    return () => {
      const orders = batchStates((orderId: string) => get(orderId) ?? initialOrderState)
      const createdAt = new Map<string, string>()
      return {
        apply: (events) => {
          for (const { event, recorded } of events) {
            if (!isOrderEvent(event)) continue
            const orderId = event.data.orderId
            const next = evolveOrder(orders.get(orderId), event)
            if (!next.exists) continue
            orders.set(orderId, next)
            // Kept only when the row is new: the position of the event the order first existed after.
            if (!createdAt.has(orderId)) createdAt.set(orderId, positionText(recorded.position))
            if (event.type === 'ActivationKeyChanged') dropKey.run(event.data.from, orderId)
            if (event.type === 'OrderCreated' || event.type === 'ActivationKeyChanged') putKey.run(next.activationKey, orderId)
          }
        },
        flush: () => {
          for (const [orderId, order] of orders.changed()) {
            if (!order.exists) continue
            put.run(orderId, order.activationKey, order.terms.customer_id, order.terms.product_template_id, createdAt.get(orderId)!, JSON.stringify(order))
          }
        },
      }
    }
  },
}

export const licenseOrderReader = (db: Database.Database) => {
  const getState = jsonRows<OrderState>(db, 'license_orders', 'order_id')
  const byKey = db.prepare('SELECT order_id FROM activation_keys WHERE activation_key = ?')
  const byCustomer = db.prepare('SELECT order_id FROM license_orders WHERE customer_id = ? ORDER BY created_position')
  const get = (orderId: string): ExistingOrder | null => {
    const state = getState(orderId)
    return state !== null && state.exists ? state : null
  }
  return {
    get,
    byActivationKey: (key: string): ExistingOrder | null => {
      const row = byKey.get(key) as { order_id: string } | undefined
      return row === undefined ? null : get(row.order_id)
    },
    /** The customer's orders, oldest first. */
    orderIdsOfCustomer: (customerId: number): string[] =>
      (byCustomer.all(customerId) as { order_id: string }[]).map((r) => r.order_id),
  }
}
