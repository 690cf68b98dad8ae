// The audit index: for every event of the log, by global position, what the
// audit's filters need and what the log cannot tell by itself: its type, who
// caused it and when, what it concerns (license orders, customers, products)
// and, for a change of a license order, the field-level difference it made.
// The event itself is not copied: the reader (audit-reader.ts) reads its data
// and metadata from the log, by stream and revision. Strings that repeat
// (streams, types, actors, what events concern) are kept once, in
// audit_terms, and named by number; positions are short byte strings that
// sort in log order. So the index costs tens of bytes per event, not a copy.
//
// Nothing here knows event types by name. What an event concerns is read from the ids
// its data names (`orderId`, `customerId`, `productId`, `templateId`, at its
// top level or in a credential's `scope`), widened by the order's customer
// and product as the order stood just before and after the event. The
// difference is the order's record before and after, folded with the order's
// own `evolveOrder` (not for the order's usage events, which by the domain's
// own grouping change nothing of the record). So the events other work adds
// to the order stream are indexed, with their differences, without code here.
import type Database from 'better-sqlite3'
import { evolveOrder, initialOrderState, orderSchemas, usageSchemaVersions, type ExistingOrder, type OrderState } from '../domain/order/index.js'
import { emptyUsage } from '../domain/order/usage.js'
import type { JsonValue } from '../store/port.js'
import { fieldChanges, without, type FieldChange } from './field-changes.js'
import { batchStates, eventsOf, type Envelope, type Projection } from './projection.js'

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS audit_events (
    pos         BLOB PRIMARY KEY,
    stream      INTEGER NOT NULL,
    revision    INTEGER NOT NULL,
    type        INTEGER NOT NULL,
    actor       INTEGER,
    recorded_at INTEGER NOT NULL,
    concerns    INTEGER NOT NULL,
    changes     TEXT
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS audit_subjects (subject INTEGER NOT NULL, pos BLOB NOT NULL);
  CREATE TABLE IF NOT EXISTS audit_terms (
    id   INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    term TEXT NOT NULL,
    UNIQUE (kind, term)
  );
  CREATE TABLE IF NOT EXISTS audit_orders (order_id TEXT PRIMARY KEY, record TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS audit_templates (template_id TEXT PRIMARY KEY, product_id TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS audit_keys (
    activation_key TEXT NOT NULL,
    order_id       TEXT NOT NULL,
    since_pos      BLOB NOT NULL,
    PRIMARY KEY (activation_key, since_pos)
  ) WITHOUT ROWID;
`

const INDEXES = [
  'CREATE INDEX IF NOT EXISTS audit_subjects_by_subject ON audit_subjects (subject, pos)',
  'CREATE INDEX IF NOT EXISTS audit_events_by_type ON audit_events (type, pos)',
  'CREATE INDEX IF NOT EXISTS audit_events_by_actor ON audit_events (actor, pos)',
]

export type SubjectKind = 'order' | 'customer' | 'product'

/** What audit_terms holds: the subjects events concern, and the strings the index names by number. */
export type TermKind = SubjectKind | 'stream' | 'type' | 'actor' | 'concerns'

export interface Concerns {
  readonly order_ids: readonly string[]
  readonly customer_ids: readonly number[]
  readonly product_ids: readonly string[]
}

/**
 * A position as a byte string that sorts as the number does: its length,
 * then its big-endian bytes. A million is 4 bytes; EventStoreDB's 128-bit
 * positions fit too.
 */
export const positionKey = (position: bigint): Buffer => {
  const hex = position.toString(16)
  const bytes = (hex.length + 1) >> 1
  const key = Buffer.allocUnsafe(1 + bytes)
  key[0] = bytes
  key.write(hex.length % 2 === 0 ? hex : `0${hex}`, 1, 'hex')
  return key
}

export const positionOfKey = (key: Buffer): bigint => BigInt(`0x${key.subarray(1).toString('hex')}`)

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
const NAMING_OBJECTS: ReadonlySet<string> = new Set(['scope'])

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The ids the data names, at its top level and in its naming objects, as [kind, id, kind, id, ...]. */
const namedIn = (data: unknown, into: (SubjectKind | 'template' | string)[] = [], top = true): (SubjectKind | 'template' | string)[] => {
  if (!isRecord(data)) return into
  for (const key in data) {
    const value = data[key]
    const kind = NAMES[key]
    if (kind !== undefined && (typeof value === 'string' || typeof value === 'number')) into.push(kind, String(value))
    else if (top && NAMING_OBJECTS.has(key)) namedIn(value, into, false)
  }
  return into
}

/** Whatever field holds a secret (an API key's hash, a sealed webhook secret) is never shown. */
const SECRET = /secret|password/i
export const redacted = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(redacted)
  if (!isRecord(value)) return value
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, SECRET.test(key) ? '[redacted]' : redacted(v)]))
}

/**
 * The part of an order's state a change is shown for, and all the index
 * keeps of an order. `updatedAt` moves with every event; `usage` (the
 * machines and seats using the license) is what its own events' data tells,
 * would otherwise show every lease renewal as a change of the license, and
 * grows with the license's use. `evolveOrder` changes nothing but `usage`
 * for a usage event, and reads `usage` for nothing else, so the record is
 * folded from a state whose usage starts empty.
 */
const NOT_DIFFED = ['exists', 'updatedAt', 'usage']
type OrderRecord = Omit<ExistingOrder, 'exists' | 'updatedAt' | 'usage'>
const recordOf = (order: ExistingOrder): OrderRecord => without(order, NOT_DIFFED) as unknown as OrderRecord
const orderOf = (record: OrderRecord): ExistingOrder => ({ ...record, exists: true, updatedAt: record.createdAt, usage: emptyUsage })

/** Whether the fold moved any field of the record; a usage event moves none. */
const recordMoved = (before: ExistingOrder, after: ExistingOrder): boolean => {
  for (const key in after) if (!NOT_DIFFED.includes(key) && before[key as keyof ExistingOrder] !== after[key as keyof ExistingOrder]) return true
  for (const key in before) if (!(key in after)) return true
  return false
}

const isOrderEvent = eventsOf(orderSchemas)
/** The order's usage events: they move nothing the record holds, so the record is not folded for them (most of a busy log). */
const isUsageEvent = eventsOf({ versions: usageSchemaVersions, upcasters: {} })

/** Numbers for the strings the index repeats, each looked up or added once per batch. */
const termIds = (db: Database.Database) => {
  const select = db.prepare('SELECT id FROM audit_terms WHERE kind = ? AND term = ?').pluck()
  const insert = db.prepare('INSERT INTO audit_terms (kind, term) VALUES (?, ?)')
  return () => {
    const known = new Map<TermKind, Map<string, number>>()
    return (kind: TermKind, term: string): number => {
      let ofKind = known.get(kind)
      if (ofKind === undefined) known.set(kind, (ofKind = new Map()))
      let id = ofKind.get(term)
      if (id === undefined) {
        id = (select.get(kind, term) as number | undefined) ?? Number(insert.run(kind, term).lastInsertRowid)
        ofKind.set(term, id)
      }
      return id
    }
  }
}

/** Inserts into a table, `perStatement` rows to a statement; `start` begins a batch's rows, the rest inserted one by one at its `flush`. */
const rowWriter = (db: Database.Database, table: string, columns: readonly string[], perStatement = 64) => {
  const row = `(${columns.map(() => '?').join(', ')})`
  const insert = (rows: number): Database.Statement => db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(rows).fill(row).join(', ')}`)
  const many = insert(perStatement)
  const one = insert(1)
  return {
    start: () => {
      // One array of a statement's values, filled in place and reused.
      const values: unknown[] = new Array(perStatement * columns.length)
      let filled = 0
      return {
        add: (...row: readonly unknown[]): void => {
          for (let i = 0; i < row.length; i += 1) values[filled + i] = row[i]
          filled += row.length
          if (filled === values.length) {
            many.run(values)
            filled = 0
          }
        },
        flush: (): void => {
          for (let i = 0; i < filled; i += columns.length) one.run(values.slice(i, i + columns.length))
          filled = 0
        },
      }
    },
  }
}

/** What an event concerns, written once per batch for each different answer: its term and its subjects' terms. */
interface Concerned {
  readonly concerns: number
  readonly subjects: readonly number[]
}

export const auditProjection: Projection = {
  // Version 2: the index no longer copies events; a read store built by version 1 is rebuilt.
  name: 'audit@2',
  indexes: INDEXES,
  open: (db) => {
    db.exec(SCHEMA)
    const batchTerms = termIds(db)
    const selectOrder = db.prepare('SELECT record FROM audit_orders WHERE order_id = ?').pluck()
    const putOrder = db.prepare('INSERT OR REPLACE INTO audit_orders (order_id, record) VALUES (?, ?)')
    const selectTemplate = db.prepare('SELECT product_id FROM audit_templates WHERE template_id = ?').pluck()
    const putTemplate = db.prepare('INSERT OR REPLACE INTO audit_templates (template_id, product_id) VALUES (?, ?)')
    const putKey = db.prepare('INSERT OR REPLACE INTO audit_keys (activation_key, order_id, since_pos) VALUES (?, ?, ?)')
    // Nothing reads these two while events are applied: their rows go in many to a statement.
    const eventWriter = rowWriter(db, 'audit_events', ['pos', 'stream', 'revision', 'type', 'actor', 'recorded_at', 'concerns', 'changes'])
    const subjectWriter = rowWriter(db, 'audit_subjects', ['subject', 'pos'])

    return () => {
      const term = batchTerms()
      const eventRows = eventWriter.start()
      const subjectRows = subjectWriter.start()
      const orders = batchStates((orderId: string): OrderState => {
        const record = selectOrder.get(orderId) as string | undefined
        return record === undefined ? initialOrderState : orderOf(JSON.parse(record) as OrderRecord)
      })
      const templates = batchStates((templateId: string) => (selectTemplate.get(templateId) as string | undefined) ?? null)
      // What events concern, by the ids they name and the orders they concern; most events of an order name
      // only that order and leave its record as it was, and concern what the order's record says.
      let byRecord = new WeakMap<ExistingOrder, Concerned>()
      const concernedBy = new Map<string, Concerned>()
      const concernedAs = (named: readonly string[], orders: readonly ExistingOrder[]): Concerned => {
        const orderIds = new Set<string>()
        const customerIds = new Set<string>()
        const productIds = new Set<string>()
        const addTemplate = (templateId: string): void => {
          const productId = templates.get(templateId)
          if (productId !== null) productIds.add(productId)
        }
        for (let i = 0; i < named.length; i += 2) {
          const id = named[i + 1]!
          if (named[i] === 'template') addTemplate(id)
          else if (named[i] === 'order') orderIds.add(id)
          else if (named[i] === 'customer') customerIds.add(id)
          else productIds.add(id)
        }
        for (const order of orders) {
          orderIds.add(order.orderId)
          customerIds.add(String(order.terms.customer_id))
          addTemplate(String(order.terms.product_template_id))
        }
        const key = `${[...orderIds].join(' ')}|${[...customerIds].join(' ')}|${[...productIds].join(' ')}`
        let concerned = concernedBy.get(key)
        if (concerned === undefined) {
          const concerns: Concerns = { order_ids: [...orderIds], customer_ids: [...customerIds].map(Number), product_ids: [...productIds] }
          concerned = {
            concerns: term('concerns', JSON.stringify(concerns)),
            subjects: [
              ...[...orderIds].map((id) => term('order', id)),
              ...[...customerIds].map((id) => term('customer', id)),
              ...[...productIds].map((id) => term('product', id)),
            ],
          }
          concernedBy.set(key, concerned)
        }
        return concerned
      }
      const concernedByRecord = (order: ExistingOrder): Concerned => {
        let concerned = byRecord.get(order)
        if (concerned === undefined) byRecord.set(order, (concerned = concernedAs(['order', order.orderId], [order])))
        return concerned
      }

      const index = (events: readonly Envelope[]): void => {
        for (const { event, metadata, recorded } of events) {
          const pos = positionKey(recorded.position)
          const named = namedIn(event.data)
          let template: string | undefined
          let product: string | undefined
          for (let i = 0; i < named.length; i += 2) {
            if (named[i] === 'template') template ??= named[i + 1]
            if (named[i] === 'product') product ??= named[i + 1]
          }
          // An event naming both a template and a product ties them (a template's creation).
          if (template !== undefined && product !== undefined) {
            templates.set(template, product)
            putTemplate.run(template, product)
            byRecord = new WeakMap()
          }

          const concerned: ExistingOrder[] = []
          let changes: readonly FieldChange[] = []
          let unmoved: ExistingOrder | null = null
          if (isOrderEvent(event)) {
            const orderId = event.data.orderId
            const before = orders.get(orderId)
            const after = isUsageEvent(event) ? before : evolveOrder(before, event)
            if (before.exists) concerned.push(before)
            if (after.exists) {
              concerned.push(after)
              const moved = !before.exists || (after !== before && recordMoved(before, after))
              if (moved) {
                orders.set(orderId, after)
                putOrder.run(orderId, JSON.stringify(recordOf(after)))
              }
              if (!before.exists || before.activationKey !== after.activationKey) putKey.run(after.activationKey, orderId, pos)
              if (before.exists && moved) changes = fieldChanges(recordOf(before) as unknown as JsonValue, recordOf(after) as unknown as JsonValue)
              if (before.exists && !moved && named.length === 2 && named[0] === 'order' && named[1] === orderId) unmoved = before
            }
          }
          for (let i = 0; i < named.length; i += 2) {
            if (named[i] !== 'order' || unmoved !== null) continue
            const order = orders.get(named[i + 1]!)
            if (order.exists) concerned.push(order)
          }
          const { concerns, subjects } = unmoved !== null ? concernedByRecord(unmoved) : concernedAs(named, concerned)
          for (const subject of subjects) subjectRows.add(subject, pos)
          eventRows.add(
            pos,
            term('stream', recorded.streamName),
            recorded.revision,
            term('type', event.type),
            metadata.actor === null ? null : term('actor', metadata.actor),
            recorded.recordedAt.getTime(),
            concerns,
            changes.length === 0 ? null : JSON.stringify(changes),
          )
        }
      }
      return {
        apply: (events) => {
          index(events)
          eventRows.flush()
          subjectRows.flush()
        },
        flush: () => undefined,
      }
    }
  },
}
