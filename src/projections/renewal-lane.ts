// Rebuilding the read models from the embedded log, most of which is seat
// renewals (SeatLeaseRenewed in a seat's own stream): a range of the log at a
// time, the renewals that a later renewal of the same seat in the range
// supersedes never reach JavaScript. SQLite checks them (with the codecs'
// own test, called on the stored text), and writes their rows of the audit
// index itself (audit.ts's rows, the same values), from the log database
// attached to the read models'. Every other event, and the last renewal of
// each seat in the range, is read, decoded and applied as always.
//
// Why that is the same: the read models other than the audit index keep of a
// renewal only what the seat's next renewal overwrites (its lease), and
// nothing in between reads it; their `onlyLatestRenewal` says so. The audit
// index names a renewal by its stream, type and actor and by what its order
// concerns (the order, its customer and its product); a renewal takes the
// SQL path only when all of those terms were known before the range began
// (so it adds none, and the terms' numbers come out in log order as ever) and
// its order's record did not move in the range (no other order event, no
// template tied to a product), so it concerns what the order concerned at
// the range's start. Whatever fails any test is applied in JavaScript.
import type Database from 'better-sqlite3'
import { decodesAsIs } from '../application/decodes-as-is.js'
import { EventMetadata } from '../application/metadata.js'
import { domainSchemas } from '../domain/events.js'
import { orderSchemas, usageSchemaVersions } from '../domain/order/index.js'
import { SeatLeaseRenewed } from '../domain/seat/events.js'
import type { Position, RecordedEvent } from '../store/port.js'
import { toRecorded, type Row } from '../store/sqlite.js'
import { positionKey } from './audit.js'

const RENEWAL = 'SeatLeaseRenewed'
const SEAT_STREAM = 'seat-'
/** The schema the log's database is attached as. */
const LOG = 'renewal_lane_log'

/** A JSON string's characters with nothing escaped: its text is its value. */
const S = '[^"\\\\\\u0000-\\u001f]*'
const NULLABLE = `(null|"${S}")`
const DATA = new RegExp(
  `^\\{"orderId":"(${S})","seatId":"(${S})","clientId":"(${S})","machineId":"(${S})","leaseExpiresAt":"(${S})","heartbeatIntervalSeconds":(0|[1-9][0-9]{0,14}),"at":"(${S})"\\}$`,
)
const METADATA = new RegExp(
  `^\\{"actor":${NULLABLE},"correlationId":"(${S})","causationId":${NULLABLE},"requestId":${NULLABLE},"clientIp":${NULLABLE},"idempotencyKey":${NULLABLE},"schemaVersion":${domainSchemas.versions[RENEWAL]}\\}$`,
)
const renewalAsIs = decodesAsIs(SeatLeaseRenewed)
const metadataAsIs = decodesAsIs(EventMetadata)
const orNull = (captured: string): string | null => (captured === 'null' ? null : captured.slice(1, -1))

/**
 * The renewal's order id when its stored text is exactly what the codecs
 * take as it is (decodes-as-is.ts, as decoding it would), at the current
 * schema version, in its own seat's stream; else null (then it is decoded).
 */
export const laneRenewalOrder = (stream: string, data: string, metadata: string): string | null => {
  const d = DATA.exec(data)
  const m = d === null ? null : METADATA.exec(metadata)
  if (d === null || m === null || stream !== `${SEAT_STREAM}${d[2]}`) return null
  const event = {
    type: RENEWAL,
    data: { orderId: d[1], seatId: d[2], clientId: d[3], machineId: d[4], leaseExpiresAt: d[5], heartbeatIntervalSeconds: Number(d[6]), at: d[7] },
  }
  const meta = {
    actor: orNull(m[1]!),
    correlationId: m[2],
    causationId: orNull(m[3]!),
    requestId: orNull(m[4]!),
    clientIp: orNull(m[5]!),
    idempotencyKey: orNull(m[6]!),
    schemaVersion: domainSchemas.versions[RENEWAL],
  }
  return renewalAsIs(event) && metadataAsIs(meta) ? d[1]! : null
}

/** The order events that move an order's record (what the audit index diffs, and what an order concerns). */
const RECORD_EVENTS = Object.keys(orderSchemas.versions).filter((type) => !(type in usageSchemaVersions))
const sqlList = (values: readonly string[]): string => values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')

export interface LaneRange {
  /** The positions of the range's first event and its last. */
  readonly first: Position
  readonly upTo: Position
  /** The range's events but the renewals the SQL path indexes, in log order. */
  readonly rest: readonly RecordedEvent[]
  /** How many events the range holds in all. */
  readonly events: number
  /** Writes the audit rows of the renewals taken, and learns what the range changed; before the commit. Returns how many it took. */
  readonly finish: () => number
}

/**
 * Attaches the log's database (`logPath`) to the read models' `db`. Call
 * `range` inside a transaction, after the audit index's tables exist.
 */
export const createRenewalLane = (db: Database.Database, logPath: string) => {
  db.prepare(`ATTACH DATABASE ? AS ${LOG}`).run(logPath)
  db.function('lane_renewal_order', { deterministic: true }, laneRenewalOrder)
  db.function('lane_position_key', { deterministic: true, safeIntegers: true }, (position: unknown) => positionKey(position as bigint))
  db.function('lane_time', { deterministic: true }, (recordedAt: unknown) => new Date(recordedAt as string).getTime())
  db.exec(`
    CREATE TEMP TABLE IF NOT EXISTS lane_orders (order_id TEXT PRIMARY KEY, concerns INTEGER NOT NULL);
    CREATE TEMP TABLE IF NOT EXISTS lane_subjects (order_id TEXT NOT NULL, ord INTEGER NOT NULL, subject INTEGER NOT NULL, PRIMARY KEY (order_id, ord)) WITHOUT ROWID;
    CREATE TEMP TABLE IF NOT EXISTS lane_dirty (order_id TEXT PRIMARY KEY, since INTEGER NOT NULL);
    CREATE TEMP TABLE IF NOT EXISTS lane_taken (position INTEGER PRIMARY KEY, pos BLOB NOT NULL, stream TEXT NOT NULL, revision INTEGER NOT NULL, actor INTEGER, recorded_at INTEGER NOT NULL, order_id TEXT NOT NULL);
  `)
  const extent = db
    .prepare(`SELECT MIN(position) AS first, MAX(position) AS upTo, COUNT(*) AS events FROM (SELECT position FROM ${LOG}.events WHERE position > ? AND position <= ? ORDER BY position LIMIT ?)`)
    .safeIntegers(true)
  const maxTerm = db.prepare('SELECT COALESCE(MAX(id), 0) FROM audit_terms').pluck()
  const firstRenewal = db.prepare(`SELECT MIN(position) FROM ${LOG}.events WHERE position > ? AND position <= ? AND type = '${RENEWAL}'`).pluck().safeIntegers(true)
  const typeTerm = db.prepare("SELECT id FROM audit_terms WHERE kind = 'type' AND term = ?").pluck()
  // An event that could tie a template to a product changes what orders concern: the range goes the usual way.
  const mayName = (key: string): string => `(instr(data, '"${key}"') > 0 OR instr(data, '\\u') > 0)`
  const tieIn = db.prepare(`SELECT EXISTS (SELECT 1 FROM ${LOG}.events WHERE position > ? AND position <= ? AND ${mayName('templateId')} AND ${mayName('productId')})`).pluck()
  const clearDirty = db.prepare('DELETE FROM temp.lane_dirty')
  const markDirty = db.prepare(
    `INSERT INTO temp.lane_dirty SELECT json_extract(data, '$.orderId'), MIN(position) FROM ${LOG}.events
     WHERE position > ? AND position <= ? AND type IN (${sqlList(RECORD_EVENTS)}) AND json_extract(data, '$.orderId') IS NOT NULL GROUP BY 1`,
  )
  const clearTaken = db.prepare('DELETE FROM temp.lane_taken')
  const takenCount = db.prepare('SELECT COUNT(*) FROM temp.lane_taken').pluck()
  const take = db.prepare(`
    INSERT INTO temp.lane_taken (position, pos, stream, revision, actor, recorded_at, order_id)
    SELECT e.position, lane_position_key(e.position), e.stream, e.revision, ac.id, lane_time(e.recorded_at), lo.order_id
    FROM ${LOG}.events e
    CROSS JOIN temp.lane_orders lo ON lo.order_id = lane_renewal_order(e.stream, e.data, e.metadata)
    LEFT JOIN main.audit_terms ac ON ac.kind = 'actor' AND ac.term = json_extract(e.metadata, '$.actor')
    WHERE e.position > @after AND e.position <= @upTo AND e.type = '${RENEWAL}' AND e.position > @firstUnknown
      AND (ac.id <= @maxTerm OR json_type(e.metadata, '$.actor') = 'null')
      AND NOT EXISTS (SELECT 1 FROM temp.lane_dirty d WHERE d.order_id = lo.order_id AND d.since < e.position)
      -- The stream's term was known before the range, or the stream's first event in the range (which does not pass
      -- here) adds it, before this one.
      AND (EXISTS (SELECT 1 FROM ${LOG}.events p WHERE p.stream = e.stream AND p.revision = e.revision - 1 AND p.position > @after)
        OR EXISTS (SELECT 1 FROM main.audit_terms st WHERE st.kind = 'stream' AND st.term = e.stream AND st.id <= @maxTerm))`)
  // The last renewal of each seat in the range is applied by every read model; those before it only indexed.
  const keepLast = db.prepare('DELETE FROM temp.lane_taken WHERE position IN (SELECT MAX(position) FROM temp.lane_taken GROUP BY order_id, stream)')
  const rest = db
    .prepare(`SELECT * FROM ${LOG}.events WHERE position > ? AND position <= ? AND position NOT IN (SELECT position FROM temp.lane_taken) ORDER BY position`)
    .safeIntegers(true)
  const indexEvents = db.prepare(`
    INSERT INTO main.audit_events (pos, stream, revision, type, actor, recorded_at, concerns, changes)
    SELECT l.pos, st.id, l.revision, ?, l.actor, l.recorded_at, lo.concerns, NULL
    FROM temp.lane_taken l JOIN temp.lane_orders lo ON lo.order_id = l.order_id
    JOIN main.audit_terms st ON st.kind = 'stream' AND st.term = l.stream ORDER BY l.position`)
  const indexSubjects = db.prepare(`
    INSERT INTO main.audit_subjects (subject, pos)
    SELECT s.subject, l.pos FROM temp.lane_taken l JOIN temp.lane_subjects s ON s.order_id = l.order_id ORDER BY l.position, s.ord`)

  // What each order concerns, as the audit index words it (concernedAs in audit.ts, for an event naming only
  // the order): its terms, looked up and never added; an order whose terms are not all known has no row.
  const concerning = `
    WITH o AS (
      SELECT a.order_id, json_extract(a.record, '$.terms.customer_id') AS customer, t.product_id AS product
      FROM main.audit_orders a LEFT JOIN main.audit_templates t ON t.template_id = CAST(json_extract(a.record, '$.terms.product_template_id') AS TEXT)
      WHERE %WHICH%),
    c AS (
      SELECT o.order_id, o.product,
        (SELECT id FROM main.audit_terms WHERE kind = 'concerns' AND term = json_object('order_ids', json_array(o.order_id), 'customer_ids', json_array(o.customer),
          'product_ids', CASE WHEN o.product IS NULL THEN json_array() ELSE json_array(o.product) END)) AS concerns,
        (SELECT id FROM main.audit_terms WHERE kind = 'order' AND term = o.order_id) AS order_term,
        (SELECT id FROM main.audit_terms WHERE kind = 'customer' AND term = CAST(o.customer AS TEXT)) AS customer_term,
        (SELECT id FROM main.audit_terms WHERE kind = 'product' AND term = o.product) AS product_term
      FROM o WHERE typeof(o.customer) = 'integer')
    SELECT order_id, concerns, order_term, customer_term, product_term FROM c
    WHERE concerns IS NOT NULL AND order_term IS NOT NULL AND customer_term IS NOT NULL AND (product IS NULL OR product_term IS NOT NULL)`
  const learnAll = db.prepare(concerning.replace('%WHICH%', '1'))
  const learnNew = db.prepare(
    concerning.replace('%WHICH%', 'a.order_id IN (SELECT order_id FROM temp.lane_dirty) OR a.order_id NOT IN (SELECT order_id FROM temp.lane_orders)'),
  )
  const forget = db.prepare('DELETE FROM temp.lane_orders WHERE order_id IN (SELECT order_id FROM temp.lane_dirty)')
  const forgetSubjects = db.prepare('DELETE FROM temp.lane_subjects WHERE order_id IN (SELECT order_id FROM temp.lane_dirty)')
  const putOrder = db.prepare('INSERT OR REPLACE INTO temp.lane_orders (order_id, concerns) VALUES (?, ?)')
  const putSubject = db.prepare('INSERT OR REPLACE INTO temp.lane_subjects (order_id, ord, subject) VALUES (?, ?, ?)')
  type Concerning = { order_id: string; concerns: number; order_term: number; customer_term: number; product_term: number | null }
  const learn = (all: boolean): void => {
    if (all) db.exec('DELETE FROM temp.lane_orders; DELETE FROM temp.lane_subjects')
    else {
      forget.run()
      forgetSubjects.run()
    }
    for (const row of (all ? learnAll : learnNew).all() as Concerning[]) {
      putOrder.run(row.order_id, row.concerns)
      putSubject.run(row.order_id, 0, row.order_term)
      putSubject.run(row.order_id, 1, row.customer_term)
      if (row.product_term !== null) putSubject.run(row.order_id, 2, row.product_term)
    }
  }
  let known = false

  /** The next range of up to `size` events after `after`, up to `target`; null when there is none. */
  const range = (after: Position | null, target: Position, size: number): LaneRange | null => {
    const from = after ?? 0n
    const { first, upTo, events } = extent.get(from, target, size) as { first: bigint | null; upTo: bigint | null; events: bigint }
    if (first === null || upTo === null) return null
    if (!known) {
      learn(true)
      known = true
    }
    clearDirty.run()
    clearTaken.run()
    const tie = tieIn.get(from, upTo) === 1
    if (!tie) {
      markDirty.run(from, upTo)
      // Before the first renewal the index has named, the range's first renewal is decoded, and adds the type's term.
      const firstUnknown = typeTerm.get(RENEWAL) === undefined ? ((firstRenewal.get(from, upTo) as bigint | null) ?? upTo) : 0n
      take.run({ after: from, upTo, maxTerm: maxTerm.get() as number, firstUnknown })
      keepLast.run()
    }
    return {
      first,
      upTo,
      rest: (rest.all(from, upTo) as Row[]).map(toRecorded),
      events: Number(events),
      finish: () => {
        const taken = takenCount.get() as number
        if (taken > 0) {
          // Every term a renewal taken here names exists by now (see `take`); a row lost in the join would be an index with holes.
          if (indexEvents.run(typeTerm.get(RENEWAL)).changes !== taken) throw new Error('renewal lane: a renewal taken has no term for its stream')
          indexSubjects.run()
        }
        learn(tie)
        return taken
      },
    }
  }

  return { range, detach: (): void => void db.exec(`DETACH DATABASE ${LOG}`) }
}
export type RenewalLane = ReturnType<typeof createRenewalLane>
