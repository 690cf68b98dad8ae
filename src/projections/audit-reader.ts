// Queries of the audit index (audit.ts): a page of events matching a filter,
// by global position in either direction, and the same as a sequence of pages
// for exports, which never holds more than one page in memory. The index
// finds the events; their data and metadata are read from the log itself,
// decoded as every reader of the log decodes them.
import type Database from 'better-sqlite3'
import { decodeRecorded } from '../application/event-codec.js'
import type { EventStore, JsonValue, Position, RecordedEvent } from '../store/port.js'
import { positionKey, positionOfKey, redacted, type Concerns, type SubjectKind, type TermKind } from './audit.js'
import type { FieldChange } from './field-changes.js'

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
  /** ISO 8601 instants: `from` inclusive, `to` exclusive. */
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
  readonly pos: Buffer
  readonly stream: string
  readonly revision: number
  readonly concerns: string
  readonly changes: string | null
}

/** Term ids for a filter's strings; null when one is not in the index at all, so nothing can match. */
type TermOf = (kind: TermKind, term: string) => number | null

/** The SQL for a filter: driven by the first subject's index when there is one, so a license's events are found without a scan. */
const sqlFor = (filter: AuditFilter, termOf: TermOf, order: 'asc' | 'desc', hasCursor: boolean, bounded: boolean) => {
  const where: string[] = []
  const params: unknown[] = []
  const subjects = filter.subjects.map((s) => termOf(s.kind, s.value))
  const types = filter.types.map((type) => termOf('type', type)).filter((id) => id !== null)
  const actor = filter.actor === null ? null : termOf('actor', filter.actor)
  if (subjects.includes(null) || (filter.types.length > 0 && types.length === 0) || (filter.actor !== null && actor === null)) return null

  const [first, ...others] = subjects
  const pos = first === undefined ? 'e.pos' : 's.pos'
  let from = 'audit_events e'
  if (first !== undefined) {
    from = 'audit_subjects s JOIN audit_events e ON e.pos = s.pos'
    where.push('s.subject = ?')
    params.push(first)
  }
  for (const other of others) {
    where.push('EXISTS (SELECT 1 FROM audit_subjects x WHERE x.subject = ? AND x.pos = e.pos)')
    params.push(other)
  }
  if (types.length > 0) {
    where.push(`e.type IN (${types.map(() => '?').join(', ')})`)
    params.push(...types)
  }
  if (actor !== null) {
    where.push('e.actor = ?')
    params.push(actor)
  }
  if (filter.from !== null) {
    where.push('e.recorded_at >= ?')
    params.push(Date.parse(filter.from))
  }
  if (filter.to !== null) {
    where.push('e.recorded_at < ?')
    params.push(Date.parse(filter.to))
  }
  if (hasCursor) where.push(`${pos} ${order === 'asc' ? '>' : '<'} ?`)
  if (bounded) where.push(`${pos} <= ?`)
  const sql = `SELECT e.pos, st.term AS stream, e.revision, c.term AS concerns, e.changes
    FROM ${from} JOIN audit_terms st ON st.id = e.stream JOIN audit_terms c ON c.id = e.concerns
    ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY ${pos} ${order.toUpperCase()} LIMIT ?`
  return { sql, params }
}

/**
 * The events of the rows, read from the log: one read per run of consecutive
 * revisions of a stream (a license's history is mostly one run). An event its
 * stream's retention let go (older than the oldest the stream keeps: lease
 * renewals past LEASE_HISTORY_RETENTION_DAYS, old leadership leases) is null:
 * the index still names it, the log no longer holds it. Any other event the
 * log does not hold at that position is an error, never papered over.
 */
const eventsOf = async (store: EventStore, rows: readonly Row[]): Promise<readonly (RecordedEvent | null)[]> => {
  const byStream = new Map<string, number[]>()
  for (const row of rows) {
    const revisions = byStream.get(row.stream)
    if (revisions === undefined) byStream.set(row.stream, [row.revision])
    else revisions.push(row.revision)
  }
  const runs: { readonly stream: string; readonly from: number; readonly count: number }[] = []
  for (const [stream, revisions] of byStream) {
    revisions.sort((a, b) => a - b)
    let from = revisions[0]!
    let count = 0
    for (const revision of revisions) {
      if (revision === from + count) count += 1
      else {
        runs.push({ stream, from, count })
        from = revision
        count = 1
      }
    }
    runs.push({ stream, from, count })
  }
  const read = await Promise.all(runs.map((run) => store.readStream(run.stream, { fromRevision: run.from, maxCount: run.count })))
  const found = new Map(read.flat().map((recorded) => [`${recorded.streamName}\u0000${recorded.revision}`, recorded]))
  const missing = [...new Set(rows.filter((row) => !found.has(`${row.stream}\u0000${row.revision}`)).map((row) => row.stream))]
  const oldestKept = new Map(
    await Promise.all(missing.map(async (stream) => [stream, (await store.readStream(stream, { maxCount: 1 }))[0]?.revision ?? Number.POSITIVE_INFINITY] as const)),
  )
  return rows.map((row) => {
    const recorded = found.get(`${row.stream}\u0000${row.revision}`)
    const position = positionOfKey(row.pos)
    if (recorded === undefined && row.revision < (oldestKept.get(row.stream) ?? 0)) return null
    if (recorded === undefined || recorded.position !== position) {
      throw new Error(`the audit index names ${row.stream}@${row.revision} at position ${position}, which the event log does not hold there: the read models are not of this log`)
    }
    return recorded
  })
}

const toEntry = (row: Row, recorded: RecordedEvent, concerns: Concerns): AuditEntry => {
  const { event, metadata } = decodeRecorded(recorded)
  return {
    position: recorded.position.toString(),
    recordedAt: recorded.recordedAt.toISOString(),
    type: event.type,
    schemaVersion: metadata.schemaVersion,
    stream: recorded.streamName,
    revision: recorded.revision,
    eventId: recorded.id,
    actor: metadata.actor,
    clientIp: metadata.clientIp,
    correlationId: metadata.correlationId,
    causationId: metadata.causationId,
    requestId: metadata.requestId,
    idempotencyKey: metadata.idempotencyKey,
    concerns,
    changes: row.changes === null ? [] : (JSON.parse(row.changes) as FieldChange[]),
    data: redacted(event.data) as JsonValue,
  }
}

export const auditReader = (db: Database.Database, store: EventStore) => {
  const statements = new Map<string, Database.Statement>()
  const prepared = (sql: string): Database.Statement => {
    let statement = statements.get(sql)
    if (statement === undefined) {
      statement = db.prepare(sql)
      statements.set(sql, statement)
    }
    return statement
  }

  const termId = db.prepare('SELECT id FROM audit_terms WHERE kind = ? AND term = ?').pluck()
  const termOf: TermOf = (kind, term) => (termId.get(kind, term) as number | undefined) ?? null
  const getRecord = db.prepare('SELECT record FROM audit_orders WHERE order_id = ?').pluck()
  const byKey = db.prepare('SELECT order_id FROM audit_keys WHERE activation_key = ? ORDER BY since_pos DESC LIMIT 1').pluck()
  const productOfTemplate = db.prepare('SELECT product_id FROM audit_templates WHERE template_id = ?').pluck()
  const lastPos = db.prepare('SELECT MAX(pos) FROM audit_events').pluck()

  const recordOf = (orderId: string): { readonly orderId: string; readonly activationKey: string; readonly terms: { readonly customer_id: number; readonly product_template_id: number } } | null => {
    const record = getRecord.get(orderId) as string | undefined
    return record === undefined ? null : JSON.parse(record)
  }

  /**
   * Up to `limit` rows after the cursor, no further than `upTo` (a position key)
   * when given: each with its entry, or null where retention let its event go.
   */
  const select = async (filter: AuditFilter, range: AuditRange, limit: number, upTo: Buffer | null): Promise<{ readonly position: string; readonly entry: AuditEntry | null }[]> => {
    const query = sqlFor(filter, termOf, range.order, range.cursor !== null, upTo !== null)
    if (query === null) return []
    const { sql, params } = query
    if (range.cursor !== null) params.push(positionKey(range.cursor))
    if (upTo !== null) params.push(upTo)
    const rows = prepared(sql).all(...params, limit) as Row[]
    const events = await eventsOf(store, rows)
    const concerns = new Map<string, Concerns>()
    return rows.map((row, i) => {
      const recorded = events[i]!
      if (recorded === null) return { position: positionOfKey(row.pos).toString(), entry: null }
      if (!concerns.has(row.concerns)) concerns.set(row.concerns, JSON.parse(row.concerns) as Concerns)
      return { position: recorded.position.toString(), entry: toEntry(row, recorded, concerns.get(row.concerns)!) }
    })
  }

  const entriesOf = (rows: readonly { readonly entry: AuditEntry | null }[]): AuditEntry[] => rows.flatMap(({ entry }) => (entry === null ? [] : [entry]))

  return {
    /**
     * The license order an activation key names: the order that took the key
     * last, so a key an order had in the past still finds it; else an order id.
     */
    resolveLicense: (keyOrOrderId: string): string | null => {
      const holder = byKey.get(keyOrOrderId) as string | undefined
      if (holder !== undefined) return holder
      return recordOf(keyOrOrderId)?.orderId ?? null
    },

    /** A license order as the index last saw it. */
    license: (orderId: string): LicenseOfRecord | null => {
      const order = recordOf(orderId)
      if (order === null) return null
      const productId = productOfTemplate.get(String(order.terms.product_template_id)) as string | undefined
      return { orderId, activationKey: order.activationKey, customerId: order.terms.customer_id, productId: productId ?? null }
    },

    /** One page, and the cursor of the next (null when there is none). */
    page: async (
      filter: AuditFilter,
      range: AuditRange,
      limit: number,
    ): Promise<{ readonly items: readonly AuditEntry[]; readonly nextCursor: string | null }> => {
      const found = await select(filter, range, limit + 1, null)
      const rows = found.slice(0, limit)
      return { items: entriesOf(rows), nextCursor: found.length > limit ? rows[rows.length - 1]!.position : null }
    },

    /**
     * Every matching entry, page by page, as the index stood when the first page
     * was read (events indexed meanwhile are left out, whatever the order), up
     * to `max` entries when given.
     */
    pages: async function* (filter: AuditFilter, range: AuditRange, max: number | null, pageSize = 500): AsyncGenerator<readonly AuditEntry[]> {
      const upTo = lastPos.get() as Buffer | null
      if (upTo === null) return
      let cursor = range.cursor
      let left = max ?? Number.POSITIVE_INFINITY
      while (left > 0) {
        const rows = await select(filter, { order: range.order, cursor }, Math.min(pageSize, left), upTo)
        if (rows.length === 0) return
        const page = entriesOf(rows)
        if (page.length > 0) yield page
        left -= page.length
        cursor = BigInt(rows[rows.length - 1]!.position)
      }
    },
  }
}
export type AuditReader = ReturnType<typeof auditReader>
