// Seed 003's activation endpoints take requests with no vendor credential
// (the license key in the body is the credential), so they are limited per
// source address and per license key, with the engine's limiter
// (../rate-limit.ts: its store, shared by nodes when one is given, and the
// engine's clock), and answer with Cryptlex's headers: X-Rate-Limit-Limit
// (the period, "5s"), X-Rate-Limit-Remaining and X-Rate-Limit-Reset (a UTC
// date-time). Every request counts, a refused one too: probing for keys
// spends the address's requests (and a guessed key's).
import { createHash } from 'node:crypto'
import type { Request, Response } from 'express'
import { ipKeyGenerator } from 'express-rate-limit'
import type { Logger } from 'pino'
import { createLimiter, type RateLimitStore, type RateLimitVerdict } from '../rate-limit.js'
import { clientIpOf } from '../request-context.js'

export interface ActivationRateLimits {
  /** Requests per window from one source address (Cryptlex documents 50 in 5 seconds). */
  readonly perAddress: number
  /** Requests per window naming one license key. */
  readonly perKey: number
  readonly windowSeconds: number
}

export const DEFAULT_ACTIVATION_RATE_LIMITS: ActivationRateLimits = { perAddress: 50, perKey: 10, windowSeconds: 5 }

export interface RateVerdict {
  readonly limited: boolean
  readonly headers: Readonly<Record<string, string>>
}

export const createActivationRateLimit = (limits: ActivationRateLimits, store: RateLimitStore | null, clock: () => Date, logger: Logger) => {
  const windowMs = limits.windowSeconds * 1000
  const byAddress = createLimiter({ limit: limits.perAddress, windowMs, store }, clock, logger, 'activation-address')
  const byKey = createLimiter({ limit: limits.perKey, windowMs, store }, clock, logger, 'activation-key')

  /** Over either limit, and the headers of the tighter of the two. */
  const verdict = (counts: readonly RateLimitVerdict[]): RateVerdict => {
    const tightest = counts.reduce((a, b) => (b.remaining < a.remaining ? b : a))
    return {
      limited: counts.some((count) => count.limited),
      headers: {
        'X-Rate-Limit-Limit': `${limits.windowSeconds}s`,
        'X-Rate-Limit-Remaining': String(tightest.remaining),
        'X-Rate-Limit-Reset': tightest.resetAt.toISOString(),
      },
    }
  }

  /** The counts of one request so far. */
  return (req: Request, res: Response) => {
    const counts: RateLimitVerdict[] = []
    return {
      /** Counts the request against its source address. */
      address: async (): Promise<RateVerdict> => {
        counts.push(await byAddress(req, res, ipKeyGenerator(clientIpOf(req) ?? 'unknown')))
        return verdict(counts)
      },
      /** Counts the request against the license key it names (after the address); the key itself is not kept, only its hash. */
      key: async (licenseKey: string): Promise<RateVerdict> => {
        counts.push(await byKey(req, res, createHash('sha256').update(licenseKey).digest('base64url')))
        return verdict(counts)
      },
    }
  }
}
export type ActivationRateLimit = ReturnType<typeof createActivationRateLimit>
