// Queries of the audit index (audit.ts): a page of events matching a filter,
// by global position in either direction, and the same as a sequence of pages
// for exports, which never holds more than one page in memory.
import type Database from 'better-sqlite3'
import type { OrderState } from '../domain/order/index.js'
import type { JsonValue, Position } from '../store/port.js'
import { positionText, type Concerns, type SubjectKind } from './audit.js'
import type { FieldChange } from './field-changes.js'
import { jsonRows } from './projection.js'

export interface AuditEntry {
  /** The event's global position, as a decimal string. */
  readonly position: string
  readonly recordedAt: string
  readonly type: string
  /** The schema version the event was written at; `data` is shown at the current one. */
  readonly schemaVersion: number
  readonly stream: string
  readonly revision: number
  readonly eventId: string
  readonly actor: string | null
  readonly clientIp: string | null
  readonly correlationId: string
  readonly causationId: string | null
  readonly requestId: string | null
  readonly idempotencyKey: string | null
  readonly concerns: Concerns
  /** Empty unless the event changed an existing license order. */
  readonly changes: readonly FieldChange[]
  readonly data: JsonValue
}

export interface Subject {
  readonly kind: SubjectKind
  readonly value: string
}

export interface AuditFilter {
  /** Every one must be concerned. */
  readonly subjects: readonly Subject[]
  /** Any of these types; empty: every type. */
  readonly types: readonly string[]
  readonly actor: string | null
  /** ISO 8601 instants as the index writes them: `from` inclusive, `to` exclusive. */
  readonly from: string | null
  readonly to: string | null
}

export interface AuditRange {
  readonly order: 'asc' | 'desc'
  /** Continue strictly after this position, in the order's direction; null: from the start (asc) or the end (desc). */
  readonly cursor: Position | null
}

export interface LicenseOfRecord {
  readonly orderId: string
  readonly activationKey: string
  readonly customerId: number
  /** null: its template's product is not known to the index. */
  readonly productId: string | null
}

interface Row {
  readonly pos: string
  readonly event_id: string
  readonly stream: string
  readonly revision: number
  readonly type: string
  readonly schema_version: number
  readonly recorded_at: string
  readonly actor: string | null
  readonly client_ip: string | null
  readonly correlation_id: string
  readonly causation_id: string | null
  readonly request_id: string | null
  readonly idempotency_key: string | null
  readonly concerns: string
  readonly changes: string | null
  readonly data: string
}

const toEntry = (row: Row): AuditEntry => ({
  position: BigInt(row.pos).toString(),
  recordedAt: row.recorded_at,
  type: row.type,
  schemaVersion: row.schema_version,
  stream: row.stream,
  revision: row.revision,
  eventId: row.event_id,
  actor: row.actor,
  clientIp: row.client_ip,
  correlationId: row.correlation_id,
  causationId: row.causation_id,
  requestId: row.request_id,
  idempotencyKey: row.idempotency_key,
  concerns: JSON.parse(row.concerns) as Concerns,
  changes: row.changes === null ? [] : (JSON.parse(row.changes) as FieldChange[]),
  data: JSON.parse(row.data) as JsonValue,
})

/** The SQL for a filter: driven by the first subject's index when there is one, so a license's events are found without a scan. */
const sqlFor = (filter: AuditFilter, order: 'asc' | 'desc', hasCursor: boolean, bounded: boolean) => {
  const where: string[] = []
  const params: unknown[] = []
  const [first, ...others] = filter.subjects
  const pos = first === undefined ? 'e.pos' : 's.pos'
  let from = 'audit_events e'
  if (first !== undefined) {
    from = 'audit_subjects s JOIN audit_events e ON e.pos = s.pos'
    where.push('s.kind = ? AND s.value = ?')
    params.push(first.kind, first.value)
  }
  for (const other of others) {
    where.push('EXISTS (SELECT 1 FROM audit_subjects x WHERE x.kind = ? AND x.value = ? AND x.pos = e.pos)')
    params.push(other.kind, other.value)
  }
  if (filter.types.length > 0) {
    where.push(`e.type IN (${filter.types.map(() => '?').join(', ')})`)
    params.push(...filter.types)
  }
  if (filter.actor !== null) {
    where.push('e.actor = ?')
    params.push(filter.actor)
  }
  if (filter.from !== null) {
    where.push('e.recorded_at >= ?')
    params.push(filter.from)
  }
  if (filter.to !== null) {
    where.push('e.recorded_at < ?')
    params.push(filter.to)
  }
  if (hasCursor) where.push(`${pos} ${order === 'asc' ? '>' : '<'} ?`)
  if (bounded) where.push(`${pos} <= ?`)
  const sql = `SELECT e.* FROM ${from}${where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`} ORDER BY ${pos} ${order.toUpperCase()} LIMIT ?`
  return { sql, params }
}

export const auditReader = (db: Database.Database) => {
  const statements = new Map<string, Database.Statement>()
  const prepared = (sql: string): Database.Statement => {
    let statement = statements.get(sql)
    if (statement === undefined) {
      statement = db.prepare(sql)
      statements.set(sql, statement)
    }
    return statement
  }

  const getOrder = jsonRows<OrderState>(db, 'audit_orders', 'order_id')
  const byKey = db.prepare('SELECT order_id FROM audit_keys WHERE activation_key = ? ORDER BY since_pos DESC LIMIT 1').pluck()
  const productOfTemplate = db.prepare('SELECT product_id FROM audit_templates WHERE template_id = ?').pluck()
  const lastPos = db.prepare('SELECT MAX(pos) FROM audit_events').pluck()

  /** Up to `limit` entries after the cursor, no further than `upTo` (a padded position) when given. */
  const select = (filter: AuditFilter, range: AuditRange, limit: number, upTo: string | null): AuditEntry[] => {
    const { sql, params } = sqlFor(filter, range.order, range.cursor !== null, upTo !== null)
    if (range.cursor !== null) params.push(positionText(range.cursor))
    if (upTo !== null) params.push(upTo)
    return (prepared(sql).all(...params, limit) as Row[]).map(toEntry)
  }

  return {
    /**
     * The license order an activation key names: the order that took the key
     * last, so a key an order had in the past still finds it; else an order id.
     */
    resolveLicense: (keyOrOrderId: string): string | null => {
      const holder = byKey.get(keyOrOrderId) as string | undefined
      if (holder !== undefined) return holder
      const order = getOrder(keyOrOrderId)
      return order !== null && order.exists ? order.orderId : null
    },

    /** A license order as the index last saw it. */
    license: (orderId: string): LicenseOfRecord | null => {
      const order = getOrder(orderId)
      if (order === null || !order.exists) return null
      const productId = productOfTemplate.get(String(order.terms.product_template_id)) as string | undefined
      return { orderId, activationKey: order.activationKey, customerId: order.terms.customer_id, productId: productId ?? null }
    },

    /** One page, and the cursor of the next (null when there is none). */
    page: (filter: AuditFilter, range: AuditRange, limit: number): { readonly items: readonly AuditEntry[]; readonly nextCursor: string | null } => {
      const found = select(filter, range, limit + 1, null)
      const items = found.slice(0, limit)
      return { items, nextCursor: found.length > limit ? items[items.length - 1]!.position : null }
    },

    /**
     * Every matching entry, page by page, as the index stood when the first page
     * was read (events indexed meanwhile are left out, whatever the order), up
     * to `max` entries when given.
     */
    pages: function* (filter: AuditFilter, range: AuditRange, max: number | null, pageSize = 500): Generator<readonly AuditEntry[]> {
      const upTo = lastPos.get() as string | null
      if (upTo === null) return
      let cursor = range.cursor
      let left = max ?? Number.POSITIVE_INFINITY
      while (left > 0) {
        const page = select(filter, { order: range.order, cursor }, Math.min(pageSize, left), upTo)
        if (page.length === 0) return
        yield page
        left -= page.length
        cursor = BigInt(page[page.length - 1]!.position)
      }
    },
  }
}
export type AuditReader = ReturnType<typeof auditReader>
