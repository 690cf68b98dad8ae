// The engine's Prometheus metrics (prom-client), one registry per engine so
// that several engines in one process (tests) keep their own. Counters that
// the engine moves as it works (requests, appends, commits) are updated in
// place; what the engine's files already hold (live seats, licenses, lag,
// the webhook outbox) is read when Prometheus scrapes, so the request path
// pays nothing for it.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { EventStore, Position } from '../store/port.js'
import { readOnly, type ReadOnlyFiles } from './files.js'

/** Request durations in seconds: the heartbeat path is sub-millisecond, an export may take seconds. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
/** Appends per group commit. */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]

/** What follows the log behind the API, and how far it has got. */
export type Consumer = 'projections' | 'mailer' | 'webhooks'

/** What the scrape-time metrics read: wired by the composition root once the engine's parts exist. */
export interface MetricsSources {
  readonly store: Pick<EventStore, 'headPosition' | 'readAll'>
  readonly clock: () => Date
  /** The last position each consumer has handled (null: none yet); a consumer this node does not run is absent. */
  readonly positions: Partial<Record<Consumer, () => Position | null>>
  /** The read models' and the webhook outbox's SQLite files. */
  readonly files: { readonly readModels: string; readonly outbox: string | null }
}

export interface Metrics {
  readonly registry: Registry
  /** One finished request: its route template (`/license-orders/:activation_key`; `unmatched` when no route took it). */
  readonly request: (route: string, method: string, status: number, seconds: number) => void
  /** Events this node appended, by type (after the append succeeded). */
  readonly appended: (types: readonly string[]) => void
  /** One commit of the embedded log and the appends it held (group commit). */
  readonly committed: (appends: number) => void
  /** From now on, the scrape-time metrics read these. */
  readonly watch: (sources: MetricsSources) => void
  readonly close: () => void
}

export const createMetrics = (): Metrics => {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  let sources: MetricsSources | null = null
  let files: ReadOnlyFiles | null = null

  const requests = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by route template, method and status: their duration (the _count is the number of requests).',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  })
  // One child per route, method and status, found by one string key: a request costs a lookup and an observe.
  const children = new Map<string, Histogram.Internal<'route' | 'method' | 'status'>>()

  const appendedEvents = new Counter({ name: 'licensing_events_appended_total', help: 'Events this node appended to the log, by type.', labelNames: ['type'] as const, registers: [registry] })
  const commits = new Histogram({
    name: 'licensing_store_commit_appends',
    help: 'Appends per commit of the embedded event log (group commit batch size).',
    buckets: BATCH_BUCKETS,
    registers: [registry],
  })

  const gauge = (name: string, help: string, read: (files: ReadOnlyFiles, now: Date) => number | null) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        if (files === null || sources === null) return
        const value = read(files, sources.clock())
        if (value !== null) this.set(value)
      },
    })
  gauge('licensing_live_seats', 'Floating seats whose lease has not run out.', (f, now) => f.liveSeats(now))
  gauge('licensing_live_activations', 'Node-locked activations in force (machines activated and not deactivated).', (f) => f.activations())
  gauge('licensing_licenses', 'License orders.', (f) => f.licenses())
  new Gauge({
    name: 'licensing_webhook_deliveries',
    help: 'Webhook deliveries in the outbox by outcome: pending, delivered, failed (for good), cancelled.',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      const counts = files?.deliveries() ?? null
      if (counts === null) return
      for (const outcome of ['pending', 'delivered', 'failed', 'cancelled']) this.set({ outcome }, counts[outcome] ?? 0)
    },
  })
  gauge('licensing_webhook_retry_backlog', 'Webhook deliveries waiting for a retry (pending after at least one failed attempt).', (f) => f.retryBacklog())

  /** How far behind the head each consumer is, in log positions, with the position it has reached. */
  const behind = async (): Promise<{ consumer: string; position: Position | null; behind: bigint }[]> => {
    if (sources === null) return []
    const head = await sources.store.headPosition()
    return Object.entries(sources.positions).map(([consumer, positionOf]) => {
      const position = positionOf()
      const gap = head === null ? 0n : position === null ? head : head - position
      return { consumer, position, behind: gap > 0n ? gap : 0n }
    })
  }
  new Gauge({
    name: 'licensing_lag_events',
    help: 'Log positions (events, on the embedded log) between the head of the log and what each consumer has handled.',
    labelNames: ['consumer'] as const,
    registers: [registry],
    async collect() {
      for (const { consumer, behind: gap } of await behind()) this.set({ consumer }, Number(gap))
    },
  })
  new Gauge({
    name: 'licensing_lag_seconds',
    help: 'How long the oldest event a consumer has not handled yet has been in the log (0: caught up).',
    labelNames: ['consumer'] as const,
    registers: [registry],
    async collect() {
      if (sources === null) return
      const { store, clock } = sources
      for (const { consumer, position, behind: gap } of await behind()) {
        const [next] = gap > 0n ? await store.readAll({ ...(position === null ? {} : { from: position }), maxCount: 1 }) : []
        this.set({ consumer }, next === undefined ? 0 : Math.max(0, (clock().getTime() - next.recordedAt.getTime()) / 1000))
      }
    },
  })

  return {
    registry,
    request: (route, method, status, seconds) => {
      const key = `${method} ${status} ${route}`
      let child = children.get(key)
      if (child === undefined) {
        child = requests.labels(route, method, String(status))
        children.set(key, child)
      }
      child.observe(seconds)
    },
    appended: (types) => {
      for (const type of types) appendedEvents.inc({ type })
    },
    committed: (appends) => commits.observe(appends),
    watch: (watched) => {
      sources = watched
      files = readOnly(watched.files)
    },
    close: () => {
      files?.close()
      files = null
      registry.clear()
    },
  }
}
