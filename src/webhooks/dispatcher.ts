// The dispatcher POSTs due deliveries from the outbox. 2xx: delivered.
// Anything else, a network error or a timeout: tried again after a backoff,
// up to the maximum number of attempts, then failed. At most one delivery
// per endpoint is in flight, oldest first, so an endpoint first receives its
// events in log order; a delivery waiting for a retry does not hold back
// later ones. An attempt cut short by a shutdown is not counted: the
// delivery is still pending and goes out after the next start. It starts
// attempts only while this node leads the webhooks role, and records each
// settled attempt in the log, for the outboxes of the other nodes.
import * as E from 'fp-ts/Either'
import type { Logger } from 'pino'
import type { SecretBox } from '../application/secret-box.js'
import { retryDelay, type Backoff } from './backoff.js'
import type { AttemptOutcome, Delivery, Outbox } from './outbox.js'
import { deliveryHeaders } from './signature.js'
import { webhookTargets, type TargetCheck } from './targets.js'

export interface DispatcherSettings extends Backoff {
  readonly maxAttempts: number
  readonly timeoutMs: number
  /** How often, at most, due retries are looked for when nothing wakes the dispatcher. */
  readonly pollIntervalMs: number
  /** Whether receivers on loopback, link-local and private networks may be targets (targets.ts). */
  readonly allowPrivateTargets?: boolean
  /** Deliveries in flight at once, over all endpoints. */
  readonly concurrency?: number
}

export interface DispatcherOptions {
  readonly outbox: Outbox
  readonly secretBox: SecretBox
  readonly clock: () => Date
  readonly settings: DispatcherSettings
  readonly logger: Logger
  readonly userAgent: string
  readonly random?: () => number
  /** Whether this node sends now (it leads the webhooks role); checked before each attempt starts. Absent: always. */
  readonly leading?: () => boolean
  /** Records a settled attempt in the log, for the other nodes' outboxes; absent: the outbox alone keeps it. */
  readonly record?: (attempt: SettledAttempt) => Promise<void>
  /** Where deliveries may go (default: as settings.allowPrivateTargets says, resolving names with the system's resolver). */
  readonly targets?: TargetCheck
}

/** An attempt as the log records it. */
export interface SettledAttempt {
  readonly delivery: Delivery
  readonly attempt: number
  readonly outcome: AttemptOutcome
  readonly status: 'delivered' | 'pending' | 'failed'
  readonly nextAttemptAt: number | null
}

export interface Dispatcher {
  readonly start: () => void
  /** Looks for due deliveries now (new ones were stored, an endpoint was enabled). */
  readonly wake: () => void
  readonly stop: () => Promise<void>
}

const MAX_ERROR_LENGTH = 500

/** What went wrong with a request, for the deliveries list: never a stack. */
const describeError = (error: unknown, timeoutMs: number): string => {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no response within ${timeoutMs} ms`
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined
  const text = cause?.message ?? (error instanceof Error ? error.message : String(error))
  return text.slice(0, MAX_ERROR_LENGTH)
}

/**
 * Aborted after `ms` or when `other` is. `AbortSignal.any` came with Node
 * 20.3 and `engines` promises every Node 20: an earlier one gets the same
 * from a controller of its own.
 */
const timeoutOr = (ms: number, other: AbortSignal): AbortSignal => {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any([AbortSignal.timeout(ms), other])
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new DOMException('The operation timed out.', 'TimeoutError')), ms)
  timer.unref()
  if (other.aborted) controller.abort(other.reason)
  else other.addEventListener('abort', () => controller.abort(other.reason), { once: true })
  return controller.signal
}

export const createDispatcher = (options: DispatcherOptions): Dispatcher => {
  const { outbox, secretBox, clock, settings, logger, userAgent } = options
  const random = options.random ?? Math.random
  const leading = options.leading ?? (() => true)
  const targets = options.targets ?? webhookTargets(settings.allowPrivateTargets ?? false)
  const concurrency = settings.concurrency ?? 8
  const inFlight = new Map<string, Promise<void>>()
  const stopping = new AbortController()
  let loop: Promise<void> | null = null
  let wakeUp: (() => void) | null = null

  const wake = (): void => {
    wakeUp?.()
  }

  /** Kept in the outbox first (this node never sends it again), then in the log; a record that fails is logged, and at worst sent again by the next leader. */
  const recorded = async (settled: SettledAttempt): Promise<void> => {
    if (options.record === undefined) return
    await options.record(settled).catch((error: unknown) =>
      logger.warn({ err: error, deliveryId: settled.delivery.deliveryId }, 'could not record a webhook attempt in the log; another node may send it again'),
    )
  }

  const settle = async (delivery: Delivery, outcome: AttemptOutcome): Promise<void> => {
    const ok = outcome.responseStatus !== null && outcome.responseStatus >= 200 && outcome.responseStatus < 300
    const attempt = delivery.attempts + 1
    if (ok) {
      outbox.recordDelivered(delivery.deliveryId, outcome)
      await recorded({ delivery, attempt, outcome, status: 'delivered', nextAttemptAt: null })
      return
    }
    const failedAttempts = attempt
    const retryAt = failedAttempts >= settings.maxAttempts ? null : outcome.at + retryDelay(failedAttempts, settings, random)
    outbox.recordFailure(delivery.deliveryId, outcome, retryAt)
    await recorded({ delivery, attempt, outcome, status: retryAt === null ? 'failed' : 'pending', nextAttemptAt: retryAt })
    const context = { deliveryId: delivery.deliveryId, endpointId: delivery.endpointId, event: delivery.event, attempt: failedAttempts, error: outcome.error }
    if (retryAt === null) logger.error(context, 'webhook delivery failed for good')
    else logger.warn({ ...context, retryAt: new Date(retryAt).toISOString() }, 'webhook delivery failed; will retry')
  }

  const attempt = async (delivery: Delivery): Promise<void> => {
    const endpoint = outbox.endpoint(delivery.endpointId)
    // Deleted or disabled since it was picked: cancelled or waiting, as the outbox says.
    if (endpoint === null || !endpoint.enabled) return
    const secret = secretBox.open(endpoint.secret, endpoint.endpointId)
    if (E.isLeft(secret)) {
      // Never sent unsigned. A key other than the one it was sealed with is a configuration error an operator must see.
      const error =
        secret.left._tag === 'UnknownSecretKey'
          ? `the signing secret was sealed with another key (${secret.left.kid}); set LICENSING_WEBHOOK_SECRET_KEY, or add to LICENSING_WEBHOOK_PREVIOUS_SECRET_KEYS, that key`
          : 'the signing secret does not open with the configured key'
      await settle(delivery, { at: clock().getTime(), responseStatus: null, error })
      return
    }
    // Checked again at each attempt: the name may resolve somewhere else than when it was registered.
    const refused = await targets(endpoint.url, 'refused')
    if (refused !== null) {
      await settle(delivery, { at: clock().getTime(), responseStatus: null, error: `the target was not called: its URL ${refused}` })
      return
    }
    const timestamp = Math.floor(clock().getTime() / 1000)
    let outcome: AttemptOutcome
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: deliveryHeaders(secret.right, delivery, timestamp, userAgent),
        body: delivery.body,
        // A redirect is not followed: the signed request would go somewhere nobody registered.
        redirect: 'manual',
        signal: timeoutOr(settings.timeoutMs, stopping.signal),
      })
      await response.body?.cancel().catch(() => undefined)
      outcome = {
        at: clock().getTime(),
        responseStatus: response.status,
        error: response.status >= 200 && response.status < 300 ? null : `HTTP ${response.status}${response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : ''}`,
      }
    } catch (error) {
      if (stopping.signal.aborted) return
      outcome = { at: clock().getTime(), responseStatus: null, error: describeError(error, settings.timeoutMs) }
    }
    await settle(delivery, outcome)
  }

  const startDue = (): void => {
    if (inFlight.size >= concurrency || !leading()) return
    for (const delivery of outbox.due(clock().getTime(), 100)) {
      if (inFlight.size >= concurrency) return
      if (inFlight.has(delivery.endpointId)) continue
      const running = attempt(delivery)
        .catch((error: unknown) => logger.error({ err: error, deliveryId: delivery.deliveryId }, 'webhook dispatcher failed an attempt'))
        .finally(() => {
          inFlight.delete(delivery.endpointId)
          wake()
        })
      inFlight.set(delivery.endpointId, running)
    }
  }

  /** Until woken, until the next delivery is due, or the poll interval (the clock may be moved by hand). */
  const idle = (): Promise<void> =>
    new Promise((resolve) => {
      const next = outbox.nextDueAt()
      const dueIn = next === null ? Number.POSITIVE_INFINITY : next - clock().getTime()
      const wait = dueIn <= 0 ? settings.pollIntervalMs : Math.min(settings.pollIntervalMs, dueIn)
      const done = (): void => {
        clearTimeout(timer)
        wakeUp = null
        resolve()
      }
      const timer = setTimeout(done, wait)
      wakeUp = done
    })

  const run = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      try {
        startDue()
      } catch (error) {
        logger.error({ err: error }, 'webhook dispatcher could not read the outbox')
      }
      await idle()
    }
  }

  return {
    start: () => {
      loop ??= run()
    },
    wake,
    stop: async () => {
      stopping.abort()
      wake()
      await loop
      await Promise.allSettled([...inFlight.values()])
    },
  }
}
