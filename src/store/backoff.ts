// Pauses between attempts, for the store decorators that retry (retrying.ts)
// and resubscribe (healing.ts).
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * The pause before retry `attempt` (1-based): doubling from `firstMs` up to
 * `maxMs`, drawn from the upper half of that so that nodes retrying at once
 * spread out.
 */
export const backoff = (attempt: number, firstMs: number, maxMs: number): number => {
  const ceiling = Math.min(maxMs, firstMs * 2 ** Math.min(attempt - 1, 30))
  return ceiling / 2 + Math.random() * (ceiling / 2)
}

/** Waits `ms`, or less when `signal` aborts first. */
export const pause = (ms: number, signal?: AbortSignal): Promise<void> =>
  sleep(ms, undefined, signal === undefined ? {} : { signal }).catch(() => undefined)
