// Seed 003's activation endpoints take requests with no vendor credential
// (the license key in the body is the credential), so they are limited per
// source address and per license key, with express-rate-limit, and answer
// with Cryptlex's headers: X-Rate-Limit-Limit (the period, "5s"),
// X-Rate-Limit-Remaining and X-Rate-Limit-Reset (a UTC date-time). Every
// request counts, a refused one too: probing for keys spends the address's
// requests (and a guessed key's). Counts are kept in this process, per node.
import { createHash } from 'node:crypto'
import type { Request, Response } from 'express'
import { ipKeyGenerator, rateLimit, type RateLimitInfo } from 'express-rate-limit'
import type { Logger } from 'pino'
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

type Counted = Request & Partial<Record<'addressLimit' | 'keyLimit', RateLimitInfo>>

export const createActivationRateLimit = (limits: ActivationRateLimits, logger: Logger) => {
  const windowMs = limits.windowSeconds * 1000
  const limiter = (limit: number, requestPropertyName: 'addressLimit' | 'keyLimit', keyOf: (req: Request) => string) =>
    rateLimit({
      windowMs,
      limit,
      requestPropertyName,
      standardHeaders: false,
      legacyHeaders: false,
      keyGenerator: keyOf,
      // The dialect answers; this only counts.
      handler: (_req, _res, next) => next(),
      logger: {
        error: (error, message) => logger.error({ err: error }, message ?? 'rate limiter error'),
        warn: (error, message) => logger.warn({ err: error }, message ?? 'rate limiter warning'),
      },
    })
  const byAddress = limiter(limits.perAddress, 'addressLimit', (req) => `address:${ipKeyGenerator(clientIpOf(req) ?? 'unknown')}`)
  // The key itself is not kept, only its hash.
  const byKey = limiter(limits.perKey, 'keyLimit', (req) => `key:${String((req as Request & { licenseKeyHash?: string }).licenseKeyHash)}`)

  const count = (middleware: ReturnType<typeof rateLimit>, req: Request, res: Response): Promise<void> =>
    new Promise((resolve, reject) => {
      void middleware(req, res, (error?: unknown) => (error === undefined || error === null ? resolve() : reject(error)))
    })

  /** What the counts so far say: over either limit, and the headers (the tighter of the two). */
  const verdict = (req: Counted): RateVerdict => {
    const infos = [req.addressLimit, req.keyLimit].filter((info): info is RateLimitInfo => info !== undefined)
    const tightest = infos.reduce((a, b) => (b.remaining < a.remaining ? b : a))
    return {
      limited: infos.some((info) => info.used > info.limit),
      headers: {
        'X-Rate-Limit-Limit': `${limits.windowSeconds}s`,
        'X-Rate-Limit-Remaining': String(tightest.remaining),
        'X-Rate-Limit-Reset': (tightest.resetTime ?? new Date(Date.now() + windowMs)).toISOString(),
      },
    }
  }

  return {
    /** Counts the request against its source address. */
    address: async (req: Request, res: Response): Promise<RateVerdict> => {
      await count(byAddress, req, res)
      return verdict(req)
    },
    /** Counts the request against the license key it names (after the address). */
    key: async (req: Request, res: Response, licenseKey: string): Promise<RateVerdict> => {
      ;(req as Request & { licenseKeyHash?: string }).licenseKeyHash = createHash('sha256').update(licenseKey).digest('base64url')
      await count(byKey, req, res)
      return verdict(req)
    },
  }
}
export type ActivationRateLimit = ReturnType<typeof createActivationRateLimit>
