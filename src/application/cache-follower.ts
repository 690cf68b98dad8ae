// The command handler's cache following the log: a subscription of its own
// (through the healing wrapper, so it resubscribes from its checkpoint after a
// drop and /healthz shows the gap) passes every event this node reads of the
// log to the handler, which folds those of the streams it caches. A cached
// state is then never older than what the subscription has read, and a
// request that names a log position waits until the cache has it too.
import type { Logger } from 'pino'
import type { EventStore, Position, Subscription } from '../store/port.js'
import type { CommandHandler } from './command-handler.js'

export interface CacheFollower {
  readonly start: () => void
  readonly stop: () => Promise<void>
  /** Resolves true once the cache has followed the log up to `position` (null: at once), false past `timeoutMs` or when it stopped. */
  readonly waitFor: (position: Position | null, timeoutMs: number) => Promise<boolean>
  /** For /healthz: where it is, or why it stopped. */
  readonly health: () => { readonly ok: boolean; readonly detail: string }
}

export interface CacheFollowerOptions {
  readonly store: EventStore
  readonly handler: Pick<CommandHandler, 'follow' | 'followedBy'>
  /** Where to start: the head of the log when the process started (the cache is empty then). */
  readonly from: Position | null
  readonly logger: Logger
}

export const COMMAND_CACHE = 'command cache'

export const createCacheFollower = ({ store, handler, from, logger }: CacheFollowerOptions): CacheFollower => {
  let position = from
  let subscription: Subscription | null = null
  let loop: Promise<void> | null = null
  let stopping = false
  let failure: string | null = null
  const waiters = new Set<{ readonly target: Position; readonly resolve: (reached: boolean) => void }>()

  const run = async (): Promise<void> => {
    const following = store.subscribeToAll({ ...(position === null ? {} : { from: position }), name: COMMAND_CACHE })
    subscription = following
    // While its subscription is down (healing) or failed, the cache falls behind the log: peeks read instead; once it
    // is back, the cache starts afresh (it resumes from its checkpoint, and may still be catching up).
    handler.followedBy(() => (failure !== null || stopping || following.down?.() === true ? null : (following.drops?.() ?? 0)))
    try {
      for await (const recorded of subscription) {
        handler.follow(recorded)
        position = recorded.position
        for (const waiter of waiters) if (position >= waiter.target) waiter.resolve(true)
      }
    } catch (error) {
      // Only an event that cannot be read ends a healing subscription: the cache can no longer follow the log.
      failure = error instanceof Error ? error.message : String(error)
      logger.error({ err: error }, 'the command cache stopped following the log; every request now reads its streams')
    }
    for (const waiter of waiters) waiter.resolve(false)
  }

  const waitFor: CacheFollower['waitFor'] = (target, timeoutMs) => {
    if (target === null || (position !== null && position >= target)) return Promise.resolve(true)
    if (failure !== null || stopping) return Promise.resolve(false)
    return new Promise((resolve) => {
      const timer = setTimeout(() => waiter.resolve(false), timeoutMs)
      const waiter = {
        target,
        resolve: (reached: boolean) => {
          clearTimeout(timer)
          waiters.delete(waiter)
          resolve(reached)
        },
      }
      waiters.add(waiter)
    })
  }

  return {
    start: () => {
      loop ??= run()
    },
    stop: async () => {
      stopping = true
      await subscription?.close()
      await loop
      for (const waiter of waiters) waiter.resolve(false)
    },
    waitFor,
    health: () => (failure === null ? { ok: true, detail: `at position ${position ?? 'start'}` } : { ok: false, detail: failure }),
  }
}
