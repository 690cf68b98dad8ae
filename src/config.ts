// Every setting, read once from the environment at start, typed and
// validated. A bad value stops the start with a message naming the variable.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { DEFAULT_IDEMPOTENCY_SETTINGS, type IdempotencySettings } from './application/idempotency.js'
import { parseSecretKey } from './application/secret-box.js'
import { parsePreviousSigningKeys, parseSigningKey } from './application/signing-key.js'
import { MAX_COUNTED_ATTEMPTS, type LockoutPolicy } from './domain/lockout/index.js'

export interface Config {
  readonly port: number
  /** METRICS_PORT: a port serving GET /metrics without a credential; null/absent: /metrics on the API port only, for an admin credential. */
  readonly metricsPort?: number | null
  /** METRICS_HOST: the address METRICS_PORT listens on (absent: 127.0.0.1, whatever HOST is). */
  readonly metricsHost?: string
  readonly host: string
  readonly dataDir: string
  /** LICENSING_URL: the running engine's base URL, for the admin commands; null/absent: http://127.0.0.1:<port>. */
  readonly engineUrl?: string | null
  /** null: a token is generated on first start and kept in the data directory. */
  readonly adminToken: string | null
  /** null: the embedded SQLite store in the data directory. */
  readonly eventStoreConnectionString: string | null
  /** The embedded event log (LICENSING_EVENT_LOG); null/absent: <data dir>/events.sqlite. Several processes may share one. */
  readonly eventLogPath?: string | null
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  readonly trustProxy: boolean | number | string
  readonly shutdownTimeoutMs: number
  /** Absent: the defaults (DEFAULT_WEBHOOK_CONFIG). */
  readonly webhooks?: WebhookConfig
  /** PKCS#8 PEM of the Ed25519 key that signs license tokens; null/absent: generated and kept in the data directory. */
  readonly signingKey?: string | null
  /** PEM blocks of keys that signed before it: they still verify and stay in the JWKS. null/absent: none. */
  readonly previousSigningKeys?: string | null
  /** How often the seat sweeper writes the expiry of lapsed seats; 0: only at start. Absent: 30 s. */
  readonly seatSweepIntervalMs?: number
  /** Events read or appended since a stream's last snapshot that make the command side take the next; 0: no snapshots. Absent: DEFAULT_SNAPSHOT_INTERVAL. */
  readonly snapshotIntervalEvents?: number
  /** How many days seats' liveness records (lease renewals) are kept; null/absent: forever. */
  readonly leaseHistoryRetentionDays?: number | null
  /** Seed 004's IP lockout: invalid attempts within a window, then a cooling period. */
  readonly lockout: LockoutPolicy
  /** Seed 004's requests per credential and minute. */
  readonly rateLimitPerMinute: number
  /** Seeds 000, 001 and 002's requests per credential and minute (0: no limit). Absent: no limits (tests that do not exercise them). */
  readonly apiRateLimits?: ApiRateLimits
  /** Seed 003's activations without a vendor credential: requests per window and source address, and per license key. Absent: the defaults. */
  readonly activationRateLimits?: { readonly perAddress: number; readonly perKey: number; readonly windowSeconds: number }
  /** null: notices are written as .eml files into <data dir>/outbox. */
  readonly smtpUrl: string | null
  readonly mailFrom: string
  /** Whether this node sends the e-mail notices (one node should, when several share one log). */
  readonly mailerEnabled: boolean
  /** Absent: the defaults (DEFAULT_STORE_CONFIG). */
  readonly store?: StoreConfig
  /** Absent: the defaults (DEFAULT_NODES_CONFIG). */
  readonly nodes?: NodesConfig
  /** Signed checkpoints of the log's hash chain: every so many events, at least every so many ms. Absent: 1,000 events, a minute. */
  readonly logCheckpoints?: { readonly everyEvents: number; readonly everyMs: number }
}

/** What several nodes on one log need to agree: idempotent writes and reads at a log position. */
export interface NodesConfig {
  /** Idempotency-Key claims: how long one holds without a reply, and how long a request waits for another's reply. */
  readonly idempotency: IdempotencySettings
  /** How long a request naming a log position (X-Log-Position) waits for this node to reach it before a 503. */
  readonly logPositionWaitMs: number
  /** How often a subscription to the embedded log looks for events another process appended; null: 250 ms, or 50 ms when the log is shared. */
  readonly eventLogPollIntervalMs: number | null
  /** How long a sender role's lease (webhooks, mail, the seat sweeper) runs without a renewal: the longest a dead leader's work waits for another node. */
  readonly leaderLeaseMs: number
}

export const DEFAULT_NODES_CONFIG: NodesConfig = {
  idempotency: DEFAULT_IDEMPOTENCY_SETTINGS,
  logPositionWaitMs: 5_000,
  eventLogPollIntervalMs: null,
  leaderLeaseMs: 15_000,
}

export const DEFAULT_SNAPSHOT_INTERVAL = 100

/** Requests per credential and minute on seeds 000, 001 and 002; 0: no limit. */
export interface ApiRateLimits {
  readonly rillsoft: number
  readonly lac: number
  readonly babel: number
}

/** Seed 002's clients heartbeat once a minute each, many on one product key: its limit leaves room for thousands of seats per key. */
export const DEFAULT_API_RATE_LIMITS: ApiRateLimits = { rillsoft: 300, lac: 300, babel: 6000 }

/** Longer than the longest lease a seat can have (7 days): a live seat's last renewal is always kept. */
export const MIN_LEASE_HISTORY_RETENTION_DAYS = 8

export interface StoreConfig {
  /** EventStoreDB: the prefix of every stream this engine writes, and the only ones its subscriptions read. */
  readonly streamPrefix: string
  /** EventStoreDB: keep the unprefixed names of the streams written before the prefix (deployments from then). */
  readonly legacyStreamNames: boolean
  /** How long a read or append keeps retrying a transient store failure before the client gets a 503. */
  readonly retryBudgetMs: number
}

export const DEFAULT_STORE_CONFIG: StoreConfig = {
  streamPrefix: 'licensing.',
  legacyStreamNames: false,
  retryBudgetMs: 5_000,
}

export interface WebhookConfig {
  /** Whether this node fills the outbox and delivers (one node should, when several share one log). */
  readonly enabled: boolean
  /** The key sealing webhook signing secrets (32 bytes, base64 or hex); null: generated on first start and kept in the data directory. */
  readonly secretKey: string | null
  /** Keys that sealed before it: they still open what they sealed. */
  readonly previousSecretKeys: readonly string[]
  readonly retryBaseMs: number
  readonly retryCapMs: number
  readonly maxAttempts: number
  readonly timeoutMs: number
  readonly pollIntervalMs: number
  /** Whether receivers on loopback, link-local and private networks may be targets (absent: no). */
  readonly allowPrivateTargets?: boolean
}

export const DEFAULT_WEBHOOK_CONFIG: WebhookConfig = {
  enabled: true,
  secretKey: null,
  previousSecretKeys: [],
  retryBaseMs: 30_000,
  retryCapMs: 3_600_000,
  maxAttempts: 15,
  timeoutMs: 10_000,
  pollIntervalMs: 1_000,
}

export interface Setting {
  readonly name: string
  readonly default: string
  readonly description: string
}

/** The settings as the README documents them. */
export const SETTINGS: readonly Setting[] = [
  { name: 'PORT', default: '3000', description: 'HTTP port (0 picks a free one).' },
  { name: 'HOST', default: '0.0.0.0', description: 'Address to listen on.' },
  { name: 'LICENSING_DATA_DIR', default: './data', description: 'Where the embedded event log, the read models and generated secrets live.' },
  {
    name: 'LICENSING_URL',
    default: '(unset)',
    description: 'For the admin commands (`licensing api-keys`, `licensing license show`): the running engine\'s base URL. Unset: http://127.0.0.1:PORT.',
  },
  {
    name: 'LICENSING_ADMIN_TOKEN',
    default: '(generated)',
    description: 'Admin credential, at least 16 characters. Unset: one is generated on first start and kept in <data dir>/admin-token (required when several nodes share the event log).',
  },
  {
    name: 'LICENSING_EVENT_LOG',
    default: '<data dir>/events.sqlite',
    description: 'The embedded event log. Several engine processes on one machine, each with its own data directory, may share one.',
  },
  { name: 'EVENTSTORE_CONNECTION_STRING', default: '(unset)', description: 'Use EventStoreDB or KurrentDB, e.g. esdb://localhost:2113?tls=false. Unset: the embedded SQLite store.' },
  {
    name: 'EVENTSTORE_STREAM_PREFIX',
    default: 'licensing.',
    description: "EventStoreDB: the prefix of this engine's stream names; its subscription to $all reads only these streams. Letters, digits, `_`, `.` or `:`, ending in one of the last three.",
  },
  {
    name: 'EVENTSTORE_LEGACY_STREAM_NAMES',
    default: 'false',
    description: 'EventStoreDB: true for a log written before stream prefixes: the streams of that time keep their unprefixed names.',
  },
  {
    name: 'STORE_RETRY_BUDGET_MS',
    default: '5000',
    description: 'How long an append or read keeps retrying a transient store failure (unavailable, not leader, deadline, busy) before the client gets 503 with Retry-After.',
  },
  {
    name: 'EVENT_LOG_POLL_INTERVAL_MS',
    default: '250 (50 when shared)',
    description: 'How often each subscription to the embedded log (read models, webhook outbox, mailer, command cache) looks for events another process appended; 50 ms when LICENSING_EVENT_LOG is shared.',
  },
  {
    name: 'LOG_POSITION_WAIT_MS',
    default: '5000',
    description: 'How long a request carrying X-Log-Position waits for this node to reach that position of the log before it is answered 503 with Retry-After.',
  },
  {
    name: 'IDEMPOTENCY_CLAIM_TTL_MS',
    default: '60000',
    description: 'How long the claim of an Idempotency-Key holds without a reply; after it, the key may be claimed again (its holder is taken to have died).',
  },
  {
    name: 'IDEMPOTENCY_WAIT_MS',
    default: '5000',
    description: 'How long a request whose Idempotency-Key another request holds waits for that reply before it is answered 409 with Retry-After.',
  },
  {
    name: 'LEADER_LEASE_MS',
    default: '15000',
    description:
      'When several nodes share the log: how long the lease of a sender role (webhook delivery, e-mail notices, the seat sweeper) runs without a renewal. Its holder renews it every half lease; when the holder dies, another node takes over within one lease.',
  },
  { name: 'LOG_LEVEL', default: 'info', description: 'fatal, error, warn, info, debug, trace or silent.' },
  { name: 'TRUST_PROXY', default: 'false', description: "Express 'trust proxy': true, false, a hop count or a list of addresses; decides the client IP recorded with events." },
  { name: 'SHUTDOWN_TIMEOUT_MS', default: '10000', description: 'How long a graceful shutdown waits for requests in flight.' },
  {
    name: 'LICENSING_WEBHOOK_SECRET_KEY',
    default: '(generated)',
    description: 'The 32-byte key (base64 or hex) that encrypts webhook signing secrets at rest (AES-256-GCM). Unset: one is generated on first start and kept in <data dir>/webhook-secret-key (required when several nodes share the event log).',
  },
  {
    name: 'LICENSING_WEBHOOK_PREVIOUS_SECRET_KEYS',
    default: '(none)',
    description: 'Keys that sealed webhook secrets before the current one, separated by commas or spaces: they still open what they sealed, and never seal.',
  },
  { name: 'WEBHOOK_RETRY_BASE_MS', default: '30000', description: 'Wait before the first retry of a failed webhook delivery; it doubles with each failure (with jitter).' },
  { name: 'WEBHOOK_RETRY_CAP_MS', default: '3600000', description: 'The longest wait between two attempts of a webhook delivery.' },
  { name: 'WEBHOOK_MAX_ATTEMPTS', default: '15', description: 'Attempts of a webhook delivery before it is marked failed.' },
  { name: 'WEBHOOK_TIMEOUT_MS', default: '10000', description: 'How long a webhook receiver has to answer an attempt.' },
  {
    name: 'WEBHOOKS_ENABLED',
    default: 'true',
    description: 'Whether this node may deliver webhooks (and keeps their deliveries list); when several nodes share one log, one of those that may delivers at a time (the leader).',
  },
  {
    name: 'WEBHOOK_ALLOW_PRIVATE_TARGETS',
    default: 'false',
    description: 'Whether webhook URLs may point at loopback, link-local or private network addresses (checked after DNS resolution, at registration and before each delivery); true for receivers on the same host or network.',
  },
  { name: 'WEBHOOK_POLL_INTERVAL_MS', default: '1000', description: 'How often, at most, the webhook dispatcher looks for retries that have come due.' },
  {
    name: 'LICENSING_SIGNING_KEY',
    default: '(generated)',
    description: 'Ed25519 private key (PKCS#8 PEM; `\\n` for newlines is accepted) that signs license tokens. Unset: one is generated on first start and kept in <data dir>/signing-key.pem (required when several nodes share the event log).',
  },
  {
    name: 'LICENSING_PREVIOUS_SIGNING_KEYS',
    default: '(none)',
    description: 'Keys that signed license tokens before the current one, as PEM blocks one after another (PKCS#8 private or SPKI public): their tokens still verify and the JWKS lists them; they never sign.',
  },
  { name: 'SEAT_SWEEP_INTERVAL_MS', default: '30000', description: 'How often the seat sweeper records the expiry of seats whose lease ran out; 0 sweeps only at start.' },
  {
    name: 'SNAPSHOT_INTERVAL_EVENTS',
    default: String(DEFAULT_SNAPSHOT_INTERVAL),
    description: "Every how many events of a stream the command side keeps a snapshot of its state in <data dir>/snapshots.sqlite, so that a license's first load after a start reads at most that many events; 0: no snapshots.",
  },
  {
    name: 'LEASE_HISTORY_RETENTION_DAYS',
    default: '(forever)',
    description: `Days a seat's liveness records (its lease renewals) are kept, ${MIN_LEASE_HISTORY_RETENTION_DAYS} at least (longer than the longest lease); older ones are dropped by the store (EventStoreDB: the stream's $maxAge; SQLite: old rows deleted). Grants, releases and expiries are kept forever. Unset: renewals are kept forever too.`,
  },
  {
    name: 'LOG_CHECKPOINT_EVENTS',
    default: '1000',
    description: "Every how many events the engine signs a checkpoint of the log's hash chain (Ed25519, the token signing key); see README, History.",
  },
  {
    name: 'LOG_CHECKPOINT_INTERVAL_MS',
    default: '60000',
    description: 'The longest the log goes without a signed checkpoint while events arrive (1000 at least).',
  },
  { name: 'LOCKOUT_MAX_ATTEMPTS', default: '10', description: `Seed 004 IP lockout: invalid attempts (bad credentials, invalid parameters, unknown license) from one address that lock it out (1 to ${MAX_COUNTED_ATTEMPTS}).` },
  { name: 'LOCKOUT_WINDOW_SECONDS', default: '600', description: 'Seed 004 IP lockout: the period in which those attempts are counted.' },
  { name: 'LOCKOUT_COOLDOWN_SECONDS', default: '900', description: 'Seed 004 IP lockout: how long a locked-out address is refused (429).' },
  {
    name: 'METRICS_PORT',
    default: '(unset)',
    description: 'A port (on METRICS_HOST) that serves GET /metrics without a credential, for Prometheus; keep it off the public network. Unset: /metrics is on PORT only, for an admin credential.',
  },
  {
    name: 'METRICS_HOST',
    default: '127.0.0.1',
    description: 'Address METRICS_PORT listens on: loopback unless set, whatever HOST is, so that HOST=0.0.0.0 does not make the metrics public. Set it (e.g. to 0.0.0.0 in a container) only where Prometheus scrapes from a private network.',
  },
  { name: 'RATE_LIMIT_PER_MINUTE', default: '300', description: 'Seed 004: requests per minute and credential; more are answered 429.' },
  {
    name: 'RILLSOFT_RATE_LIMIT_PER_MINUTE',
    default: String(DEFAULT_API_RATE_LIMITS.rillsoft),
    description: 'Seed 000 (`/api/v2`): requests per minute and credential; more are answered 429 with Retry-After in its envelope. 0: no limit.',
  },
  {
    name: 'LAC_RATE_LIMIT_PER_MINUTE',
    default: String(DEFAULT_API_RATE_LIMITS.lac),
    description: 'Seed 001 (`/license-orders`, with its seat and meter settings): requests per minute and credential; more are answered 429 with Retry-After. 0: no limit.',
  },
  {
    name: 'BABEL_RATE_LIMIT_PER_MINUTE',
    default: String(DEFAULT_API_RATE_LIMITS.babel),
    description: 'Seed 002 (`/v1/license`): requests per minute and credential (a product key shared by many clients, each heartbeating once a minute, needs room); more are answered 429 with Retry-After. 0: no limit.',
  },
  { name: 'ACTIVATION_RATE_LIMIT_PER_ADDRESS', default: '50', description: 'Seed 003: activation requests without a vendor credential per window and source address; more are answered 429.' },
  { name: 'ACTIVATION_RATE_LIMIT_PER_KEY', default: '10', description: 'Seed 003: activation requests without a vendor credential per window and license key; more are answered 429.' },
  { name: 'ACTIVATION_RATE_LIMIT_WINDOW_SECONDS', default: '5', description: "Seed 003: the window of those two limits (Cryptlex's is 5 seconds)." },
  { name: 'SMTP_URL', default: '(unset)', description: 'Send e-mail notices through this SMTP server, e.g. smtp://user:pass@mail.example.com:587. Unset: they are written as .eml files into <data dir>/outbox.' },
  { name: 'MAIL_FROM', default: 'Licensing <no-reply@localhost>', description: 'Sender of the e-mail notices.' },
  { name: 'MAILER_ENABLED', default: 'true', description: 'Whether this node may send e-mail notices; when several nodes share one log, one of those that may sends at a time (the leader).' },
]

type Env = Readonly<Record<string, string | undefined>>

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

const integer = (env: Env, name: string, fallback: number, min: number, max: number): E.Either<string, number> => {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return E.right(fallback)
  const value = Number(raw)
  return /^\d+$/.test(raw.trim()) && value >= min && value <= max
    ? E.right(value)
    : E.left(`${name} must be an integer from ${min} to ${max} (got "${raw}")`)
}

const text = (env: Env, name: string): string | null => {
  const raw = env[name]
  return raw === undefined || raw.trim() === '' ? null : raw.trim()
}

const bool = (env: Env, name: string, fallback: boolean): E.Either<string, boolean> => {
  const raw = text(env, name)?.toLowerCase()
  if (raw === undefined) return E.right(fallback)
  if (raw === 'true' || raw === '1') return E.right(true)
  if (raw === 'false' || raw === '0') return E.right(false)
  return E.left(`${name} must be true or false (got "${raw}")`)
}

const trustProxyOf = (raw: string | null): boolean | number | string => {
  if (raw === null || raw === 'false') return false
  if (raw === 'true') return true
  return /^\d+$/.test(raw) ? Number(raw) : raw
}

/** Reads the configuration, or every problem with it. */
export const loadConfig = (env: Env): E.Either<readonly string[], Config> => {
  const problems: string[] = []
  const take = <A>(result: E.Either<string, A>, fallback: A): A => {
    if (E.isLeft(result)) problems.push(result.left)
    return E.isRight(result) ? result.right : fallback
  }

  const port = take(integer(env, 'PORT', 3000, 0, 65535), 0)
  const metricsPort = text(env, 'METRICS_PORT') === null ? null : take(integer(env, 'METRICS_PORT', 0, 0, 65535), null)
  const shutdownTimeoutMs = take(integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000), 0)
  const adminToken = text(env, 'LICENSING_ADMIN_TOKEN')
  const engineUrl = text(env, 'LICENSING_URL')?.replace(/\/+$/, '') ?? null
  if (engineUrl !== null && !/^https?:\/\/\S+$/.test(engineUrl)) problems.push(`LICENSING_URL must be an http:// or https:// URL (got "${engineUrl.replace(/\/\/[^/@]*@/, '//…@')}")`)
  if (adminToken !== null && adminToken.length < 16) problems.push('LICENSING_ADMIN_TOKEN must have at least 16 characters')
  const eventStoreConnectionString = text(env, 'EVENTSTORE_CONNECTION_STRING')
  if (eventStoreConnectionString !== null && !/^esdb(\+discover)?:\/\/\S+$/.test(eventStoreConnectionString)) {
    problems.push('EVENTSTORE_CONNECTION_STRING must be an esdb:// or esdb+discover:// connection string')
  }
  const seatSweepIntervalMs = take(integer(env, 'SEAT_SWEEP_INTERVAL_MS', 30_000, 0, 86_400_000), 0)
  const snapshotIntervalEvents = take(integer(env, 'SNAPSHOT_INTERVAL_EVENTS', DEFAULT_SNAPSHOT_INTERVAL, 0, 1_000_000), 0)
  const leaseHistoryRetentionDays =
    text(env, 'LEASE_HISTORY_RETENTION_DAYS') === null ? null : take(integer(env, 'LEASE_HISTORY_RETENTION_DAYS', 0, MIN_LEASE_HISTORY_RETENTION_DAYS, 36_500), null)
  const logCheckpoints = {
    everyEvents: take(integer(env, 'LOG_CHECKPOINT_EVENTS', 1_000, 1, 10_000_000), 1_000),
    everyMs: take(integer(env, 'LOG_CHECKPOINT_INTERVAL_MS', 60_000, 1_000, 86_400_000), 60_000),
  }
  const signingKey = text(env, 'LICENSING_SIGNING_KEY')
  if (signingKey !== null) {
    try {
      parseSigningKey(signingKey)
    } catch (error) {
      problems.push(`LICENSING_SIGNING_KEY must be an Ed25519 private key in PKCS#8 PEM (${error instanceof Error ? error.message : 'unreadable'})`)
    }
  }
  const previousSigningKeys = text(env, 'LICENSING_PREVIOUS_SIGNING_KEYS')
  if (previousSigningKeys !== null) {
    try {
      parsePreviousSigningKeys(previousSigningKeys)
    } catch (error) {
      problems.push(`LICENSING_PREVIOUS_SIGNING_KEYS must be Ed25519 keys as PEM blocks (${error instanceof Error ? error.message : 'unreadable'})`)
    }
  }
  const logLevel = (text(env, 'LOG_LEVEL') ?? 'info').toLowerCase()
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`)

  const webhookSecretKey = text(env, 'LICENSING_WEBHOOK_SECRET_KEY')
  if (webhookSecretKey !== null && parseSecretKey(webhookSecretKey) === null) {
    problems.push('LICENSING_WEBHOOK_SECRET_KEY must be a 32-byte key written as base64 or hex (e.g. `openssl rand -base64 32`)')
  }
  const previousSecretKeys = (text(env, 'LICENSING_WEBHOOK_PREVIOUS_SECRET_KEYS') ?? '').split(/[\s,]+/).filter((key) => key !== '')
  if (previousSecretKeys.some((key) => parseSecretKey(key) === null)) {
    problems.push('LICENSING_WEBHOOK_PREVIOUS_SECRET_KEYS must be 32-byte keys written as base64 or hex, separated by commas or spaces')
  }
  const d = DEFAULT_WEBHOOK_CONFIG
  const webhooks: WebhookConfig = {
    enabled: take(bool(env, 'WEBHOOKS_ENABLED', d.enabled), d.enabled),
    secretKey: webhookSecretKey,
    previousSecretKeys,
    retryBaseMs: take(integer(env, 'WEBHOOK_RETRY_BASE_MS', d.retryBaseMs, 1, 86_400_000), d.retryBaseMs),
    retryCapMs: take(integer(env, 'WEBHOOK_RETRY_CAP_MS', d.retryCapMs, 1, 604_800_000), d.retryCapMs),
    maxAttempts: take(integer(env, 'WEBHOOK_MAX_ATTEMPTS', d.maxAttempts, 1, 1000), d.maxAttempts),
    timeoutMs: take(integer(env, 'WEBHOOK_TIMEOUT_MS', d.timeoutMs, 1, 600_000), d.timeoutMs),
    pollIntervalMs: take(integer(env, 'WEBHOOK_POLL_INTERVAL_MS', d.pollIntervalMs, 1, 60_000), d.pollIntervalMs),
    ...(take(bool(env, 'WEBHOOK_ALLOW_PRIVATE_TARGETS', false), false) ? { allowPrivateTargets: true } : {}),
  }
  const lockout: LockoutPolicy = {
    maxAttempts: take(integer(env, 'LOCKOUT_MAX_ATTEMPTS', 10, 1, MAX_COUNTED_ATTEMPTS), 0),
    windowSeconds: take(integer(env, 'LOCKOUT_WINDOW_SECONDS', 600, 1, 7 * 86_400), 0),
    cooldownSeconds: take(integer(env, 'LOCKOUT_COOLDOWN_SECONDS', 900, 1, 30 * 86_400), 0),
  }
  const rateLimitPerMinute = take(integer(env, 'RATE_LIMIT_PER_MINUTE', 300, 1, 1_000_000), 0)
  const r = DEFAULT_API_RATE_LIMITS
  const apiRateLimits: ApiRateLimits = {
    rillsoft: take(integer(env, 'RILLSOFT_RATE_LIMIT_PER_MINUTE', r.rillsoft, 0, 1_000_000), r.rillsoft),
    lac: take(integer(env, 'LAC_RATE_LIMIT_PER_MINUTE', r.lac, 0, 1_000_000), r.lac),
    babel: take(integer(env, 'BABEL_RATE_LIMIT_PER_MINUTE', r.babel, 0, 1_000_000), r.babel),
  }
  const activationRateLimits = {
    perAddress: take(integer(env, 'ACTIVATION_RATE_LIMIT_PER_ADDRESS', 50, 1, 1_000_000), 0),
    perKey: take(integer(env, 'ACTIVATION_RATE_LIMIT_PER_KEY', 10, 1, 1_000_000), 0),
    windowSeconds: take(integer(env, 'ACTIVATION_RATE_LIMIT_WINDOW_SECONDS', 5, 1, 86_400), 0),
  }
  const smtpUrl = text(env, 'SMTP_URL')
  // The URL may hold a password: the message names the variable, never its value.
  if (smtpUrl !== null && !/^smtps?:\/\/\S+$/i.test(smtpUrl)) problems.push('SMTP_URL must be an smtp:// or smtps:// URL')
  const mailFrom = text(env, 'MAIL_FROM') ?? 'Licensing <no-reply@localhost>'
  if (!/^[^\r\n]*[^\s@<>]+@[^\s@<>]+>?$/.test(mailFrom)) problems.push(`MAIL_FROM must be an e-mail address, optionally with a name (got "${mailFrom}")`)
  const mailerEnabled = take(bool(env, 'MAILER_ENABLED', true), true)
  const s = DEFAULT_STORE_CONFIG
  const streamPrefix = text(env, 'EVENTSTORE_STREAM_PREFIX') ?? s.streamPrefix
  // A separator at the end, and no `-`, so a legacy name (`order-...`) never starts with the prefix by accident.
  if (!/^[A-Za-z0-9_.:]{0,63}[_.:]$/.test(streamPrefix)) {
    problems.push(`EVENTSTORE_STREAM_PREFIX must be up to 64 letters, digits, _, . or :, ending in _, . or : (got "${streamPrefix}")`)
  }
  const store: StoreConfig = {
    streamPrefix,
    legacyStreamNames: take(bool(env, 'EVENTSTORE_LEGACY_STREAM_NAMES', s.legacyStreamNames), s.legacyStreamNames),
    retryBudgetMs: take(integer(env, 'STORE_RETRY_BUDGET_MS', s.retryBudgetMs, 0, 600_000), s.retryBudgetMs),
  }

  const n = DEFAULT_NODES_CONFIG
  const pollInterval = text(env, 'EVENT_LOG_POLL_INTERVAL_MS') === null ? null : take(integer(env, 'EVENT_LOG_POLL_INTERVAL_MS', 250, 1, 60_000), 250)
  const nodes: NodesConfig = {
    idempotency: {
      claimTtlMs: take(integer(env, 'IDEMPOTENCY_CLAIM_TTL_MS', n.idempotency.claimTtlMs, 1_000, 86_400_000), n.idempotency.claimTtlMs),
      waitMs: take(integer(env, 'IDEMPOTENCY_WAIT_MS', n.idempotency.waitMs, 0, 600_000), n.idempotency.waitMs),
    },
    logPositionWaitMs: take(integer(env, 'LOG_POSITION_WAIT_MS', n.logPositionWaitMs, 0, 600_000), n.logPositionWaitMs),
    eventLogPollIntervalMs: pollInterval,
    leaderLeaseMs: take(integer(env, 'LEADER_LEASE_MS', n.leaderLeaseMs, 200, 600_000), n.leaderLeaseMs),
  }

  if (problems.length > 0) return E.left(problems)
  return E.right({
    port,
    metricsPort,
    metricsHost: text(env, 'METRICS_HOST') ?? '127.0.0.1',
    host: text(env, 'HOST') ?? '0.0.0.0',
    dataDir: text(env, 'LICENSING_DATA_DIR') ?? './data',
    engineUrl,
    adminToken,
    eventStoreConnectionString,
    eventLogPath: text(env, 'LICENSING_EVENT_LOG'),
    logLevel: logLevel as Config['logLevel'],
    trustProxy: trustProxyOf(text(env, 'TRUST_PROXY')),
    shutdownTimeoutMs,
    webhooks,
    signingKey,
    previousSigningKeys,
    seatSweepIntervalMs,
    snapshotIntervalEvents,
    leaseHistoryRetentionDays,
    logCheckpoints,
    lockout,
    rateLimitPerMinute,
    apiRateLimits,
    activationRateLimits,
    smtpUrl,
    mailFrom,
    mailerEnabled,
    store,
    nodes,
  })
}

/** Why several nodes may write to this node's event log, or null when only this node can. */
export const sharedLogReason = (config: Pick<Config, 'eventStoreConnectionString' | 'eventLogPath' | 'dataDir'>): string | null => {
  if (config.eventStoreConnectionString !== null) return 'EVENTSTORE_CONNECTION_STRING is set'
  const eventLogPath = config.eventLogPath ?? null
  if (eventLogPath === null) return null
  const fromDataDir = relative(resolve(config.dataDir), resolve(eventLogPath))
  return fromDataDir.split(sep)[0] === '..' || isAbsolute(fromDataDir) ? 'LICENSING_EVENT_LOG is outside the data directory' : null
}

/** How often a subscription to the embedded log looks for other processes' events: sooner when other processes write to it. */
export const eventLogPollIntervalMs = (config: Config): number =>
  config.nodes?.eventLogPollIntervalMs ?? (sharedLogReason(config) === null ? 250 : 50)

/**
 * The secrets a node would generate for itself, named when several nodes can
 * write to the log and they are not set: nodes sharing a log must share them,
 * or a token one signs, a webhook secret one seals, and the admin token one
 * made up do not work on another.
 */
export const missingSharedSecrets = (config: Config): readonly string[] => {
  if (sharedLogReason(config) === null) return []
  const secrets: ReadonlyArray<readonly [string, string | null]> = [
    ['LICENSING_ADMIN_TOKEN', config.adminToken],
    ['LICENSING_SIGNING_KEY', config.signingKey ?? null],
    ['LICENSING_WEBHOOK_SECRET_KEY', config.webhooks?.secretKey ?? null],
  ]
  return secrets.filter(([, value]) => value === null).map(([name]) => name)
}

const listed = (names: readonly string[]): string => (names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`)

/** The configuration a server starts with: as read, and with the secrets several nodes must share. */
export const loadServerConfig = (env: Env): E.Either<readonly string[], Config> =>
  pipe(
    loadConfig(env),
    E.chain((config) => {
      const reason = sharedLogReason(config)
      const missing = missingSharedSecrets(config)
      return reason === null || missing.length === 0
        ? E.right(config)
        : E.left([`several nodes can write to this event log (${reason}), so they must share their secrets: set ${listed(missing)} to the same values on every node`])
    }),
  )
