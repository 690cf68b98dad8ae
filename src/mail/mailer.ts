// Sends seed 004's e-mail notices, driven by the event log rather than by the
// request: a subscription from its own checkpoint (in its own file, so that
// rebuilding the read models never sends a notice again). A notice is sent
// before the checkpoint passes its event, so every notice goes out at least
// once, across crashes and restarts; a failed send is retried, with growing
// pauses, until it succeeds. Each message is remembered once sent, so a retry
// after a partial failure resends only what did not go out.
import Database from 'better-sqlite3'
import type { Logger } from 'pino'
import { decodeRecorded } from '../application/event-codec.js'
import { fold } from '../domain/decider.js'
import { evolveOrder, initialOrderState, OrderEvent } from '../domain/order/index.js'
import type { EventStore, Position, RecordedEvent, Subscription } from '../store/port.js'
import { emailChangeNotices } from './notices.js'
import type { MailTransport } from './transport.js'

export const MAILER = 'mailer'

export interface MailerOptions {
  readonly store: EventStore
  /** The mailer's own SQLite file: its checkpoint and the messages it sent. */
  readonly path: string
  readonly transport: MailTransport
  readonly from: string
  readonly logger: Logger
  readonly clock: () => Date
  /** The name of a product template, for the notice's wording. */
  readonly productName: (templateId: number) => Promise<string | null>
  /** Pauses between retries of a failed send (default 1 s, doubling up to 60 s). */
  readonly retryMs?: { readonly initial: number; readonly max: number }
}

export interface MailerStatus {
  readonly running: boolean
  readonly position: Position | null
  /** Why the mailer stopped (a stored event that does not decode); null while it runs. */
  readonly error: string | null
  /** The last send failure while it is being retried; null when nothing is pending. */
  readonly retrying: string | null
}

export interface Mailer {
  readonly start: () => void
  readonly stop: () => Promise<void>
  readonly status: () => MailerStatus
}

const openMailerDb = (path: string): Database.Database => {
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('busy_timeout = 10000')
  db.exec(`
    CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, position TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS sent_messages (key TEXT PRIMARY KEY, sent_at TEXT NOT NULL);
  `)
  return db
}

export const createMailer = (options: MailerOptions): Mailer => {
  const { store, transport, from, logger, clock, productName } = options
  const retry = options.retryMs ?? { initial: 1_000, max: 60_000 }
  const db = openMailerDb(options.path)
  const readCheckpoint = db.prepare('SELECT position FROM checkpoints WHERE name = ?')
  const saveCheckpoint = db.prepare('INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position')
  const wasSent = db.prepare('SELECT 1 FROM sent_messages WHERE key = ?')
  const markSent = db.prepare('INSERT OR IGNORE INTO sent_messages (key, sent_at) VALUES (?, ?)')

  const saved = readCheckpoint.get(MAILER) as { position: string } | undefined
  let position: Position | null = saved === undefined ? null : BigInt(saved.position)
  let subscription: Subscription | null = null
  let loop: Promise<void> | null = null
  let stopping = false
  let failure: string | null = null
  let retrying: string | null = null
  let wake: (() => void) | null = null

  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done(): void {
        clearTimeout(timer)
        wake = null
        resolve()
      }
      wake = done
    })

  /** The license as the event found it: its stream folded up to the event. */
  const licenseAt = async (recorded: RecordedEvent) => {
    const events = await store.readStream(recorded.streamName, { maxCount: recorded.revision + 1 })
    const order = fold(evolveOrder, initialOrderState)(
      events.map((e) => decodeRecorded(e).event).filter((event): event is OrderEvent => OrderEvent.is(event)),
    )
    if (!order.exists) throw new Error(`no license order in ${recorded.streamName} at revision ${recorded.revision}`)
    return { activationKey: order.activationKey, productName: await productName(order.terms.product_template_id) }
  }

  const sendNotices = async (recorded: RecordedEvent, event: OrderEvent): Promise<void> => {
    if (event.type !== 'LicenseEmailChanged' || !event.data.sendNotice) return
    const license = await licenseAt(recorded)
    for (const message of emailChangeNotices(event.data, { eventId: recorded.id, ...license, from })) {
      if (wasSent.get(message.key) !== undefined) continue
      await transport.send(message)
      markSent.run(message.key, clock().toISOString())
    }
  }

  /** Tries until the notices are sent; false when the mailer is stopped first. */
  const deliver = async (recorded: RecordedEvent, event: OrderEvent): Promise<boolean> => {
    for (let wait = retry.initial; ; wait = Math.min(wait * 2, retry.max)) {
      try {
        await sendNotices(recorded, event)
        retrying = null
        return true
      } catch (error) {
        retrying = error instanceof Error ? error.message : String(error)
        // The message only: a transport's error object may carry its configuration.
        logger.warn({ eventId: recorded.id, error: retrying, retryInMs: wait }, 'could not send an e-mail notice; will retry')
        if (stopping) return false
        await pause(wait)
        if (stopping) return false
      }
    }
  }

  const run = async (sub: Subscription): Promise<void> => {
    try {
      for await (const recorded of sub) {
        if (stopping) return
        // A stored event that does not decode stops the mailer: skipping it could skip a notice.
        const { event } = decodeRecorded(recorded)
        if (OrderEvent.is(event) && !(await deliver(recorded, event))) return
        saveCheckpoint.run(MAILER, recorded.position.toString())
        position = recorded.position
      }
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error)
      logger.error({ err: error }, 'mailer stopped')
    }
  }

  return {
    start: () => {
      if (loop !== null) return
      subscription = store.subscribeToAll({ ...(position === null ? {} : { from: position }), name: 'mailer' })
      loop = run(subscription)
    },
    stop: async () => {
      stopping = true
      wake?.()
      await subscription?.close()
      await loop
      loop = null
      subscription = null
      transport.close()
      db.close()
    },
    status: () => ({ running: loop !== null && failure === null, position, error: failure, retrying }),
  }
}

/** The mailer's health check: failed sends are retried and reported, but do not make the API unavailable. */
export const mailerHealth = (mailer: Mailer | null): { readonly ok: boolean; readonly detail: string } => {
  if (mailer === null) return { ok: true, detail: 'disabled' }
  const { error, retrying, position } = mailer.status()
  if (error !== null) return { ok: false, detail: error }
  return { ok: true, detail: retrying === null ? `at position ${position ?? 'start'}` : `retrying: ${retrying}` }
}
