// What the HTTP layer is given by the composition root.
import type { LogChainAccess } from './admin/audit-chain.js'
import type { Logger } from 'pino'
import type { Services } from '../application/services.js'
import type { Metrics } from '../metrics/registry.js'
import type { ReadModels } from '../projections/index.js'
import type { Webhooks } from '../webhooks/index.js'
import type { Idempotency } from './idempotency.js'
import type { LogPositions } from './log-position.js'
import type { RateLimiter, RateLimitSettings } from './rate-limit.js'
import type { ActivationRateLimits } from './cryptlex/rate-limit.js'

export interface HealthReport {
  readonly ok: boolean
  readonly checks: Readonly<Record<string, { readonly ok: boolean; readonly detail?: string; readonly leads?: readonly string[] }>>
}

export interface ApiRateLimiters {
  readonly rillsoft: RateLimiter | null
  readonly lac: RateLimiter | null
  readonly babel: RateLimiter | null
}

export interface HttpDeps {
  readonly services: Services
  readonly reads: ReadModels
  readonly idempotency: Idempotency
  /** Where this node stands in the log, for requests that name a log position (read-your-writes on any node). */
  readonly positions: LogPositions
  readonly logger: Logger
  readonly health: () => Promise<HealthReport>
  /** Webhook endpoints (commands) and the outbox (endpoint list, deliveries). */
  readonly webhooks: Webhooks
  /** The engine's Prometheus metrics: every request is timed into them, GET /metrics shows them. */
  readonly metrics: Metrics
  /** Seed 004's requests per credential and minute (default 300, in-process store). */
  readonly rateLimit?: RateLimitSettings
  /** Seeds 000, 001 and 002's limits per credential; absent or null: no limit on that API. */
  readonly rateLimits?: ApiRateLimiters
  /** The log's hash chain, for the chained audit export; absent: none kept. */
  readonly logChain?: LogChainAccess
  /** Seed 003's activations without a vendor credential, per source address and license key (default DEFAULT_ACTIVATION_RATE_LIMITS). */
  readonly activationRateLimits?: ActivationRateLimits
}
