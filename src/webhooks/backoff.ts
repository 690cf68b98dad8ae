// When a failed delivery is tried again: exponential backoff with "equal
// jitter", so receivers that failed together are not hit together again,
// yet every retry waits at least half its step.
export interface Backoff {
  readonly retryBaseMs: number
  readonly retryCapMs: number
}

/** The wait after the `failedAttempts`-th failure (1 for the first): half of min(cap, base * 2^(n-1)), plus up to as much again at random. */
export const retryDelay = (failedAttempts: number, { retryBaseMs, retryCapMs }: Backoff, random: () => number = Math.random): number => {
  const step = Math.min(retryCapMs, retryBaseMs * 2 ** Math.max(0, failedAttempts - 1))
  return Math.round(step / 2 + random() * (step / 2))
}
