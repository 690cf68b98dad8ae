// Retries of transient store failures (StoreUnavailable: unavailable, not
// leader, deadline exceeded, locked) for appends and reads, within a budget of
// time (and the setting of a stream's retention). An append goes again exactly as it was, with the same event ids, so a
// store that wrote it the first time (and lost the answer on the way)
// recognises it and answers as it did then (the port's idempotent append).
// When the budget is spent, the caller gets `exhausted`: for the engine,
// Unavailable, which every API answers with 503 and Retry-After in its dialect.
// Subscriptions are not retried here; they heal (healing.ts).
import { backoff, pause } from './backoff.js'
import { StoreUnavailable, type EventStore } from './port.js'

export interface RetryOptions {
  /** How long, from the first attempt, a call may keep retrying; 0: no retries. */
  readonly budgetMs: number
  /** What the caller gets when the budget is spent; absent: the last failure itself. */
  readonly exhausted?: (failure: StoreUnavailable, retryAfterSeconds: number) => Error
  /** Each failure that will be retried (for the log). */
  readonly onRetry?: (failure: StoreUnavailable, attempt: number, pauseMs: number) => void
  readonly firstPauseMs?: number
  readonly maxPauseMs?: number
}

export const withRetries = (store: EventStore, options: RetryOptions): EventStore => {
  const firstPauseMs = options.firstPauseMs ?? 50
  const maxPauseMs = options.maxPauseMs ?? 1_000
  const retryAfterSeconds = Math.max(1, Math.ceil(options.budgetMs / 1_000))

  const retried = async <A>(call: () => Promise<A>): Promise<A> => {
    const deadline = Date.now() + options.budgetMs
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call()
      } catch (error) {
        if (!(error instanceof StoreUnavailable)) throw error
        const wait = backoff(attempt, firstPauseMs, maxPauseMs)
        if (Date.now() + wait > deadline) throw options.exhausted?.(error, retryAfterSeconds) ?? error
        options.onRetry?.(error, attempt, wait)
        await pause(wait)
      }
    }
  }

  return {
    ...store,
    appendToStream: (streamName, events, expected) => retried(() => store.appendToStream(streamName, events, expected)),
    readStream: (streamName, readOptions) => retried(() => store.readStream(streamName, readOptions)),
    readAll: (readOptions) => retried(() => store.readAll(readOptions)),
    headPosition: () => retried(() => store.headPosition()),
    // Setting the same retention again changes nothing, so a retry is safe.
    setStreamRetention: (streamName, retention) => retried(() => store.setStreamRetention(streamName, retention)),
  }
}
