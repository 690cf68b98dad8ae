// The audit index: every event of the log by global position, with who caused
// it and from where, what it concerns (license orders, customers, products)
// and, for a change of a license order, the field-level difference it made.
//
// Nothing here knows event types. What an event concerns is read from the ids
// its data names (`orderId`, `customerId`, `productId`, `templateId`, at its
// top level or in a credential's `scope`), widened by the order's
// customer and product as the order stood just before and after the event.
// The difference is the order's state before and after, folded with the
// order's own `evolveOrder`. So the events other work adds to the order stream
// are indexed, with their differences, without code here.
import { OrderEvent, evolveOrder, initialOrderState, type ExistingOrder, type OrderState } from '../domain/order/index.js'
import type { JsonValue } from '../store/port.js'
import { fieldChanges, without, type FieldChange } from './field-changes.js'
import { jsonRows, type Projection } from './projection.js'

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS audit_events (
    pos             TEXT PRIMARY KEY,
    event_id        TEXT NOT NULL,
    stream          TEXT NOT NULL,
    revision        INTEGER NOT NULL,
    type            TEXT NOT NULL,
    schema_version  INTEGER NOT NULL,
    recorded_at     TEXT NOT NULL,
    actor           TEXT,
    client_ip       TEXT,
    correlation_id  TEXT NOT NULL,
    causation_id    TEXT,
    request_id      TEXT,
    idempotency_key TEXT,
    concerns        TEXT NOT NULL,
    changes         TEXT,
    data            TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS audit_events_by_type ON audit_events (type, pos);
  CREATE INDEX IF NOT EXISTS audit_events_by_actor ON audit_events (actor, pos);
  CREATE TABLE IF NOT EXISTS audit_subjects (
    kind  TEXT NOT NULL,
    value TEXT NOT NULL,
    pos   TEXT NOT NULL,
    PRIMARY KEY (kind, value, pos)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS audit_orders (order_id TEXT PRIMARY KEY, state TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS audit_templates (template_id TEXT PRIMARY KEY, product_id TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS audit_keys (
    activation_key TEXT NOT NULL,
    order_id       TEXT NOT NULL,
    since_pos      TEXT NOT NULL,
    PRIMARY KEY (activation_key, since_pos)
  ) WITHOUT ROWID;
`

export type SubjectKind = 'order' | 'customer' | 'product'

export interface Concerns {
  readonly order_ids: readonly string[]
  readonly customer_ids: readonly number[]
  readonly product_ids: readonly string[]
}

/** Zero-padded, so that text order is log order (EventStoreDB positions have up to 39 digits). */
export const positionText = (position: bigint): string => position.toString().padStart(40, '0')

/** The keys of event data that name what an event concerns. */
const NAMES: Readonly<Record<string, SubjectKind | 'template'>> = {
  orderId: 'order',
  customerId: 'customer',
  productId: 'product',
  templateId: 'template',
}

/**
 * Where else, below the top of the data, an id says what an event concerns:
 * a credential's scope. Nowhere else: deeper objects may hold what a client
 * claimed (an activation's `details.productId`), which must not make a
 * license's event visible to another product's keys.
 */
const NAMING_OBJECTS = ['scope']

type Named = readonly [SubjectKind | 'template', string]

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The ids the data names, at its top level and in its naming objects. */
const namedIn = (data: unknown, top = true): readonly Named[] => {
  if (!isRecord(data)) return []
  return Object.entries(data).flatMap(([key, value]): readonly Named[] => {
    const kind = NAMES[key]
    if (kind !== undefined && (typeof value === 'string' || typeof value === 'number')) return [[kind, String(value)]]
    return top && NAMING_OBJECTS.includes(key) ? namedIn(value, false) : []
  })
}

/** Whatever field holds a secret (an API key's hash, a sealed webhook secret) never reaches the index. */
const SECRET = /secret|password/i
export const redacted = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(redacted)
  if (!isRecord(value)) return value
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, SECRET.test(key) ? '[redacted]' : redacted(v)]))
}

/**
 * The part of an order's state a change is shown for. `updatedAt` moves with
 * every event; `usage` (the machines and seats using the license, once they
 * are recorded) is what its own events' data tells, and would otherwise show
 * every lease renewal as a change of the license.
 */
const NOT_DIFFED = ['exists', 'updatedAt', 'usage']
const recordOf = (order: ExistingOrder): JsonValue => without(order, NOT_DIFFED)

export const auditProjection: Projection = {
  name: 'audit',
  open: (db) => {
    db.exec(SCHEMA)
    const getOrder = jsonRows<OrderState>(db, 'audit_orders', 'order_id')
    const putOrder = db.prepare('INSERT OR REPLACE INTO audit_orders (order_id, state) VALUES (?, ?)')
    const productOfTemplate = db.prepare('SELECT product_id FROM audit_templates WHERE template_id = ?').pluck()
    const putTemplate = db.prepare('INSERT OR REPLACE INTO audit_templates (template_id, product_id) VALUES (?, ?)')
    const putKey = db.prepare('INSERT OR REPLACE INTO audit_keys (activation_key, order_id, since_pos) VALUES (?, ?, ?)')
    const putSubject = db.prepare('INSERT OR IGNORE INTO audit_subjects (kind, value, pos) VALUES (?, ?, ?)')
    const putEvent = db.prepare(
      `INSERT OR REPLACE INTO audit_events (pos, event_id, stream, revision, type, schema_version, recorded_at, actor, client_ip,
         correlation_id, causation_id, request_id, idempotency_key, concerns, changes, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )

    return ({ event, metadata, recorded }) => {
      const pos = positionText(recorded.position)
      const named = namedIn(event.data)
      const template = named.find(([kind]) => kind === 'template')?.[1]
      const product = named.find(([kind]) => kind === 'product')?.[1]
      // An event naming both a template and a product ties them (a template's creation).
      if (template !== undefined && product !== undefined) putTemplate.run(template, product)

      const orders: ExistingOrder[] = []
      let changes: readonly FieldChange[] = []
      if (OrderEvent.is(event)) {
        const orderId = event.data.orderId
        const before = getOrder(orderId) ?? initialOrderState
        const after = evolveOrder(before, event)
        if (before.exists) orders.push(before)
        if (after.exists) {
          putOrder.run(orderId, JSON.stringify(after))
          orders.push(after)
          if (!before.exists || before.activationKey !== after.activationKey) putKey.run(after.activationKey, orderId, pos)
        }
        if (before.exists && after.exists) changes = fieldChanges(recordOf(before), recordOf(after))
      }

      const subjects = { order: new Set<string>(), customer: new Set<string>(), product: new Set<string>() }
      const addTemplate = (templateId: string): void => {
        const productId = productOfTemplate.get(templateId) as string | undefined
        if (productId !== undefined) subjects.product.add(productId)
      }
      for (const [kind, id] of named) {
        if (kind === 'template') addTemplate(id)
        else subjects[kind].add(id)
        if (kind === 'order') {
          const order = getOrder(id)
          if (order !== null && order.exists) orders.push(order)
        }
      }
      for (const order of orders) {
        subjects.order.add(order.orderId)
        subjects.customer.add(String(order.terms.customer_id))
        addTemplate(String(order.terms.product_template_id))
      }
      for (const kind of ['order', 'customer', 'product'] as const) for (const id of subjects[kind]) putSubject.run(kind, id, pos)
      const concerns: Concerns = {
        order_ids: [...subjects.order],
        customer_ids: [...subjects.customer].map(Number),
        product_ids: [...subjects.product],
      }

      putEvent.run(
        pos,
        recorded.id,
        recorded.streamName,
        recorded.revision,
        event.type,
        metadata.schemaVersion,
        recorded.recordedAt.toISOString(),
        metadata.actor,
        metadata.clientIp,
        metadata.correlationId,
        metadata.causationId,
        metadata.requestId,
        metadata.idempotencyKey,
        JSON.stringify(concerns),
        changes.length === 0 ? null : JSON.stringify(changes),
        JSON.stringify(redacted(event.data)),
      )
    }
  },
}
