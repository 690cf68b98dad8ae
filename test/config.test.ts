import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { DEFAULT_API_RATE_LIMITS, DEFAULT_NODES_CONFIG, DEFAULT_STORE_CONFIG, DEFAULT_WEBHOOK_CONFIG, eventLogPollIntervalMs, loadConfig, loadServerConfig, missingSharedSecrets, SETTINGS, type Config } from '../src/config.js'

describe('configuration from the environment', () => {
  it('given nothing, then the defaults', () => {
    expect(loadConfig({})).toEqual(
      E.right({
        port: 3000,
        metricsPort: null,
        metricsHost: '127.0.0.1',
        host: '0.0.0.0',
        dataDir: './data',
        engineUrl: null,
        adminToken: null,
        eventStoreConnectionString: null,
        eventLogPath: null,
        logLevel: 'info',
        trustProxy: false,
        shutdownTimeoutMs: 10_000,
        webhooks: DEFAULT_WEBHOOK_CONFIG,
        signingKey: null,
        previousSigningKeys: null,
        seatSweepIntervalMs: 30_000,
        snapshotIntervalEvents: 100,
        leaseHistoryRetentionDays: null,
        logCheckpoints: { everyEvents: 1000, everyMs: 60_000 },
        lockout: { maxAttempts: 10, windowSeconds: 600, cooldownSeconds: 900 },
        rateLimitPerMinute: 300,
        apiRateLimits: DEFAULT_API_RATE_LIMITS,
        activationRateLimits: { perAddress: 50, perKey: 10, windowSeconds: 5 },
        smtpUrl: null,
        mailFrom: 'Licensing <no-reply@localhost>',
        mailerEnabled: true,
        store: DEFAULT_STORE_CONFIG,
        nodes: DEFAULT_NODES_CONFIG,
      }),
    )
  })

  it('given every setting, then each is read', () => {
    const config = loadConfig({
      PORT: '8080',
      METRICS_PORT: '9464',
      METRICS_HOST: '10.0.0.5',
      HOST: '127.0.0.1',
      LICENSING_DATA_DIR: '/var/lib/licensing',
      LICENSING_URL: 'http://licensing.internal:8080/',
      LICENSING_ADMIN_TOKEN: 'a-very-long-admin-token',
      EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false',
      LOG_LEVEL: 'debug',
      TRUST_PROXY: '1',
      SHUTDOWN_TIMEOUT_MS: '2500',
    })
    expect(config).toEqual(
      E.right({
        port: 8080,
        metricsPort: 9464,
        metricsHost: '10.0.0.5',
        host: '127.0.0.1',
        dataDir: '/var/lib/licensing',
        engineUrl: 'http://licensing.internal:8080',
        adminToken: 'a-very-long-admin-token',
        eventStoreConnectionString: 'esdb://localhost:2113?tls=false',
        eventLogPath: null,
        logLevel: 'debug',
        trustProxy: 1,
        shutdownTimeoutMs: 2500,
        webhooks: DEFAULT_WEBHOOK_CONFIG,
        signingKey: null,
        previousSigningKeys: null,
        seatSweepIntervalMs: 30_000,
        snapshotIntervalEvents: 100,
        leaseHistoryRetentionDays: null,
        logCheckpoints: { everyEvents: 1000, everyMs: 60_000 },
        lockout: { maxAttempts: 10, windowSeconds: 600, cooldownSeconds: 900 },
        rateLimitPerMinute: 300,
        apiRateLimits: DEFAULT_API_RATE_LIMITS,
        activationRateLimits: { perAddress: 50, perKey: 10, windowSeconds: 5 },
        smtpUrl: null,
        mailFrom: 'Licensing <no-reply@localhost>',
        mailerEnabled: true,
        store: DEFAULT_STORE_CONFIG,
        nodes: DEFAULT_NODES_CONFIG,
      }),
    )
  })

  it('given bad values, then every problem is named and the start stops', () => {
    expect(
      loadConfig({ PORT: 'eighty', LICENSING_ADMIN_TOKEN: 'short', EVENTSTORE_CONNECTION_STRING: 'http://x', LOG_LEVEL: 'loud' }),
    ).toEqual(
      E.left([
        'PORT must be an integer from 0 to 65535 (got "eighty")',
        'LICENSING_ADMIN_TOKEN must have at least 16 characters',
        'EVENTSTORE_CONNECTION_STRING must be an esdb:// or esdb+discover:// connection string',
        'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
      ]),
    )
  })
})

describe('configuration of seats and tokens', () => {
  it('reads LICENSING_SIGNING_KEY as a PKCS#8 PEM, with real or escaped newlines', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    for (const given of [pem, pem.replace(/\n/g, '\\n')]) {
      const config = loadConfig({ LICENSING_SIGNING_KEY: given })
      expect(E.isRight(config) && config.right.signingKey).toBe(given.trim())
    }
  })
  it('refuses a signing key that is not an Ed25519 private key, naming the variable', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    for (const bad of ['not a key', rsa]) {
      const config = loadConfig({ LICENSING_SIGNING_KEY: bad })
      expect(E.isLeft(config) && config.left.join()).toMatch(/^LICENSING_SIGNING_KEY must be an Ed25519 private key/)
    }
  })
  it('reads SEAT_SWEEP_INTERVAL_MS (default 30 s) and documents both settings', () => {
    expect(E.isRight(loadConfig({})) && loadConfig({})).toMatchObject({ right: { seatSweepIntervalMs: 30_000, signingKey: null } })
    expect(loadConfig({ SEAT_SWEEP_INTERVAL_MS: '0' })).toMatchObject({ right: { seatSweepIntervalMs: 0 } })
    expect(E.isLeft(loadConfig({ SEAT_SWEEP_INTERVAL_MS: 'soon' }))).toBe(true)
    expect(SETTINGS.map((s) => s.name)).toEqual(expect.arrayContaining(['LICENSING_SIGNING_KEY', 'SEAT_SWEEP_INTERVAL_MS']))
  })
  it('reads LOG_CHECKPOINT_EVENTS and LOG_CHECKPOINT_INTERVAL_MS (defaults 1,000 events and a minute)', () => {
    expect(loadConfig({ LOG_CHECKPOINT_EVENTS: '50', LOG_CHECKPOINT_INTERVAL_MS: '5000' })).toMatchObject({ right: { logCheckpoints: { everyEvents: 50, everyMs: 5000 } } })
    expect(loadConfig({ LOG_CHECKPOINT_EVENTS: '0' })).toEqual(E.left(['LOG_CHECKPOINT_EVENTS must be an integer from 1 to 10000000 (got "0")']))
    expect(loadConfig({ LOG_CHECKPOINT_INTERVAL_MS: '10' })).toEqual(E.left(['LOG_CHECKPOINT_INTERVAL_MS must be an integer from 1000 to 86400000 (got "10")']))
  })

  it('reads LEASE_HISTORY_RETENTION_DAYS (default: forever; at least 8 days, longer than the longest lease)', () => {
    expect(loadConfig({ LEASE_HISTORY_RETENTION_DAYS: '90' })).toMatchObject({ right: { leaseHistoryRetentionDays: 90 } })
    expect(loadConfig({ LEASE_HISTORY_RETENTION_DAYS: ' ' })).toMatchObject({ right: { leaseHistoryRetentionDays: null } })
    expect(loadConfig({ LEASE_HISTORY_RETENTION_DAYS: '7' })).toEqual(E.left(['LEASE_HISTORY_RETENTION_DAYS must be an integer from 8 to 36500 (got "7")']))
    expect(loadConfig({ LEASE_HISTORY_RETENTION_DAYS: 'forever' })).toEqual(E.left(['LEASE_HISTORY_RETENTION_DAYS must be an integer from 8 to 36500 (got "forever")']))
  })

  it('reads SNAPSHOT_INTERVAL_EVENTS (default 100; 0 turns snapshots off)', () => {
    expect(loadConfig({ SNAPSHOT_INTERVAL_EVENTS: '0' })).toMatchObject({ right: { snapshotIntervalEvents: 0 } })
    expect(loadConfig({ SNAPSHOT_INTERVAL_EVENTS: '500' })).toMatchObject({ right: { snapshotIntervalEvents: 500 } })
    expect(loadConfig({ SNAPSHOT_INTERVAL_EVENTS: 'often' })).toEqual(E.left(['SNAPSHOT_INTERVAL_EVENTS must be an integer from 0 to 1000000 (got "often")']))
  })
})

describe('rate limits of seeds 000, 001 and 002', () => {
  it('given each, then each is read; 0 turns one off; a bad value is named', () => {
    expect(loadConfig({ RILLSOFT_RATE_LIMIT_PER_MINUTE: '10', LAC_RATE_LIMIT_PER_MINUTE: '0', BABEL_RATE_LIMIT_PER_MINUTE: '120' })).toMatchObject({
      right: { apiRateLimits: { rillsoft: 10, lac: 0, babel: 120 } },
    })
    expect(loadConfig({ BABEL_RATE_LIMIT_PER_MINUTE: '-1' })).toEqual(E.left(['BABEL_RATE_LIMIT_PER_MINUTE must be an integer from 0 to 1000000 (got "-1")']))
  })
})

describe('configuration of seed 004', () => {
  it('has defaults for the lockout, the rate limit and the mail', () => {
    const config = loadConfig({})
    expect(E.isRight(config) && config.right).toMatchObject({
      lockout: { maxAttempts: 10, windowSeconds: 600, cooldownSeconds: 900 },
      rateLimitPerMinute: 300,
      smtpUrl: null,
      mailFrom: 'Licensing <no-reply@localhost>',
      mailerEnabled: true,
    })
  })

  it('reads every setting from the environment', () => {
    const config = loadConfig({
      LOCKOUT_MAX_ATTEMPTS: '3',
      LOCKOUT_WINDOW_SECONDS: '60',
      LOCKOUT_COOLDOWN_SECONDS: '300',
      RATE_LIMIT_PER_MINUTE: '20',
      SMTP_URL: 'smtps://user:secret@mail.example.com:465',
      MAIL_FROM: 'support@vendor.example',
      MAILER_ENABLED: 'false',
    })
    expect(E.isRight(config) && config.right).toMatchObject({
      lockout: { maxAttempts: 3, windowSeconds: 60, cooldownSeconds: 300 },
      rateLimitPerMinute: 20,
      smtpUrl: 'smtps://user:secret@mail.example.com:465',
      mailFrom: 'support@vendor.example',
      mailerEnabled: false,
    })
  })

  it('refuses bad values, naming each variable and never echoing the SMTP URL', () => {
    const config = loadConfig({ LOCKOUT_MAX_ATTEMPTS: '0', RATE_LIMIT_PER_MINUTE: 'lots', SMTP_URL: 'http://user:secret@x', MAIL_FROM: 'nobody', MAILER_ENABLED: 'maybe' })
    expect(E.isLeft(config) && config.left).toEqual([
      'LOCKOUT_MAX_ATTEMPTS must be an integer from 1 to 1000 (got "0")',
      'RATE_LIMIT_PER_MINUTE must be an integer from 1 to 1000000 (got "lots")',
      'SMTP_URL must be an smtp:// or smtps:// URL',
      'MAIL_FROM must be an e-mail address, optionally with a name (got "nobody")',
      'MAILER_ENABLED must be true or false (got "maybe")',
    ])
  })

  it('documents each of them', () => {
    const names = SETTINGS.map((s) => s.name)
    for (const name of ['LOCKOUT_MAX_ATTEMPTS', 'LOCKOUT_WINDOW_SECONDS', 'LOCKOUT_COOLDOWN_SECONDS', 'RATE_LIMIT_PER_MINUTE', 'SMTP_URL', 'MAIL_FROM', 'MAILER_ENABLED']) {
      expect(names).toContain(name)
    }
  })
})

describe('configuration of seed 003', () => {
  it('reads the activation rate limits, documents them and refuses bad values', () => {
    const config = loadConfig({ ACTIVATION_RATE_LIMIT_PER_ADDRESS: '100', ACTIVATION_RATE_LIMIT_PER_KEY: '3', ACTIVATION_RATE_LIMIT_WINDOW_SECONDS: '60' })
    expect(E.isRight(config) && config.right.activationRateLimits).toEqual({ perAddress: 100, perKey: 3, windowSeconds: 60 })
    expect(loadConfig({ ACTIVATION_RATE_LIMIT_PER_KEY: '0' })).toEqual(E.left(['ACTIVATION_RATE_LIMIT_PER_KEY must be an integer from 1 to 1000000 (got "0")']))
    const names = SETTINGS.map((s) => s.name)
    for (const name of ['ACTIVATION_RATE_LIMIT_PER_ADDRESS', 'ACTIVATION_RATE_LIMIT_PER_KEY', 'ACTIVATION_RATE_LIMIT_WINDOW_SECONDS']) expect(names).toContain(name)
  })
})

describe('secrets several nodes must share', () => {
  const PEM = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const WEBHOOK_KEY = Buffer.alloc(32, 9).toString('base64')
  const ALL = ['LICENSING_ADMIN_TOKEN', 'LICENSING_SIGNING_KEY', 'LICENSING_WEBHOOK_SECRET_KEY']
  const defaults = loadConfig({})
  if (E.isLeft(defaults)) throw new Error('the defaults must load')
  const given = (change: Partial<Config>, secrets: { admin?: boolean; signing?: boolean; webhook?: boolean } = {}): Config => ({
    ...defaults.right,
    dataDir: '/srv/licensing/data',
    adminToken: secrets.admin === true ? 'a-very-long-admin-token' : null,
    signingKey: secrets.signing === true ? PEM : null,
    webhooks: { ...DEFAULT_WEBHOOK_CONFIG, secretKey: secrets.webhook === true ? WEBHOOK_KEY : null },
    ...change,
  })
  const ESDB = { eventStoreConnectionString: 'esdb://localhost:2113?tls=false' }
  const SHARED_LOG = { eventLogPath: '/mnt/shared/events.sqlite' }

  it('given one node on its own log, then nothing is required: its secrets are generated in its data directory', () => {
    for (const eventLogPath of [undefined, null, '/srv/licensing/data/events.sqlite', '/srv/licensing/data/log/events.sqlite', '/srv/licensing/data/..events.sqlite']) {
      expect(missingSharedSecrets(given({ eventLogPath })), String(eventLogPath)).toEqual([])
    }
    expect(missingSharedSecrets(given({ dataDir: 'data', eventLogPath: './data/events.sqlite' }))).toEqual([])
  })

  it('given EventStoreDB or an embedded log outside the data directory, then each secret not set is named', () => {
    for (const shared of [ESDB, SHARED_LOG, { eventLogPath: '/srv/licensing/events.sqlite' }, { dataDir: 'data', eventLogPath: 'data-b/events.sqlite' }, { dataDir: 'data', eventLogPath: '../events.sqlite' }]) {
      const label = JSON.stringify(shared)
      expect(missingSharedSecrets(given(shared)), label).toEqual(ALL)
      expect(missingSharedSecrets(given(shared, { signing: true, webhook: true })), label).toEqual(['LICENSING_ADMIN_TOKEN'])
      expect(missingSharedSecrets(given(shared, { admin: true, webhook: true })), label).toEqual(['LICENSING_SIGNING_KEY'])
      expect(missingSharedSecrets(given(shared, { admin: true, signing: true })), label).toEqual(['LICENSING_WEBHOOK_SECRET_KEY'])
      expect(missingSharedSecrets(given(shared, { admin: true, signing: true, webhook: true })), label).toEqual([])
    }
    // Webhook settings left at their defaults leave the key unset too.
    const { webhooks: _, ...withoutWebhooks } = given(ESDB, { admin: true, signing: true })
    expect(missingSharedSecrets(withoutWebhooks)).toEqual(['LICENSING_WEBHOOK_SECRET_KEY'])
  })

  it('stops a server start with one line naming what is missing and why, and lets the replay tool (which needs none) read the log', () => {
    const env = { EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false', LICENSING_ADMIN_TOKEN: 'a-very-long-admin-token' }
    expect(loadServerConfig(env)).toEqual(
      E.left([
        'several nodes can write to this event log (EVENTSTORE_CONNECTION_STRING is set), so they must share their secrets: set LICENSING_SIGNING_KEY and LICENSING_WEBHOOK_SECRET_KEY to the same values on every node',
      ]),
    )
    expect(E.isRight(loadConfig(env))).toBe(true)
    expect(E.isRight(loadServerConfig({ ...env, LICENSING_SIGNING_KEY: PEM, LICENSING_WEBHOOK_SECRET_KEY: WEBHOOK_KEY }))).toBe(true)
    expect(E.isRight(loadServerConfig({}))).toBe(true)
  })
})

describe('configuration of key rotation', () => {
  const pemOf = (key: KeyObject, type: 'pkcs8' | 'spki'): string => key.export({ type, format: 'pem' }).toString()

  it('reads LICENSING_PREVIOUS_SIGNING_KEYS as PEM blocks one after another, private or public, with real or escaped newlines', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const blocks = `${pemOf(generateKeyPairSync('ed25519').privateKey, 'pkcs8')}${pemOf(publicKey, 'spki')}`
    for (const text of [blocks, blocks.replace(/\n/g, '\\n')]) {
      const config = loadConfig({ LICENSING_PREVIOUS_SIGNING_KEYS: text })
      expect(E.isRight(config) && config.right.previousSigningKeys).toBe(text.trim())
    }
    expect(E.isRight(loadConfig({ LICENSING_PREVIOUS_SIGNING_KEYS: pemOf(privateKey, 'pkcs8') }))).toBe(true)
  })

  it('refuses previous signing keys that are not Ed25519 PEM keys, naming the variable and never echoing a key', () => {
    const rsa = pemOf(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey, 'pkcs8')
    const ed = pemOf(generateKeyPairSync('ed25519').privateKey, 'pkcs8')
    const broken = ed.replace(/\n[A-Za-z0-9+/]{8}/, '\n!!!!!!!!')
    expect(loadConfig({ LICENSING_PREVIOUS_SIGNING_KEYS: 'not a key' })).toEqual(E.left(['LICENSING_PREVIOUS_SIGNING_KEYS must be Ed25519 keys as PEM blocks (it holds no PEM block)']))
    expect(loadConfig({ LICENSING_PREVIOUS_SIGNING_KEYS: `${ed}${rsa}` })).toEqual(E.left(['LICENSING_PREVIOUS_SIGNING_KEYS must be Ed25519 keys as PEM blocks (key 2 is not an Ed25519 key)']))
    expect(loadConfig({ LICENSING_PREVIOUS_SIGNING_KEYS: broken })).toEqual(E.left(['LICENSING_PREVIOUS_SIGNING_KEYS must be Ed25519 keys as PEM blocks (key 1 is not a PEM key)']))
    expect(SETTINGS.map((s) => s.name)).toContain('LICENSING_PREVIOUS_SIGNING_KEYS')
  })
})

describe('configuration of the event store', () => {
  it('reads the shared event log, the stream prefix, legacy stream names and the retry budget', () => {
    expect(
      loadConfig({
        LICENSING_EVENT_LOG: '/srv/licensing/events.sqlite',
        EVENTSTORE_STREAM_PREFIX: 'tenant_a.',
        EVENTSTORE_LEGACY_STREAM_NAMES: 'true',
        STORE_RETRY_BUDGET_MS: '0',
      }),
    ).toMatchObject({
      right: {
        eventLogPath: '/srv/licensing/events.sqlite',
        store: { streamPrefix: 'tenant_a.', legacyStreamNames: true, retryBudgetMs: 0 },
      },
    })
  })

  it('refuses a prefix without a separator at its end, one a legacy stream name could start with, or one the server reserves', () => {
    for (const prefix of ['order-', 'licensing', '$licensing.', 'a b.']) {
      const config = loadConfig({ EVENTSTORE_STREAM_PREFIX: prefix })
      expect(E.isLeft(config) && config.left).toEqual([
        `EVENTSTORE_STREAM_PREFIX must be up to 64 letters, digits, _, . or :, ending in _, . or : (got "${prefix}")`,
      ])
    }
  })
})

describe('configuration of several nodes', () => {
  it('reads the Idempotency-Key claim and wait, the wait for a log position and the poll interval of the embedded log', () => {
    const config = loadConfig({ IDEMPOTENCY_CLAIM_TTL_MS: '30000', IDEMPOTENCY_WAIT_MS: '0', LOG_POSITION_WAIT_MS: '2000', EVENT_LOG_POLL_INTERVAL_MS: '20' })
    expect(config).toMatchObject({ right: { nodes: { idempotency: { claimTtlMs: 30_000, waitMs: 0 }, logPositionWaitMs: 2_000, eventLogPollIntervalMs: 20 } } })
    expect(E.isRight(config) && eventLogPollIntervalMs(config.right)).toBe(20)
  })

  it('polls the embedded log every 250 ms, or every 50 ms when other processes may write to it', () => {
    const polled = (env: Record<string, string>) => E.map(eventLogPollIntervalMs)(loadConfig(env))
    expect(polled({})).toEqual(E.right(250))
    expect(polled({ LICENSING_DATA_DIR: '/srv/a', LICENSING_EVENT_LOG: '/srv/a/events.sqlite' })).toEqual(E.right(250))
    expect(polled({ LICENSING_DATA_DIR: '/srv/a', LICENSING_EVENT_LOG: '/srv/events.sqlite' })).toEqual(E.right(50))
  })

  it('refuses bad values, naming each variable', () => {
    expect(loadConfig({ IDEMPOTENCY_CLAIM_TTL_MS: '10', IDEMPOTENCY_WAIT_MS: 'soon', LOG_POSITION_WAIT_MS: '-1', EVENT_LOG_POLL_INTERVAL_MS: '0' })).toEqual(
      E.left([
        'EVENT_LOG_POLL_INTERVAL_MS must be an integer from 1 to 60000 (got "0")',
        'IDEMPOTENCY_CLAIM_TTL_MS must be an integer from 1000 to 86400000 (got "10")',
        'IDEMPOTENCY_WAIT_MS must be an integer from 0 to 600000 (got "soon")',
        'LOG_POSITION_WAIT_MS must be an integer from 0 to 600000 (got "-1")',
      ]),
    )
  })
})
