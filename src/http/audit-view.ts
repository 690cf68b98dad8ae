// An audit entry on the wire: as JSON (the query replies and NDJSON exports)
// and as a CSV row (RFC 4180: every field that needs it quoted, quotes doubled).
import type { AuditEntry } from '../projections/audit-reader.js'
import { csvLine } from './reply.js'

export const auditEntryBody = (entry: AuditEntry) => ({
  position: entry.position,
  recorded_at: entry.recordedAt,
  type: entry.type,
  schema_version: entry.schemaVersion,
  stream: entry.stream,
  revision: entry.revision,
  event_id: entry.eventId,
  actor: entry.actor,
  client_ip: entry.clientIp,
  correlation_id: entry.correlationId,
  causation_id: entry.causationId,
  request_id: entry.requestId,
  idempotency_key: entry.idempotencyKey,
  concerns: entry.concerns,
  ...(entry.changes.length === 0 ? {} : { changes: entry.changes }),
  data: entry.data,
})

export const ndjsonLine = (entry: AuditEntry): string => `${JSON.stringify(auditEntryBody(entry))}\n`

export const CSV_COLUMNS = [
  'position',
  'recorded_at',
  'type',
  'schema_version',
  'stream',
  'revision',
  'event_id',
  'actor',
  'client_ip',
  'correlation_id',
  'causation_id',
  'request_id',
  'idempotency_key',
  'order_ids',
  'customer_ids',
  'product_ids',
  'changes',
  'data',
] as const

const csvRecord = (fields: readonly (string | number | null)[]): string => `${csvLine(fields)}\r\n`

export const csvHeader = csvRecord(CSV_COLUMNS)

/** Lists are space-separated ids; changes and data are JSON. */
export const csvRow = (entry: AuditEntry): string =>
  csvRecord([
    entry.position,
    entry.recordedAt,
    entry.type,
    entry.schemaVersion,
    entry.stream,
    entry.revision,
    entry.eventId,
    entry.actor,
    entry.clientIp,
    entry.correlationId,
    entry.causationId,
    entry.requestId,
    entry.idempotencyKey,
    entry.concerns.order_ids.join(' '),
    entry.concerns.customer_ids.join(' '),
    entry.concerns.product_ids.join(' '),
    entry.changes.length === 0 ? null : JSON.stringify(entry.changes),
    JSON.stringify(entry.data),
  ])
