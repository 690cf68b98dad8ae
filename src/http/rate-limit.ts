// Request limits with express-rate-limit, for every API that has one (seeds
// 000, 001, 002 and 004 per credential; any other key a caller names, such as
// an address): a fixed window of one minute per key. The limiter only counts
// and says whether a request is over; each API answers 429 in its own dialect
// (`throttled`, or its own reply, as seed 004's X-RateLimit-Reset). The default
// store keeps the counts in this process and reads the engine's clock (so
// tests move time by hand); several nodes share one limit by passing a shared
// store instead, best one per limit (each has its own window), e.g.
// `(name) => new RedisStore({ sendCommand, prefix: `rl:${name}:` })` from
// rate-limit-redis, as `start(config, { rateLimitStore })`. A single store
// serves the per-minute limits (keys are prefixed by the limit's name) but
// takes one window, so seed 003's activation limits (cryptlex/rate-limit.ts),
// in windows of seconds, share only a store made per limit; with a single
// one they count in each process.
import type { Request, Response } from 'express'
import { rateLimit, type ClientRateLimitInfo, type Store } from 'express-rate-limit'
import type { Logger } from 'pino'
import { retryLater, type Dialect, type Reply } from './reply.js'

/** A shared store, or one made per limit (by its name); null or absent: the in-process memory store. */
export type RateLimitStore = Store | ((name: string) => Store)

export interface RateLimitSettings {
  readonly perMinute: number
  readonly store?: RateLimitStore | null
}

/** Requests a key may send per window. */
export interface Limit {
  readonly limit: number
  readonly windowMs: number
  readonly store?: RateLimitStore | null
}

export interface RateLimitVerdict {
  readonly limited: boolean
  /** Seconds until the window resets: what Retry-After and seed 004's X-RateLimit-Reset say. */
  readonly resetSeconds: number
  /** Requests left in the window, and when it resets (seed 003's X-Rate-Limit-* headers). */
  readonly remaining: number
  readonly resetAt: Date
}

const WINDOW_MS = 60_000

/** An in-process store on the engine's clock: one fixed window per key. */
export const createMemoryStore = (clock: () => Date): Store => {
  let windowMs = WINDOW_MS
  let lastSweep = 0
  const windows = new Map<string, { totalHits: number; resetTime: Date }>()
  const current = (key: string, now: number) => {
    const found = windows.get(key)
    return found !== undefined && found.resetTime.getTime() > now ? found : undefined
  }
  // Expired windows are dropped at most once a window, so the map holds only keys seen lately.
  const sweep = (now: number): void => {
    if (now - lastSweep < windowMs) return
    lastSweep = now
    for (const [key, found] of windows) if (found.resetTime.getTime() <= now) windows.delete(key)
  }
  return {
    localKeys: true,
    init: (options) => {
      windowMs = options.windowMs
    },
    get: (key): ClientRateLimitInfo | undefined => {
      const found = current(key, clock().getTime())
      return found === undefined ? undefined : { ...found }
    },
    increment: (key): ClientRateLimitInfo => {
      const now = clock().getTime()
      sweep(now)
      const found = current(key, now) ?? { totalHits: 0, resetTime: new Date(now + windowMs) }
      found.totalHits += 1
      windows.set(key, found)
      return { ...found }
    },
    decrement: (key) => {
      const found = current(key, clock().getTime())
      if (found !== undefined && found.totalHits > 0) found.totalHits -= 1
    },
    resetKey: (key) => {
      windows.delete(key)
    },
    resetAll: () => windows.clear(),
  }
}

interface RateLimitInfo {
  readonly limit: number
  readonly used: number
  readonly remaining: number
  readonly resetTime: Date | undefined
}

/** Counts a request against a key (a credential, an address); says whether it is over the limit, and answers nothing itself. */
export type RateLimiter = (req: Request, res: Response, key: string) => Promise<RateLimitVerdict>

/** A limiter named `name` (the prefix of its keys in a shared store). */
export const createLimiter = ({ limit, windowMs, store }: Limit, clock: () => Date, logger: Logger, name: string): RateLimiter => {
  const middleware = rateLimit({
    windowMs,
    limit,
    store: typeof store === 'function' ? store(name) : (store ?? createMemoryStore(clock)),
    // The dialect answers; the library's own headers would give X-RateLimit-Reset as a time, not in seconds.
    legacyHeaders: false,
    standardHeaders: false,
    keyGenerator: (_req, res) => `${name}:${String(res.locals.rateLimitKey)}`,
    handler: (_req, _res, next) => next(),
    logger: {
      error: (error, message) => logger.error({ err: error }, message ?? 'rate limiter error'),
      warn: (error, message) => logger.warn({ err: error }, message ?? 'rate limiter warning'),
    },
  })
  return async (req, res, key) => {
    res.locals.rateLimitKey = key
    await new Promise<void>((resolve, reject) => {
      void middleware(req, res, (error?: unknown) => (error === undefined || error === null ? resolve() : reject(error)))
    })
    const info = (req as Request & { rateLimit: RateLimitInfo }).rateLimit
    const now = clock().getTime()
    const resetAt = info.resetTime ?? new Date(now + windowMs)
    return { limited: info.used > info.limit, resetSeconds: Math.max(1, Math.ceil((resetAt.getTime() - now) / 1000)), remaining: info.remaining, resetAt }
  }
}

/** A limiter of `perMinute` requests a minute. */
export const createRateLimit = (settings: RateLimitSettings, clock: () => Date, logger: Logger, name: string): RateLimiter =>
  createLimiter({ limit: settings.perMinute, windowMs: WINDOW_MS, store: settings.store ?? null }, clock, logger, name)

/** The dialect's 429 for a request over its limit, with Retry-After (the detail is Django REST Framework's, which seed 001 speaks). */
export const throttled = (dialect: Dialect, verdict: RateLimitVerdict): Reply =>
  retryLater(dialect.problem(429, { detail: `Request was throttled. Expected available in ${verdict.resetSeconds} seconds.` }), verdict.resetSeconds)
