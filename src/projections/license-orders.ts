// Read models of license orders: each order's state (folded with the same
// evolve the command side uses), the activation-key index, and the orders of
// each customer.
import type Database from 'better-sqlite3'
import type { ApiKeyScope } from '../domain/api-key/index.js'
import { evolveOrder, initialOrderState, orderSchemas, type ExistingOrder, type OrderEvent, type OrderState } from '../domain/order/index.js'
import { batchStates, eventsOf, jsonRows, type Projection } from './projection.js'

const isOrderEvent = eventsOf(orderSchemas)

/** Zero-padded, so that text order is log order. */
const positionText = (position: bigint): string => position.toString().padStart(40, '0')

export const licenseOrdersProjection: Projection = {
  // Version 2: the order's state holds its seat count, a per-client seat index and lease times as numbers; a read
  // store built by version 1 (orders without them) is rebuilt.
  name: 'license-orders@2',
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
      // Lease renewals (most of a busy log) are held back by order and seat and folded only when an event that
      // touches that seat comes (or one this does not know, or the end of the batch). A renewal sets every lease
      // field of its seat and nothing else, and whether it finds its seat only an event of that seat can change;
      // the order's other events neither read nor change its seats. So of a seat's renewals in between only the
      // last tells in the order's state: the rest are never folded, nor the order copied for them.
      const renewals = new Map<string, Map<string, HeldRenewal>>()
      const fold = (orderId: string, event: OrderEvent, position: bigint): void => {
        const next = evolveOrder(orders.get(orderId), event)
        if (!next.exists) return
        orders.set(orderId, next)
        // Kept only when the row is new: the position of the event the order first existed after.
        if (!createdAt.has(orderId)) createdAt.set(orderId, positionText(position))
      }
      const foldRenewals = (orderId: string, seatId: string | null): void => {
        const held = renewals.get(orderId)
        if (held === undefined) return
        if (seatId === null) {
          renewals.delete(orderId)
          for (const { event, position } of held.values()) fold(orderId, event, position)
          return
        }
        const renewal = held.get(seatId)
        if (renewal === undefined) return
        held.delete(seatId)
        fold(orderId, renewal.event, renewal.position)
      }
      return {
        apply: (events) => {
          for (const { event, recorded } of events) {
            if (!isOrderEvent(event)) continue
            const orderId = event.data.orderId
            if (event.type === 'SeatLeaseRenewed') {
              let held = renewals.get(orderId)
              if (held === undefined) renewals.set(orderId, (held = new Map()))
              held.set(event.data.seatId, { event, position: recorded.position })
              continue
            }
            const seat = seatTouched(event)
            if (seat !== NO_SEAT) foldRenewals(orderId, seat)
            fold(orderId, event, recorded.position)
            if (!orders.get(orderId).exists) continue
            if (event.type === 'ActivationKeyChanged') dropKey.run(event.data.from, orderId)
            if (event.type === 'OrderCreated' || event.type === 'ActivationKeyChanged') putKey.run((orders.get(orderId) as ExistingOrder).activationKey, orderId)
          }
        },
        flush: () => {
          for (const orderId of [...renewals.keys()]) foldRenewals(orderId, null)
          for (const [orderId, order] of orders.changed()) {
            if (!order.exists) continue
            put.run(orderId, order.activationKey, order.terms.customer_id, order.terms.product_template_id, createdAt.get(orderId)!, JSON.stringify(order))
          }
        },
      }
    }
  },
}

const NO_SEAT = Symbol('no seat')

/**
 * The seat an order event touches (its `usage.seats` entry, by `evolveOrder`),
 * NO_SEAT for those that neither read nor change any seat, and null for the
 * rest (the order's creation, and any type added later until it is listed
 * here): renewals held back for the seat, or for every seat, are folded first.
 */
const seatTouched = (event: OrderEvent): string | null | typeof NO_SEAT => {
  switch (event.type) {
    case 'SeatGranted':
    case 'SeatReleased':
    case 'SeatExpired':
      return event.data.seatId
    case 'LicenseTokenRevoked':
      return event.data.tokenId
    case 'OrderUpdated':
    case 'ActivationKeyChanged':
    case 'SerialNumberChanged':
    case 'LicenseEmailChanged':
    case 'LicenseDataChanged':
    case 'MachineActivated':
    case 'ActivationUpdated':
    case 'MachineDeactivated':
    case 'SeatRequestDenied':
    case 'ActivationDenied':
    case 'SeatSettingsChanged':
    case 'MeterAttributesDefined':
      return NO_SEAT
    default:
      return null
  }
}

interface HeldRenewal {
  readonly event: Extract<OrderEvent, { readonly type: 'SeatLeaseRenewed' }>
  readonly position: bigint
}

export interface LicenseSearch {
  /** Part of the activation key, order id, customer name, product template name or product id; null: every license. */
  readonly text: string | null
  /** Only what this scope reaches: a product's licenses, or one license. */
  readonly scope: ApiKeyScope
  readonly limit: number
  readonly offset: number
}

/** A license as a list shows it: the order, and its customer's and template's names as they are now. */
export interface LicenseListed {
  readonly order: ExistingOrder
  readonly customerName: string | null
  readonly templateName: string | null
  readonly productId: string | null
}

/** `text` as a LIKE pattern that matches it literally anywhere. */
const containing = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

export const licenseOrderReader = (db: Database.Database) => {
  const getState = jsonRows<OrderState>(db, 'license_orders', 'order_id')
  const byKey = db.prepare('SELECT order_id FROM activation_keys WHERE activation_key = ?')
  const byCustomer = db.prepare('SELECT order_id FROM license_orders WHERE customer_id = ? ORDER BY created_position')
  // Newest first; the scope and the text are filters of one query, so a page and its total agree.
  const matching = `
    FROM license_orders o
    LEFT JOIN product_templates t ON t.template_id = o.product_template_id
    LEFT JOIN customers c ON c.customer_id = o.customer_id
    WHERE (@productId IS NULL OR t.product_id = @productId)
      AND (@orderId IS NULL OR o.order_id = @orderId)
      AND (@pattern IS NULL OR o.activation_key LIKE @pattern ESCAPE '\\' OR o.order_id = @text
        OR json_extract(c.state, '$.profile.name') LIKE @pattern ESCAPE '\\'
        OR json_extract(t.state, '$.name') LIKE @pattern ESCAPE '\\' OR t.product_id LIKE @pattern ESCAPE '\\')`
  const page = db.prepare(`
    SELECT o.state AS state, json_extract(c.state, '$.profile.name') AS customer_name, json_extract(t.state, '$.name') AS template_name, t.product_id AS product_id
    ${matching} ORDER BY o.created_position DESC LIMIT @limit OFFSET @offset`)
  const count = db.prepare(`SELECT COUNT(*) AS total ${matching}`)
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
    /** A page of the licenses the scope reaches that match the text, newest first, and how many match in all. */
    search: ({ text, scope, limit, offset }: LicenseSearch): { readonly total: number; readonly items: readonly LicenseListed[] } => {
      const params = {
        productId: scope.kind === 'product' ? scope.productId : null,
        orderId: scope.kind === 'license' ? scope.orderId : null,
        text,
        pattern: text === null ? null : containing(text),
      }
      const rows = page.all({ ...params, limit, offset }) as { state: string; customer_name: string | null; template_name: string | null; product_id: string | null }[]
      return {
        total: (count.get(params) as { total: number }).total,
        items: rows.map((r) => ({ order: JSON.parse(r.state) as ExistingOrder, customerName: r.customer_name, templateName: r.template_name, productId: r.product_id })),
      }
    },
    /** The customer's orders, oldest first. */
    orderIdsOfCustomer: (customerId: number): string[] =>
      (byCustomer.all(customerId) as { order_id: string }[]).map((r) => r.order_id),
  }
}
