// Given the number of failed attempts, when the next attempt is scheduled, then
// it waits half the exponential step plus up to as much again, never beyond the cap.
import { describe, expect, it } from 'vitest'
import { retryDelay } from '../../src/webhooks/backoff.js'

const backoff = { retryBaseMs: 1_000, retryCapMs: 60_000 }

describe('webhook retry backoff', () => {
  it('given the first failure, then between half the base and the base', () => {
    expect(retryDelay(1, backoff, () => 0)).toBe(500)
    expect(retryDelay(1, backoff, () => 1)).toBe(1_000)
  })
  it('given more failures, then the step doubles each time', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(n, backoff, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000])
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(n, backoff, () => 0))).toEqual([500, 1_000, 2_000, 4_000, 8_000])
  })
  it('given many failures, then the wait stays within the cap', () => {
    expect(retryDelay(7, backoff, () => 1)).toBe(60_000)
    expect(retryDelay(1_000, backoff, () => 1)).toBe(60_000)
    expect(retryDelay(1_000, backoff, () => 0)).toBe(30_000)
  })
  it('given jitter, then two receivers failing together are not retried together', () => {
    expect(retryDelay(3, backoff, () => 0.1)).not.toBe(retryDelay(3, backoff, () => 0.9))
  })
})
