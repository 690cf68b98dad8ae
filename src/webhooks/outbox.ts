// The webhook outbox: a SQLite file in the data directory holding the
// deliveries still to make and those made, with the webhook runner's
// checkpoint. The outbox projection turns each domain event into deliveries
// in the same transaction that moves the checkpoint, so an event is either
// not yet handled (and will be, after a restart) or has all its deliveries
// stored; none is lost in between. Unlike the read models this file is
// state, not a cache: deleting it redelivers the whole history.
import Database from 'better-sqlite3'
import { v5 as uuidv5 } from 'uuid'
import { WebhookDeliveryAttempted } from '../domain/deliveries/index.js'
import {
  webhookEndpointDecider,
  WebhookEndpointEvent,
  wants,
  webhookEndpointSchemas,
  type ExistingWebhookEndpoint,
  type WebhookEndpointState,
} from '../domain/webhook-endpoint/index.js'
import { eachEvent, eventsOf, jsonRows, type Envelope, type Projection } from '../projections/projection.js'
import { addColumnIfMissing } from '../store/sqlite-columns.js'
import { occurrencesOf } from './catalogue.js'
import { worldOf } from './world.js'

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, position TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS webhook_endpoints (
    endpoint_id      TEXT PRIMARY KEY,
    created_position TEXT NOT NULL,
    enabled          INTEGER NOT NULL,
    deleted          INTEGER NOT NULL,
    state            TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS webhook_deliveries (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id     TEXT NOT NULL UNIQUE,
    endpoint_id     TEXT NOT NULL,
    event           TEXT NOT NULL,
    source_event_id TEXT NOT NULL,
    position        TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    last_attempt_at INTEGER,
    response_status INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER,
    in_log          INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX IF NOT EXISTS webhook_deliveries_unrecorded ON webhook_deliveries (in_log, status, seq);
  CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
  CREATE INDEX IF NOT EXISTS webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, seq);
`

/**
 * Opens (creating when missing) the outbox. The dispatcher's connection syncs
 * every commit (`durable`: what was sent is never forgotten, or sent again
 * after a power loss). The runner's need not: it derives deliveries from the
 * log with its checkpoint in the same transaction, so a commit lost to a power
 * loss is lost with its checkpoint and made again, with the same delivery ids,
 * from the durable log; and the next synced commit on the file syncs it anyway.
 */
export const openOutbox = (path: string, durable = true): Database.Database => {
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma(durable ? 'synchronous = FULL' : 'synchronous = NORMAL')
  db.pragma('busy_timeout = 10000')
  // An outbox from before the log recorded attempts: none of its attempts is known to be in the log.
  addColumnIfMissing(db, 'webhook_deliveries', 'in_log', 'INTEGER NOT NULL DEFAULT 0')
  db.exec(SCHEMA)
  return db
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'cancelled'

export interface Delivery {
  readonly deliveryId: string
  readonly endpointId: string
  readonly event: string
  readonly body: string
  readonly status: DeliveryStatus
  readonly attempts: number
  /** Epoch milliseconds; null once the delivery is settled. */
  readonly nextAttemptAt: number | null
  readonly lastAttemptAt: number | null
  readonly responseStatus: number | null
  readonly lastError: string | null
  readonly createdAt: number
  readonly deliveredAt: number | null
}

interface DeliveryRow {
  readonly delivery_id: string
  readonly endpoint_id: string
  readonly event: string
  readonly body: string
  readonly status: DeliveryStatus
  readonly attempts: number
  readonly next_attempt_at: number | null
  readonly last_attempt_at: number | null
  readonly response_status: number | null
  readonly last_error: string | null
  readonly created_at: number
  readonly delivered_at: number | null
}

const toDelivery = (row: DeliveryRow): Delivery => ({
  deliveryId: row.delivery_id,
  endpointId: row.endpoint_id,
  event: row.event,
  body: row.body,
  status: row.status,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  lastAttemptAt: row.last_attempt_at,
  responseStatus: row.response_status,
  lastError: row.last_error,
  createdAt: row.created_at,
  deliveredAt: row.delivered_at,
})

const DELIVERY_IDS = '8f4c1c0e-5b0a-4a57-9a43-6f0f7c3d1e52'

/**
 * The same event, webhook event and endpoint always give the same delivery
 * id: a receiver de-duplicates on it, even across a rebuilt outbox.
 */
export const deliveryIdOf = (sourceEventId: string, event: string, endpointId: string): string =>
  uuidv5(`${sourceEventId}\u0000${event}\u0000${endpointId}`, DELIVERY_IDS)

/** Zero-padded, so that text order is log order. */
const positionText = (position: bigint): string => position.toString().padStart(40, '0')

const isEndpointEvent = eventsOf(webhookEndpointSchemas)

/**
 * Whether the runner must apply a chunk event by event: only while an
 * endpoint is enabled, or the chunk may enable one, can the outbox make a
 * delivery, and read the world as an event left it. Otherwise the world's
 * projections fold the chunk together, each row written once.
 */
export const deliversFrom = (db: Database.Database) => {
  const anyEnabled = db.prepare('SELECT 1 FROM webhook_endpoints WHERE enabled = 1 LIMIT 1').pluck()
  return (chunk: readonly Envelope[]): boolean => anyEnabled.get() !== undefined || chunk.some(({ event }) => isEndpointEvent(event))
}

/**
 * Folds webhook endpoints and turns every other event the catalogue knows
 * into one delivery per endpoint that is enabled and subscribed at that point
 * of the log. Must come after the world's projections in the runner's list.
 */
export const outboxProjection: Projection = {
  name: 'webhook-outbox',
  open: (db) => {
    const world = worldOf(db)
    const getEndpoint = jsonRows<WebhookEndpointState>(db, 'webhook_endpoints', 'endpoint_id')
    const putEndpoint = db.prepare(
      `INSERT INTO webhook_endpoints (endpoint_id, created_position, enabled, deleted, state) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (endpoint_id) DO UPDATE SET enabled = excluded.enabled, deleted = excluded.deleted, state = excluded.state`,
    )
    const subscribers = db.prepare('SELECT state FROM webhook_endpoints WHERE enabled = 1 ORDER BY created_position')
    const cancelPending = db.prepare(
      `UPDATE webhook_deliveries SET status = 'cancelled', next_attempt_at = NULL, last_error = 'the endpoint was deleted'
       WHERE endpoint_id = ? AND status = 'pending'`,
    )
    // OR IGNORE: an event handled again (a rebuilt outbox) makes the same deliveries, not new ones.
    const insert = db.prepare(
      `INSERT OR IGNORE INTO webhook_deliveries (delivery_id, endpoint_id, event, source_event_id, position, body, status, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
    )
    // What the sending node recorded of an attempt (this node's own records too, already kept: the attempt count
    // only grows). A delivery once delivered stays so; one cancelled stays so unless the attempt delivered it.
    const attempted = db.prepare(
      `UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_attempt_at = ?, response_status = ?, last_error = ?,
         delivered_at = ?
       WHERE delivery_id = ? AND attempts < ? AND (status = 'pending' OR (status = 'cancelled' AND ? = 'delivered'))`,
    )
    const inLog = db.prepare('UPDATE webhook_deliveries SET in_log = 1 WHERE delivery_id = ? AND attempts <= ?')
    return eachEvent(({ event, recorded }) => {
      if (WebhookDeliveryAttempted.is(event)) {
        const { deliveryId, attempt, status, responseStatus, error, nextAttemptAt, at } = event.data
        const when = Date.parse(at)
        inLog.run(deliveryId, attempt)
        attempted.run(
          status,
          attempt,
          nextAttemptAt === null ? null : Date.parse(nextAttemptAt),
          when,
          responseStatus,
          error,
          status === 'delivered' ? when : null,
          deliveryId,
          attempt,
          status,
        )
        return
      }
      if (WebhookEndpointEvent.is(event)) {
        const id = event.data.endpointId
        const next = webhookEndpointDecider.evolve(getEndpoint(id) ?? webhookEndpointDecider.initialState, event)
        if (!next.exists) return
        const deleted = next.deletedAt !== null
        putEndpoint.run(id, positionText(recorded.position), next.enabled && !deleted ? 1 : 0, deleted ? 1 : 0, JSON.stringify(next))
        if (deleted) cancelPending.run(id)
        return
      }
      const enabled = subscribers.all() as { state: string }[]
      // Nobody to send it to: the world need not even be read.
      if (enabled.length === 0) return
      const occurrences = occurrencesOf(event, world)
      if (occurrences.length === 0) return
      const endpoints = enabled.map((row) => JSON.parse(row.state) as ExistingWebhookEndpoint)
      const triggeredAt = recorded.recordedAt
      for (const occurrence of occurrences) {
        // Built once and kept: every attempt sends, and signs, exactly these bytes.
        const body = JSON.stringify({ event: occurrence.event, data: occurrence.data, triggeredAt: triggeredAt.toISOString() })
        for (const endpoint of endpoints) {
          if (!wants(endpoint.events, occurrence.event)) continue
          const deliveryId = deliveryIdOf(recorded.id, occurrence.event, endpoint.endpointId)
          const at = triggeredAt.getTime()
          insert.run(deliveryId, endpoint.endpointId, occurrence.event, recorded.id, positionText(recorded.position), body, at, at)
        }
      }
    })
  },
}

export interface AttemptOutcome {
  readonly at: number
  readonly responseStatus: number | null
  readonly error: string | null
}

/** Reads and updates of the outbox for the dispatcher and the admin API. */
export const createOutbox = (db: Database.Database) => {
  // The oldest due delivery of each endpoint: one endpoint's backlog never holds back another's.
  const dueRows = db.prepare(
    `SELECT d.* FROM webhook_deliveries d
     JOIN (SELECT endpoint_id, MIN(seq) AS seq FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? GROUP BY endpoint_id) oldest
       ON oldest.seq = d.seq
     JOIN webhook_endpoints e ON e.endpoint_id = d.endpoint_id
     WHERE e.enabled = 1 ORDER BY d.seq LIMIT ?`,
  )
  // With no endpoint enabled there is nothing to send: one lookup in a tiny table instead of the due query.
  const anyEnabled = db.prepare('SELECT 1 FROM webhook_endpoints WHERE enabled = 1 LIMIT 1').pluck()
  const earliest = db.prepare(
    `SELECT MIN(d.next_attempt_at) AS at FROM webhook_deliveries d JOIN webhook_endpoints e ON e.endpoint_id = d.endpoint_id
     WHERE d.status = 'pending' AND e.enabled = 1`,
  )
  const endpointRow = jsonRows<WebhookEndpointState>(db, 'webhook_endpoints', 'endpoint_id')
  const endpointPage = db.prepare('SELECT state FROM webhook_endpoints WHERE deleted = 0 ORDER BY created_position LIMIT ? OFFSET ?')
  // A delivery cancelled while its last attempt was in flight is still recorded as delivered: that is what happened.
  const delivered = db.prepare(
    `UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, next_attempt_at = NULL, last_attempt_at = ?,
       response_status = ?, last_error = NULL, delivered_at = ?
     WHERE delivery_id = ? AND status IN ('pending', 'cancelled')`,
  )
  const failed = db.prepare(
    `UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?, last_attempt_at = ?,
       response_status = ?, last_error = ?
     WHERE delivery_id = ? AND status = 'pending'`,
  )
  const page = db.prepare('SELECT * FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?')
  const pageWithStatus = db.prepare('SELECT * FROM webhook_deliveries WHERE endpoint_id = ? AND status = ? ORDER BY seq DESC LIMIT ? OFFSET ?')

  const unrecorded = db.prepare(`SELECT * FROM webhook_deliveries WHERE in_log = 0 AND status IN ('delivered', 'failed') ORDER BY seq LIMIT ?`)
  const markInLog = db.prepare('UPDATE webhook_deliveries SET in_log = 1 WHERE delivery_id = ?')

  return {
    /** Settled deliveries whose outcome the log does not hold (kept before the log recorded attempts, or a record that failed); oldest first. */
    unrecorded: (limit: number): Delivery[] => (unrecorded.all(limit) as DeliveryRow[]).map(toDelivery),
    /** The log holds these deliveries' outcomes now. */
    markInLog: (deliveryIds: readonly string[]): void => {
      db.transaction(() => {
        for (const id of deliveryIds) markInLog.run(id)
      })()
    },
    /** For each enabled endpoint, its oldest pending delivery whose time has come; oldest first. */
    due: (now: number, limit: number): Delivery[] =>
      anyEnabled.get() === undefined ? [] : (dueRows.all(now, limit) as DeliveryRow[]).map(toDelivery),
    /** When the next pending delivery of an enabled endpoint is due; null when none is pending. */
    nextDueAt: (): number | null => (anyEnabled.get() === undefined ? null : (earliest.get() as { at: number | null }).at),
    /** The endpoint as the runner has folded it, with its sealed secret; null when unknown or deleted. */
    endpoint: (endpointId: string): ExistingWebhookEndpoint | null => {
      const state = endpointRow(endpointId)
      return state !== null && state.exists && state.deletedAt === null ? state : null
    },
    endpoints: (limit: number, offset: number): ExistingWebhookEndpoint[] =>
      (endpointPage.all(limit, offset) as { state: string }[]).map((row) => JSON.parse(row.state) as ExistingWebhookEndpoint),
    recordDelivered: (deliveryId: string, outcome: AttemptOutcome): void => {
      delivered.run(outcome.at, outcome.responseStatus, outcome.at, deliveryId)
    },
    /** A failed attempt: tried again at `retryAt`, or failed for good when that is null. */
    recordFailure: (deliveryId: string, outcome: AttemptOutcome, retryAt: number | null): void => {
      failed.run(retryAt === null ? 'failed' : 'pending', retryAt, outcome.at, outcome.responseStatus, outcome.error, deliveryId)
    },
    /** An endpoint's deliveries, newest first. */
    deliveries: (endpointId: string, options: { readonly limit: number; readonly offset: number; readonly status?: DeliveryStatus }): Delivery[] =>
      (
        (options.status === undefined
          ? page.all(endpointId, options.limit, options.offset)
          : pageWithStatus.all(endpointId, options.status, options.limit, options.offset)) as DeliveryRow[]
      ).map(toDelivery),
  }
}
export type Outbox = ReturnType<typeof createOutbox>
