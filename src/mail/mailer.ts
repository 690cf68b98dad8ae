// Sends seed 004's e-mail notices, driven by the event log rather than by the
// request. A subscription from the mailer's own checkpoint (in its own file,
// so that rebuilding the read models never sends a notice again) keeps the
// notices still to send, and those sent, in that file; a sender sends the
// pending ones, oldest first, while this node leads the mail role. A failed
// send is retried, with growing pauses, until it succeeds; each message is
// remembered once sent, so a retry after a partial failure resends only what
// did not go out. With several nodes, the leader records each message sent
// in the log (EmailNoticeSent), and every node's mailer marks it sent as it
// follows the log: a node that takes over sends what is left, not the history.
import Database from 'better-sqlite3'
import type { Logger } from 'pino'
import { decodeRecorded } from '../application/event-codec.js'
import { fold } from '../domain/decider.js'
import { EmailNoticeSent } from '../domain/deliveries/index.js'
import { evolveOrder, initialOrderState, OrderEvent } from '../domain/order/index.js'
import { arrived } from '../projections/batch.js'
import type { EventStore, Position, RecordedEvent, Subscription } from '../store/port.js'
import { addColumnIfMissing } from '../store/sqlite-columns.js'
import { emailChangeNotices, noticeKeys } from './notices.js'
import type { MailTransport } from './transport.js'

export const MAILER = 'mailer'

export interface MailerOptions {
  readonly store: EventStore
  /** The mailer's own SQLite file: its checkpoint, the notices to send and the messages sent. */
  readonly path: string
  readonly transport: MailTransport
  readonly from: string
  readonly logger: Logger
  readonly clock: () => Date
  /** The name of a product template, for the notice's wording. */
  readonly productName: (templateId: number) => Promise<string | null>
  /** Pauses between retries of a failed send (default 1 s, doubling up to 60 s). */
  readonly retryMs?: { readonly initial: number; readonly max: number }
  /** Whether this node sends now (it leads the mail role). Absent: always. */
  readonly leading?: () => boolean
  /** Records a message sent in the log, for the other nodes' mailers; absent: not recorded. */
  readonly record?: (key: string) => Promise<void>
}

export interface MailerStatus {
  readonly running: boolean
  /** Every notice up to here is sent (or, on a node that does not lead, recorded sent by the one that does). */
  readonly position: Position | null
  /** Why the mailer stopped (a stored event that does not decode); null while it runs. */
  readonly error: string | null
  /** The last send failure while it is being retried; null when nothing is pending. */
  readonly retrying: string | null
}

export interface Mailer {
  readonly start: () => void
  /** Looks for notices to send now (this node just took the lead). */
  readonly wake: () => void
  readonly stop: () => Promise<void>
  readonly status: () => MailerStatus
  /** Keys of messages sent that the log does not record as sent (sent before the log recorded them, or a record that failed). */
  readonly unrecorded: (limit: number) => readonly string[]
  /** The log records these messages as sent now. */
  readonly markInLog: (keys: readonly string[]) => void
  /** Resolves true once the mailer has followed the log up to `position` (false: not within `timeoutMs`, or stopped). */
  readonly waitFor: (position: Position | null, timeoutMs: number) => Promise<boolean>
}

/** How often, at most, an idle sender looks again without being woken. */
const IDLE_MS = 1_000

/** Zero-padded, so that text order is log order. */
const positionText = (position: Position): string => position.toString().padStart(40, '0')

/**
 * The sender's connection syncs every commit (`durable`: a message sent is
 * never forgotten, and sent again, after a power loss). The follower's need
 * not: what it keeps is derived from the log with its checkpoint in the same
 * transaction, so a commit lost to a power loss is made again from the log.
 */
const openMailerDb = (path: string, durable: boolean): Database.Database => {
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma(durable ? 'synchronous = FULL' : 'synchronous = NORMAL')
  db.pragma('busy_timeout = 10000')
  // A file from before the log recorded notices sent: none of its messages is known to be recorded.
  addColumnIfMissing(db, 'sent_messages', 'in_log', 'INTEGER NOT NULL DEFAULT 0')
  db.exec(`
    CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, position TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS sent_messages (key TEXT PRIMARY KEY, sent_at TEXT NOT NULL, in_log INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX IF NOT EXISTS sent_messages_unrecorded ON sent_messages (in_log, key);
    CREATE TABLE IF NOT EXISTS notices (
      position TEXT PRIMARY KEY,
      event_id TEXT NOT NULL,
      stream   TEXT NOT NULL,
      revision INTEGER NOT NULL,
      data     TEXT NOT NULL,
      key_new  TEXT NOT NULL,
      key_old  TEXT,
      done     INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS notices_pending ON notices (done, position);
    CREATE INDEX IF NOT EXISTS notices_by_new ON notices (key_new);
    CREATE INDEX IF NOT EXISTS notices_by_old ON notices (key_old);
  `)
  return db
}

interface NoticeRow {
  readonly position: string
  readonly event_id: string
  readonly stream: string
  readonly revision: number
  readonly data: string
}

type EmailChange = Extract<OrderEvent, { readonly type: 'LicenseEmailChanged' }>['data']

export const createMailer = (options: MailerOptions): Mailer => {
  const { store, transport, from, logger, clock, productName } = options
  const retry = options.retryMs ?? { initial: 1_000, max: 60_000 }
  const leading = options.leading ?? (() => true)
  const db = openMailerDb(options.path, true)
  const followDb = openMailerDb(options.path, false)
  const readCheckpoint = db.prepare('SELECT position FROM checkpoints WHERE name = ?')
  const saveCheckpoint = followDb.prepare('INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position')
  const wasSent = db.prepare('SELECT 1 FROM sent_messages WHERE key = ?')
  const markSent = db.prepare('INSERT OR IGNORE INTO sent_messages (key, sent_at) VALUES (?, ?)')
  const recordedSent = followDb.prepare('INSERT INTO sent_messages (key, sent_at, in_log) VALUES (?, ?, 1) ON CONFLICT (key) DO UPDATE SET in_log = 1')
  const unrecorded = db.prepare('SELECT key FROM sent_messages WHERE in_log = 0 ORDER BY key LIMIT ?')
  const markInLog = db.prepare('UPDATE sent_messages SET in_log = 1 WHERE key = ?')
  const addNotice = followDb.prepare('INSERT OR IGNORE INTO notices (position, event_id, stream, revision, data, key_new, key_old) VALUES (?, ?, ?, ?, ?, ?, ?)')
  const oldestPending = db.prepare('SELECT position, event_id, stream, revision, data FROM notices WHERE done = 0 ORDER BY position LIMIT 1')
  const markDone = db.prepare('UPDATE notices SET done = 1 WHERE position = ?')
  // A notice whose every message another node recorded sent is done here too.
  const doneBySent = followDb.prepare(
    `UPDATE notices SET done = 1 WHERE done = 0 AND (key_new = @key OR key_old = @key)
       AND EXISTS (SELECT 1 FROM sent_messages WHERE key = key_new)
       AND (key_old IS NULL OR EXISTS (SELECT 1 FROM sent_messages WHERE key = key_old))`,
  )

  const saved = readCheckpoint.get(MAILER) as { position: string } | undefined
  let position: Position | null = saved === undefined ? null : BigInt(saved.position)
  let subscription: Subscription | null = null
  let following: Promise<void> | null = null
  let sending: Promise<void> | null = null
  let stopping = false
  let failure: string | null = null
  let retrying: string | null = null
  // The idle sender is woken by new notices and by taking the lead; a pause before a retry only by a stop,
  // so that a busy log does not hammer a mail server that is down.
  let wakeIdle: (() => void) | null = null
  let wakeRetry: (() => void) | null = null

  const pause = (ms: number, idle: boolean): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done(): void {
        clearTimeout(timer)
        if (idle) wakeIdle = null
        else wakeRetry = null
        resolve()
      }
      if (idle) wakeIdle = done
      else wakeRetry = done
    })

  /** The license as the event found it: its stream folded up to the event. */
  const licenseAt = async (notice: NoticeRow) => {
    const events = await store.readStream(notice.stream, { maxCount: notice.revision + 1 })
    const order = fold(evolveOrder, initialOrderState)(
      events.map((e) => decodeRecorded(e).event).filter((event): event is OrderEvent => OrderEvent.is(event)),
    )
    if (!order.exists) throw new Error(`no license order in ${notice.stream} at revision ${notice.revision}`)
    return { activationKey: order.activationKey, productName: await productName(order.terms.product_template_id) }
  }

  /** Sends what of the notice is not sent yet; false when this node stopped leading first. */
  const sendNotices = async (notice: NoticeRow): Promise<boolean> => {
    const change = JSON.parse(notice.data) as EmailChange
    const keys = noticeKeys(change, notice.event_id)
    if ([keys.toNew, keys.toOld].every((key) => key === null || wasSent.get(key) !== undefined)) return true
    const license = await licenseAt(notice)
    for (const message of emailChangeNotices(change, { eventId: notice.event_id, ...license, from })) {
      if (wasSent.get(message.key) !== undefined) continue
      if (!leading()) return false
      await transport.send(message)
      markSent.run(message.key, clock().toISOString())
      await options.record?.(message.key).catch((error: unknown) =>
        logger.warn({ err: error, key: message.key }, 'could not record an e-mail notice sent in the log; another node may send it again'),
      )
    }
    return true
  }

  /** Tries until the notices are sent; false when the mailer is stopped, or stops leading, first. */
  const deliver = async (notice: NoticeRow): Promise<boolean> => {
    for (let wait = retry.initial; ; wait = Math.min(wait * 2, retry.max)) {
      try {
        const sent = await sendNotices(notice)
        retrying = null
        return sent
      } catch (error) {
        retrying = error instanceof Error ? error.message : String(error)
        // The message only: a transport's error object may carry its configuration.
        logger.warn({ eventId: notice.event_id, error: retrying, retryInMs: wait }, 'could not send an e-mail notice; will retry')
        if (stopping) return false
        await pause(wait, false)
        if (stopping || !leading()) return false
      }
    }
  }

  /**
   * Keeps what there is to send and what was sent (by any node), a batch of
   * what has arrived at a time, in one transaction with the checkpoint of the
   * batch's last event. A stored event that does not decode, of whatever
   * type, stops the mailer (skipping it could skip a notice, and moves the
   * checkpoint past a broken log), once the events before it are kept.
   */
  const keep = followDb.transaction((chunk: readonly RecordedEvent[]): { added: boolean; kept: RecordedEvent | null; undecodable: unknown } => {
    let added = false
    let kept: RecordedEvent | null = null
    let undecodable: unknown = null
    for (const recorded of chunk) {
      // Every event is decoded, not only the two types that can carry a notice or a message sent: the
      // checkpoint moves past an event only once it is known to be one of ours that decodes.
      let event
      try {
        event = decodeRecorded(recorded).event
      } catch (error) {
        undecodable = error
        break
      }
      if (OrderEvent.is(event) && event.type === 'LicenseEmailChanged' && event.data.sendNotice) {
        const keys = noticeKeys(event.data, recorded.id)
        if (addNotice.run(positionText(recorded.position), recorded.id, recorded.streamName, recorded.revision, JSON.stringify(event.data), keys.toNew, keys.toOld).changes > 0) added = true
      }
      if (EmailNoticeSent.is(event)) {
        recordedSent.run(event.data.key, event.data.at)
        doneBySent.run({ key: event.data.key })
      }
      kept = recorded
    }
    if (kept !== null) saveCheckpoint.run(MAILER, kept.position.toString())
    return { added, kept, undecodable }
  })

  const follow = async (sub: Subscription): Promise<void> => {
    try {
      for await (const chunk of arrived(sub, 1_000)) {
        if (stopping) return
        const { added, kept, undecodable } = keep.immediate(chunk)
        if (kept !== null) position = kept.position
        // Only a new notice is work for the sender; every other event would wake it for nothing.
        if (added) wakeIdle?.()
        if (undecodable !== null) throw undecodable
      }
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error)
      logger.error({ err: error }, 'mailer stopped')
    }
  }

  const send = async (): Promise<void> => {
    while (!stopping && failure === null) {
      const notice = leading() ? (oldestPending.get() as NoticeRow | undefined) : undefined
      if (notice === undefined) {
        await pause(IDLE_MS, true)
        continue
      }
      if (await deliver(notice)) markDone.run(notice.position)
    }
  }

  return {
    start: () => {
      if (following !== null) return
      subscription = store.subscribeToAll({ ...(position === null ? {} : { from: position }), name: 'mailer' })
      following = follow(subscription)
      sending = send()
    },
    wake: () => wakeIdle?.(),
    unrecorded: (limit) => (unrecorded.all(limit) as { key: string }[]).map((row) => row.key),
    markInLog: (keys) => {
      db.transaction(() => {
        for (const key of keys) markInLog.run(key)
      })()
    },
    waitFor: async (target, timeoutMs) => {
      const deadline = Date.now() + timeoutMs
      while (target !== null && (position === null || position < target)) {
        if (stopping || failure !== null || Date.now() >= deadline) return false
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      return true
    },
    stop: async () => {
      stopping = true
      wakeIdle?.()
      wakeRetry?.()
      await subscription?.close()
      await following
      wakeIdle?.()
      wakeRetry?.()
      await sending
      following = null
      sending = null
      subscription = null
      transport.close()
      followDb.close()
      db.close()
    },
    status: () => {
      const pending = db.open ? (oldestPending.get() as NoticeRow | undefined) : undefined
      return {
        running: following !== null && failure === null,
        position: pending === undefined ? position : BigInt(pending.position) - 1n,
        error: failure,
        retrying,
      }
    },
  }
}

/** The mailer's health check: failed sends are retried and reported, but do not make the API unavailable. */
export const mailerHealth = (mailer: Mailer | null): { readonly ok: boolean; readonly detail: string } => {
  if (mailer === null) return { ok: true, detail: 'disabled' }
  const { error, retrying, position } = mailer.status()
  if (error !== null) return { ok: false, detail: error }
  return { ok: true, detail: retrying === null ? `at position ${position ?? 'start'}` : `retrying: ${retrying}` }
}
