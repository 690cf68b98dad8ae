// The composition root: the one place that picks adapters and wires them to
// the ports. `start` is what `npm start` runs (through src/cli.ts), and what
// the HTTP tests start.
import { randomBytes, randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import type { Express } from 'express'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, resolve } from 'node:path'
import type { Logger } from 'pino'
import { createCacheFollower } from './application/cache-follower.js'
import { createLogCheckpointer, DEFAULT_LOG_CHECKPOINTS, type LogCheckpointer } from './application/log-checkpoints.js'
import { createTokenSigner } from './application/signing.js'
import { checkpointSigner } from './chain/checkpoints.js'
import type { ChainLedger } from './chain/ledger.js'
import { createEventStoreDbChainLedger } from './store/eventstoredb-chain.js'
import { openSqliteChainLedger } from './store/sqlite-chain-ledger.js'
import { EventStoreDBClient } from '@eventstore/db-client'
import { createIdempotentWrites } from './application/idempotency.js'
import { createSeatSweeper, type SeatSweeper } from './application/seat-sweeper.js'
import { createSenders, type RoleWork } from './application/senders.js'
import { createServices } from './application/services.js'
import { loadSigningKey, parsePreviousSigningKeys } from './application/signing-key.js'
import { createSnapshots, noSnapshots, type Snapshots } from './application/snapshots.js'
import {
  DEFAULT_NODES_CONFIG,
  DEFAULT_SNAPSHOT_INTERVAL,
  DEFAULT_STORE_CONFIG,
  DEFAULT_WEBHOOK_CONFIG,
  eventLogPollIntervalMs,
  sharedLogReason,
  type Config,
} from './config.js'
import { DATA_FILES, keepFilesPrivate } from './data-files.js'
import { noticeSent } from './domain/deliveries/index.js'
import type { SenderRole } from './domain/leadership/index.js'
import { createApp } from './http/app.js'
import type { HealthReport } from './http/deps.js'
import type { ApiRateLimiters } from './http/deps.js'
import { createIdempotency } from './http/idempotency.js'
import { createRateLimit, type RateLimitStore } from './http/rate-limit.js'
import { createLogger } from './logger.js'
import { exposition } from './http/metrics.js'
import { countAppends } from './metrics/appends.js'
import { createMetrics, type Metrics } from './metrics/registry.js'
import { createMailer, mailerHealth } from './mail/mailer.js'
import { createMailTransport } from './mail/transport.js'
import { createReadModels } from './projections/index.js'
import { Unavailable } from './application/unavailable.js'
import { createEventStoreDbEventStore } from './store/eventstoredb.js'
import { subscriptionsCheck, withHealingSubscriptions, type HealingEventStore } from './store/healing.js'
import type { EventStore, Position } from './store/port.js'
import { withRetries } from './store/retrying.js'
import { openSqliteSnapshotStore } from './store/snapshots.js'
import { createSqliteEventStore } from './store/sqlite.js'
import { sqliteStreamRows } from './store/sqlite-stream-rows.js'
import type { SettledAttempt } from './webhooks/dispatcher.js'
import { createWebhooks, OUTBOX_FILE } from './webhooks/index.js'
import { settledBefore, settledRecord } from './webhooks/records.js'
import { webhookSecretBox } from './webhooks/secret-key.js'

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version

/** The server could not listen (the port is in use, the address is not this host's): the start fails with one clear sentence. */
const listenFailure = (host: string, port: number, cause: unknown, setting = 'PORT'): Error => {
  const code = (cause as { code?: unknown } | null)?.code
  const reasons: Readonly<Record<string, string>> = {
    EADDRINUSE: 'the port is already in use',
    EACCES: 'permission denied',
    EADDRNOTAVAIL: 'the address is not available on this host',
  }
  const reason = typeof code === 'string' && Object.hasOwn(reasons, code) ? reasons[code] : cause instanceof Error ? cause.message : String(cause)
  const which = setting === 'PORT' ? '' : ` (${setting})`
  return new Error(`cannot listen on ${host}:${port}${which}: ${reason}${typeof code === 'string' ? ` (${code})` : ''}`, { cause })
}

export interface StartOptions {
  readonly clock?: () => Date
  readonly logger?: Logger
  /** The rate limits' store (seeds 000 to 004), or one made per limit by its name; a shared one (e.g. rate-limit-redis) lets several nodes share one limit. */
  readonly rateLimitStore?: RateLimitStore
  /** Wraps the event store the engine opens (tests: counting reads, injecting faults). */
  readonly wrapStore?: (store: EventStore) => EventStore
}

export interface Running {
  readonly url: string
  readonly app: Express
  readonly server: Server
  readonly store: EventStore
  readonly adminToken: string
  /** The background job that records the expiry of lapsed seats. */
  readonly seatSweeper: SeatSweeper
  readonly metrics: Metrics
  /** Where METRICS_PORT serves /metrics without a credential; null when it is not set. */
  readonly metricsUrl: string | null
  /** Signs checkpoints of the log's hash chain. */
  readonly logCheckpoints: LogCheckpointer
  readonly stop: () => Promise<void>
}

/** The admin token: configured, or generated once and kept (readable by the owner only) in the data directory. */
const adminTokenFor = (config: Config, logger: Logger): string => {
  if (config.adminToken !== null) return config.adminToken
  const file = join(config.dataDir, DATA_FILES.adminToken)
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const token = randomBytes(32).toString('base64url')
  writeFileSync(file, `${token}\n`, { mode: 0o600 })
  logger.warn({ file }, 'LICENSING_ADMIN_TOKEN is not set: generated an admin token and saved it in this file')
  return token
}

/** This node's id: generated on first start and kept in the data directory, so that after a restart it renews its own leases. */
const nodeIdFor = (config: Config): string => {
  const file = join(config.dataDir, DATA_FILES.nodeId)
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const id = randomUUID()
  writeFileSync(file, `${id}\n`)
  return id
}

/** The embedded log's file: LICENSING_EVENT_LOG, else the data directory's. */
export const eventLogPath = (config: Config): string => config.eventLogPath ?? join(config.dataDir, DATA_FILES.eventLog)

/** The command side's snapshots, in the data directory whatever the event store: a cache each node keeps for itself. */
const snapshotsFor = (config: Config, logger: Logger): Snapshots => {
  const interval = config.snapshotIntervalEvents ?? DEFAULT_SNAPSHOT_INTERVAL
  if (interval === 0) return noSnapshots
  const path = join(config.dataDir, DATA_FILES.snapshots)
  const store = openSqliteSnapshotStore(path, (error) => logger.warn({ err: error, file: path }, 'the snapshot file is unreadable; starting it afresh'))
  return createSnapshots({ store, interval, logger })
}

export interface EngineStore extends HealingEventStore {
  /** The same store without the retries: one attempt per call, for the health check. */
  readonly unretried: EventStore
}

/**
 * The event store as the engine uses it: the configured adapter (wrapped by
 * `wrap` first, so that a test's injected faults come from below), whose
 * transient failures are retried within STORE_RETRY_BUDGET_MS and whose
 * subscriptions heal after a drop.
 */
export const openStore = (
  config: Config,
  clock: () => Date,
  options: { readonly wrap?: (store: EventStore) => EventStore; readonly logger?: Logger; readonly onCommit?: (appends: number) => void } = {},
): EngineStore => {
  const settings = config.store ?? DEFAULT_STORE_CONFIG
  const { logger } = options
  const adapter =
    config.eventStoreConnectionString !== null
      ? createEventStoreDbEventStore({
          connectionString: config.eventStoreConnectionString,
          streams: { prefix: settings.streamPrefix, legacy: settings.legacyStreamNames },
        })
      : createSqliteEventStore({
          path: eventLogPath(config),
          clock,
          pollIntervalMs: eventLogPollIntervalMs(config),
          onRetentionFailure: (error) => logger?.warn({ err: error }, 'could not delete events past their stream’s retention; trying again at the next pass'),
          ...(options.onCommit === undefined ? {} : { onCommit: options.onCommit }),
        })
  const healing = withHealingSubscriptions(options.wrap?.(adapter) ?? adapter, {
    onDrop: (error, attempt, pauseMs) =>
      logger?.warn({ err: error, attempt, resubscribeInMs: Math.round(pauseMs) }, 'event store subscription dropped; resubscribing'),
    onHealed: ({ position }) => logger?.info({ position: position?.toString() ?? null }, 'event store subscription resumed'),
  })
  const retrying = withRetries(healing, {
    budgetMs: settings.retryBudgetMs,
    exhausted: (_failure, retryAfterSeconds) => new Unavailable('The event store is not answering; try again shortly.', retryAfterSeconds),
    onRetry: (failure, attempt, pauseMs) =>
      logger?.warn({ error: failure.message, attempt, retryInMs: Math.round(pauseMs) }, 'event store unavailable; retrying'),
  })
  return { ...retrying, subscriptions: healing.subscriptions, unretried: healing }
}

/** Where the log's hash chain is kept: in the embedded log itself (at append), or by a subscriber to EventStoreDB's $all. */
const openChainLedger = async (config: Config, store: EventStore, logger: Logger): Promise<ChainLedger> => {
  if (config.eventStoreConnectionString === null) return openSqliteChainLedger(eventLogPath(config))
  const ledger = createEventStoreDbChainLedger({
    store,
    client: EventStoreDBClient.connectionString(config.eventStoreConnectionString),
    prefix: (config.store ?? DEFAULT_STORE_CONFIG).streamPrefix,
    onDrop: (error, attempt, pauseMs) =>
      logger.error({ err: error, attempt, retryInMs: Math.round(pauseMs) }, 'the log chain stopped following the log; subscribing again'),
  })
  await ledger.start()
  return ledger
}

export const start = async (config: Config, options: StartOptions = {}): Promise<Running> => {
  const clock = options.clock ?? (() => new Date())
  const logger = options.logger ?? createLogger(config.logLevel)
  keepFilesPrivate()
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 })
  const adminToken = adminTokenFor(config, logger)

  const signingKey = loadSigningKey({ pem: config.signingKey ?? null, dataDir: config.dataDir }, logger)
  const previousSigningKeys = parsePreviousSigningKeys(config.previousSigningKeys ?? null)

  const metrics = createMetrics()
  // Appends are counted above a test's wrapper, so that only what reached the log counts.
  const wrapStore = options.wrapStore
  const store = openStore(config, clock, {
    wrap: (adapter) => countAppends(wrapStore === undefined ? adapter : wrapStore(adapter), metrics),
    logger,
    onCommit: metrics.committed,
  })
  const snapshots = snapshotsFor(config, logger)
  const webhookConfig = config.webhooks ?? DEFAULT_WEBHOOK_CONFIG
  // The engine's secret key seals webhook secrets and the products' activation-token keys alike.
  const secretBox = webhookSecretBox(webhookConfig, config.dataDir, logger)
  const services = createServices({
    store,
    clock,
    adminToken,
    signingKey,
    previousSigningKeys,
    lockoutPolicy: config.lockout,
    snapshots,
    leaseHistoryRetentionDays: config.leaseHistoryRetentionDays ?? null,
    secretBox,
    ...(config.eventStoreConnectionString === null ? { storedRows: sqliteStreamRows(eventLogPath(config)) } : {}),
  })
  const chainLedger = await openChainLedger(config, store, logger)
  const checkpointer = createLogCheckpointer({
    ledger: chainLedger,
    sign: checkpointSigner(signingKey, createTokenSigner(signingKey).kid),
    clock,
    settings: { ...DEFAULT_LOG_CHECKPOINTS, ...config.logCheckpoints },
    logger,
  })
  checkpointer.start()
  // Reads wait for this process's own writes, and after a restart for the log as it stood at start.
  const headAtStart = await store.headPosition()
  const lastAppended = (): Position | null => {
    const own = services.handler.lastAppended()
    return own !== null && (headAtStart === null || own > headAtStart) ? own : headAtStart
  }
  // The command handler's cache follows the log from here on (it is empty now): a heartbeat answered from it is
  // never older than what this node has read of the log, whichever node wrote.
  const cacheFollower = createCacheFollower({ store, handler: services.handler, from: headAtStart, logger })
  cacheFollower.start()
  // The read models catch up with the log in the background (a rebuild of deleted ones too): the engine
  // listens at once, and until they have caught up, /healthz says how far they are and requests that need
  // them are answered 503 with Retry-After.
  const reads = createReadModels({ store, path: join(config.dataDir, DATA_FILES.readModels), logger, lastAppended, headAtStart })
  reads.runner.start()

  const nodes = config.nodes ?? DEFAULT_NODES_CONFIG
  // One node at a time delivers webhooks, sends the notices and sweeps seats: the one leading the role. A node
  // alone on its log leads every role it may without asking; nodes sharing a log decide it through the log.
  const roles: readonly SenderRole[] = [
    ...(webhookConfig.enabled ? (['webhooks'] as const) : []),
    ...(config.mailerEnabled ? (['mail'] as const) : []),
    'seat-sweeper',
  ]
  const senders = createSenders({
    store,
    clock,
    logger,
    snapshots,
    roles,
    shared: sharedLogReason(config) !== null,
    leaseMs: nodes.leaderLeaseMs,
    nodeId: () => nodeIdFor(config),
  })
  const { record } = senders

  const webhooks = createWebhooks({
    store,
    path: join(config.dataDir, OUTBOX_FILE),
    secretBox,
    clock,
    logger,
    settings: webhookConfig,
    userAgent: `licensing-engine/${VERSION} webhooks`,
    lastAppended: services.handler.lastAppended,
    deliver: webhookConfig.enabled,
    leading: () => senders.sends('webhooks'),
    ...(record === undefined ? {} : { record: (attempt: SettledAttempt) => record('webhooks', settledRecord(attempt)) }),
  })
  webhooks.start()

  const seatSweeper = createSeatSweeper({
    usage: services.usage,
    session: services.session,
    lapsedOrders: reads.seatLeases.ordersWithLapsedSeats,
    caughtUp: async () => {
      if (!(await reads.caughtUp())) throw new Error('the read models stopped before they caught up with the log')
      return reads.runner.waitFor(await store.headPosition(), 30_000)
    },
    clock,
    intervalMs: config.seatSweepIntervalMs ?? 30_000,
    logger,
    leading: () => senders.leads('seat-sweeper'),
  })
  // Leases that ran out while the engine was down are expired as soon as the read models say where they are,
  // without holding up the start (a decision on an order expires its lapsed seats first anyway).
  seatSweeper.sweep().catch((error: unknown) => logger.warn({ err: error }, 'the seat sweep at start did not run'))
  seatSweeper.start()
  const mailer = config.mailerEnabled
    ? createMailer({
        store,
        path: join(config.dataDir, DATA_FILES.mailer),
        transport: createMailTransport({ smtpUrl: config.smtpUrl, outboxDir: join(config.dataDir, DATA_FILES.mailOutbox), logger }),
        from: config.mailFrom,
        logger,
        clock,
        productName: async (templateId) => (await services.productTemplates.get(services.session(), templateId))?.name ?? null,
        leading: () => senders.sends('mail'),
        ...(record === undefined ? {} : { record: (key: string) => record('mail', noticeSent(key, clock())) }),
      })
    : null
  mailer?.start()
  const webhookWork: RoleWork = {
    waitFor: (position, timeoutMs) => webhooks.runner.waitFor(position, timeoutMs),
    unrecorded: (limit) => webhooks.outbox.unrecorded(limit).map((delivery) => ({ id: delivery.deliveryId, record: settledBefore(delivery) })),
    markInLog: (ids) => webhooks.outbox.markInLog(ids),
    wake: () => webhooks.wake(),
  }
  const mailWork: RoleWork | null =
    mailer === null
      ? null
      : {
          waitFor: (position, timeoutMs) => mailer.waitFor(position, timeoutMs),
          unrecorded: (limit) => mailer.unrecorded(limit).map((key) => ({ id: key, record: noticeSent(key, clock()) })),
          markInLog: (keys) => mailer.markInLog(keys),
          wake: () => mailer.wake(),
        }
  // Claims the roles (the node that finds them vacant, a node alone or restarted, leads at once), and hands each
  // role it takes, now or later, to its sender; seats whose lease ran out while no node swept are expired at once.
  await senders.start({
    webhooks: webhookConfig.enabled ? webhookWork : null,
    mail: mailWork,
    sweep: () => {
      seatSweeper.sweep().catch((error: unknown) => logger.warn({ err: error }, 'the seat sweep on taking the lead did not run'))
    },
  })

  metrics.watch({
    store,
    clock,
    positions: {
      projections: () => reads.runner.status().position,
      ...(webhookConfig.enabled ? { webhooks: () => webhooks.runner.status().position } : {}),
      ...(mailer === null ? {} : { mailer: () => mailer.status().position }),
    },
    files: { readModels: join(config.dataDir, DATA_FILES.readModels), outbox: webhookConfig.enabled ? join(config.dataDir, OUTBOX_FILE) : null },
  })

  const health = async (): Promise<HealthReport> => {
    const storeCheck = await store.unretried.headPosition().then(
      () => ({ ok: true }),
      (error: unknown) => ({ ok: false, detail: error instanceof Error ? error.message : String(error) }),
    )
    const projectionCheck = reads.health()
    const outbox = webhooks.runner.status()
    const webhookCheck = outbox.error === null ? { ok: true, detail: `at position ${outbox.position ?? 'start'}` } : { ok: false, detail: outbox.error }
    const mailerCheck = mailerHealth(mailer)
    const subscriptionCheck = subscriptionsCheck(store.subscriptions())
    const commandCacheCheck = cacheFollower.health()
    const leadershipCheck = senders.health()
    const logChainCheck = chainLedger.health()
    return {
      ok: storeCheck.ok && subscriptionCheck.ok && projectionCheck.ok && webhookCheck.ok && mailerCheck.ok && commandCacheCheck.ok && logChainCheck.ok,
      checks: {
        eventStore: storeCheck,
        subscriptions: subscriptionCheck,
        projections: projectionCheck,
        webhooks: webhookCheck,
        mailer: mailerCheck,
        commandCache: commandCacheCheck,
        leadership: leadershipCheck,
        logChain: logChainCheck,
      },
    }
  }

  const limits = config.apiRateLimits
  const limiter = (name: string, perMinute: number) =>
    perMinute > 0 ? createRateLimit({ perMinute, store: options.rateLimitStore ?? null }, clock, logger, name) : null
  const rateLimits: ApiRateLimiters | undefined =
    limits === undefined ? undefined : { rillsoft: limiter('rillsoft', limits.rillsoft), lac: limiter('lac', limits.lac), babel: limiter('babel', limits.babel) }

  const app = createApp(
    {
      services,
      reads,
      idempotency: createIdempotency(createIdempotentWrites({ handler: services.handler, clock, settings: nodes.idempotency })),
      positions: {
        reach: async (position) =>
          (
            await Promise.all([
              reads.fresh(position, nodes.logPositionWaitMs),
              webhooks.fresh(position, nodes.logPositionWaitMs),
              cacheFollower.waitFor(position, nodes.logPositionWaitMs),
            ])
          ).every((held) => held),
        head: () => store.headPosition(),
      },
      logger,
      health,
      webhooks,
      metrics,
      rateLimit: { perMinute: config.rateLimitPerMinute, store: options.rateLimitStore ?? null },
      ...(rateLimits === undefined ? {} : { rateLimits }),
      logChain: { checkpoint: checkpointer.checkpoint, read: chainLedger.read },
      ...(config.activationRateLimits === undefined ? {} : { activationRateLimits: config.activationRateLimits }),
    },
    { version: VERSION, trustProxy: config.trustProxy },
  )
  /** Everything but the server, in the order it can stop: for a stop, and for a start that could not listen. */
  const closeServices = async (): Promise<void> => {
    // The runner first: a sweep waiting for the read models to catch up is released.
    await reads.runner.stop()
    await cacheFollower.stop()
    await seatSweeper.stop()
    await webhooks.close()
    await mailer?.stop()
    // Given back once nothing of this node sends any more: another node takes over at once.
    await senders.stop()
    await reads.close()
    snapshots.close()
    await checkpointer.stop()
    await chainLedger.close()
    await store.close()
    metrics.close()
  }
  // Not app.listen: Express 5 hands a listen error to its callback as if listening had begun.
  const server = await new Promise<Server>((resolveListening, reject) => {
    const listening = createServer(app)
    listening.once('error', reject)
    listening.listen(config.port, config.host, () => {
      listening.off('error', reject)
      resolveListening(listening)
    })
  }).catch(async (error: unknown) => {
    await closeServices().catch((closing: unknown) => logger.warn({ err: closing }, 'could not close everything after the failed start'))
    throw listenFailure(config.host, config.port, error)
  })
  const { port } = server.address() as AddressInfo
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host
  logger.info({ port, dataDir: resolve(config.dataDir), store: config.eventStoreConnectionString === null ? 'sqlite' : 'eventstoredb' }, 'listening')
  // Loopback unless METRICS_HOST says otherwise: HOST=0.0.0.0, for the API, must not make the metrics public.
  const metricsHost = config.metricsHost ?? '127.0.0.1'
  const metricsServer =
    config.metricsPort === undefined || config.metricsPort === null
      ? null
      : await serveMetrics(metrics, config.metricsPort, metricsHost).catch(async (error: unknown) => {
          // As a failed listen on PORT: nothing this start opened is left running.
          await new Promise<void>((done) => server.close(() => done()))
          await closeServices().catch((closing: unknown) => logger.warn({ err: closing }, 'could not close everything after the failed start'))
          throw listenFailure(metricsHost, config.metricsPort!, error, 'METRICS_PORT')
        })
  const metricsUrl =
    metricsServer === null
      ? null
      : `http://${metricsHost === '0.0.0.0' || metricsHost === '::' ? '127.0.0.1' : metricsHost}:${(metricsServer.address() as AddressInfo).port}/metrics`
  if (metricsUrl !== null) logger.info({ host: metricsHost, port: (metricsServer!.address() as AddressInfo).port }, 'serving /metrics without a credential on METRICS_PORT')

  let stopping: Promise<void> | null = null
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      // Stop accepting, let requests in flight finish (up to the timeout), then close the store.
      if (metricsServer !== null) await new Promise<void>((done) => metricsServer.close(() => done()))
      const closed = new Promise<void>((done) => server.close(() => done()))
      server.closeIdleConnections()
      const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs)
      await closed
      clearTimeout(timer)
      await closeServices()
      logger.info('stopped')
    })())

  return { url: `http://${host}:${port}`, app, server, store, adminToken, seatSweeper, metrics, metricsUrl, logCheckpoints: checkpointer, stop }
}

/**
 * METRICS_PORT: /metrics without a credential, on a port of its own (keep it
 * off the public network: Prometheus scrapes it where the API's clients cannot).
 */
const serveMetrics = (metrics: Metrics, port: number, host: string): Promise<Server> =>
  new Promise<Server>((resolveListening, reject) => {
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Only GET /metrics is served here.\n')
        return
      }
      exposition(metrics).then(
        ({ contentType, text }) => res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' }).end(text),
        () => res.writeHead(500, { 'Content-Type': 'text/plain' }).end('The metrics could not be collected.\n'),
      )
    })
    server.once('error', reject)
    server.listen(port, host, () => resolveListening(server))
  })
