// Outbound webhooks, wired: a projection runner (the one the read models
// use) subscribed to the log from its own checkpoint, filling the outbox and
// applying the sending node's records of its attempts; the dispatcher sending
// what is due while this node leads the webhooks role (application/senders.ts);
// and the endpoints' command side. `fresh` waits until the outbox has seen
// this process's writes, for the admin API's read-your-writes.
import type { Logger } from 'pino'
import type { SecretBox } from '../application/secret-box.js'
import { createWebhookEndpoints } from '../application/webhook-endpoints.js'
import { createProjectionRunner } from '../projections/runner.js'
import { furthest, type EventStore, type Position } from '../store/port.js'
import { createDispatcher, type DispatcherSettings, type SettledAttempt } from './dispatcher.js'
import { createOutbox, deliversFrom, openOutbox, outboxProjection } from './outbox.js'
import { worldProjections } from './world.js'
import { webhookTargets } from './targets.js'

export const WEBHOOKS = 'webhooks'
export const OUTBOX_FILE = 'webhooks.sqlite'

export interface WebhooksOptions {
  readonly store: EventStore
  readonly path: string
  readonly secretBox: SecretBox
  readonly clock: () => Date
  readonly logger: Logger
  readonly settings: DispatcherSettings
  readonly userAgent: string
  readonly lastAppended: () => Position | null
  /** false: this node registers endpoints but neither fills the outbox nor delivers (another node does). */
  readonly deliver?: boolean
  /** Whether this node leads the webhooks role now: only the leader sends. Absent: always. */
  readonly leading?: () => boolean
  /** Records each settled attempt in the log, so that every node's outbox knows it (several nodes); absent: not recorded. */
  readonly record?: (attempt: SettledAttempt) => Promise<void>
}

export const createWebhooks = (options: WebhooksOptions) => {
  const { store, logger, lastAppended } = options
  const deliver = options.deliver ?? true
  const targets = webhookTargets(options.settings.allowPrivateTargets ?? false)
  const db = openOutbox(options.path)
  // The runner's own connection, not synced at each commit (see openOutbox).
  const runnerDb = openOutbox(options.path, false)
  const outbox = createOutbox(db)
  const dispatcher = createDispatcher({
    outbox,
    secretBox: options.secretBox,
    clock: options.clock,
    settings: options.settings,
    logger,
    userAgent: options.userAgent,
    targets,
    ...(options.leading === undefined ? {} : { leading: options.leading }),
    ...(options.record === undefined ? {} : { record: options.record }),
  })
  const runner = createProjectionRunner({
    name: WEBHOOKS,
    store,
    db: runnerDb,
    projections: [...worldProjections, outboxProjection],
    // The outbox reads the world as each event left it (while it has an endpoint to send to).
    eventByEvent: deliversFrom(runnerDb),
    logger,
    // A delivery may wait this long for the outbox to take its event; a commit then covers many of the log's groups.
    liveWindowMs: 50,
    onApplied: dispatcher.wake,
  })
  return {
    /** Registrations, changes and deletions (the command side). */
    endpoints: createWebhookEndpoints({ secretBox: options.secretBox }),
    outbox,
    runner,
    /** Why a URL may not be registered as a target; null when it may (a host that does not resolve yet may: each delivery checks again). */
    refusedTarget: (url: string): Promise<string | null> => targets(url, 'allowed'),
    /** Looks for due deliveries now (this node just took the lead). */
    wake: dispatcher.wake,
    start: (): void => {
      if (!deliver) return
      runner.start()
      dispatcher.start()
    },
    /** Waits (bounded) until the outbox holds every write this process made, and `after` (a position a client wrote at), if given. */
    fresh: (after: Position | null = null, timeoutMs?: number): Promise<boolean> =>
      deliver ? runner.waitFor(furthest(lastAppended(), after), timeoutMs) : Promise.resolve(true),
    close: async (): Promise<void> => {
      await dispatcher.stop()
      await runner.stop()
      runnerDb.close()
      db.close()
    },
  }
}
export type Webhooks = ReturnType<typeof createWebhooks>
