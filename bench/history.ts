// `npm run bench -- history`: what years of floating-seat traffic cost a
// license. A license with 100 floating seats, each held by its own client that
// heartbeats at the default interval, lives for a simulated number of days
// (BENCH_HISTORY_DAYS, default "15,30": two lengths, to show what grows with
// them and what does not). It is decided by the engine's own application layer
// with a test clock, as a running engine would decide it, never by writing
// events by hand. Then, for each length, it reports the events in the license
// stream and in the whole log, the bytes on disk, and the first request on that
// license after a restart (a new store handle and a new command handler with an
// empty cache, the snapshots the engine kept on disk).
//
// The baseline in the same run: the same license decided by the engine as it
// was before renewals left the license stream (BASELINE_COMMIT, checked out
// beside this one; or BENCH_HISTORY_BASELINE=<checkout>). Its first request is
// reported twice: from its snapshots, and folding the stream from the start
// (what a node without snapshots, or after a state version change, pays).
//
// The log is decided on tmpfs (/dev/shm), where an fsync costs nothing, so the
// build takes minutes rather than hours, then copied to disk for the figures.
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { progress } from './progress.js'

/** The last commit whose license stream held every renewal: the "old way". */
export const BASELINE_COMMIT = 'decb8c8'

export const SEATS = 100
export const HEARTBEAT_MS = 60_000
const RESTARTS = 5
export const START = new Date('2026-01-05T08:00:00.000Z')
const here = resolve(fileURLToPath(new URL('..', import.meta.url)))

const days = (): readonly number[] => (process.env.BENCH_HISTORY_DAYS ?? '15,30').split(',').map(Number).filter((n) => n > 0)

/** What the bench needs of an engine checkout: its own modules, imported from its sources. */
export interface Engine {
  readonly root: string
  readonly createServices: (options: Record<string, unknown>) => any
  readonly createSqliteEventStore: (options: { path: string; clock?: () => Date }) => any
  readonly createSnapshots: (options: Record<string, unknown>) => any
  readonly openSqliteSnapshotStore: (path: string) => any
  readonly createLogger: (level: string) => unknown
  readonly snapshotInterval: number
  readonly orderStream: (orderId: string) => string
  /** The test fixtures' seed 001 terms, as 100 floating seats. */
  readonly terms: Record<string, unknown>
}

export const loadEngine = async (root: string): Promise<Engine> => {
  const from = (path: string) => import(join(root, 'src', path))
  const [services, sqlite, snapshots, snapshotStore, logger, config, order, fixtures] = await Promise.all([
    from('application/services.ts'),
    from('store/sqlite.ts'),
    from('application/snapshots.ts'),
    from('store/snapshots.ts'),
    from('logger.ts'),
    from('config.ts'),
    from('domain/order/index.ts'),
    import(join(root, 'test/domain/fixtures.ts')),
  ])
  return {
    root,
    createServices: services.createServices,
    createSqliteEventStore: sqlite.createSqliteEventStore,
    createSnapshots: snapshots.createSnapshots,
    openSqliteSnapshotStore: snapshotStore.openSqliteSnapshotStore,
    createLogger: logger.createLogger,
    snapshotInterval: config.DEFAULT_SNAPSHOT_INTERVAL,
    orderStream: order.orderStream,
    terms: { ...fixtures.seedTerms, activations_allowed: SEATS, deactivations_allowed: null, description: 'Floating licence, 100 seats, used around the clock' },
  }
}

/** The baseline checkout: given, or BASELINE_COMMIT checked out in a temporary directory sharing this one's node_modules. */
const baselineRoot = (): { readonly root: string; readonly remove: () => void } => {
  const given = process.env.BENCH_HISTORY_BASELINE
  if (given !== undefined && given !== '') return { root: resolve(given), remove: () => undefined }
  const root = mkdtempSync(join(tmpdir(), 'bench-history-baseline-'))
  execFileSync('git', ['-C', here, 'worktree', 'add', '--detach', '--force', root, BASELINE_COMMIT], { stdio: 'ignore' })
  symlinkSync(join(here, 'node_modules'), join(root, 'node_modules'))
  return {
    root,
    remove: () => {
      execFileSync('git', ['-C', here, 'worktree', 'remove', '--force', root], { stdio: 'ignore' })
      rmSync(root, { recursive: true, force: true })
    },
  }
}

const right = <A>(either: { _tag: string; left?: unknown; right?: A }, what: string): A => {
  if (either._tag === 'Left') throw new Error(`${what} failed: ${JSON.stringify(either.left)}`)
  return either.right as A
}

const admin = { credentialId: 'admin-token', scope: { kind: 'admin' } }
const meta = { actor: 'bench', correlationId: 'bench', causationId: null, requestId: null, clientIp: null, idempotencyKey: null }
export interface Built {
  readonly dir: string
  readonly orderId: string
  readonly seats: ReadonlyArray<{ readonly seatId: string; readonly clientId: string; readonly machineId: string }>
  readonly heartbeats: number
}

const who = (client: number) => ({ clientId: `client-${client}`, machineId: `machine-${client}` })

/** Decides the license's life on tmpfs: 100 seats granted, then every seat beats every minute for `length` days. */
const build = async (engine: Engine, label: string, length: number): Promise<Built> => {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'bench-history-'))
  let now = START.getTime()
  const clock = () => new Date(now)
  const store = engine.createSqliteEventStore({ path: join(dir, 'events.sqlite'), clock })
  const snapshots = engine.createSnapshots({ store: engine.openSqliteSnapshotStore(join(dir, 'snapshots.sqlite')), interval: engine.snapshotInterval, logger: engine.createLogger('silent') })
  const services = engine.createServices({ store, clock, adminToken: null, snapshots })
  const session = () => services.session()
  const profile = { name: 'Build farm Inc', description: null, phone_number: null, fax_number: null, street: null, city: null, country: null, zip_code: null, state: null, Contacts: [], CustomTags: [] }
  right(await services.customers.create(session(), { type: 'CreateCustomer', profile }, meta), 'customer')
  right(await services.productTemplates.create(session(), { type: 'CreateProductTemplate', name: 'Compiler', productId: '1' }, meta), 'template')
  const { orderId } = right<{ orderId: string }>(await services.orders.create(session(), admin, { terms: engine.terms, activationKey: null }, meta), 'order')
  const seats = []
  for (let client = 0; client < SEATS; client += 1) {
    const requested = right<{ seat: { seatId: string } | null }>(
      await services.usage.request(session(), { type: 'RequestSeat', orderId, ...who(client), clientName: 'build agent', clientAddr: null }, meta),
      'request',
    )
    if (requested.seat === null) throw new Error(`seat ${client} was refused`)
    seats.push({ seatId: requested.seat.seatId, ...who(client) })
  }
  const minutes = length * 24 * 60
  const shown = progress(`${label}: ${length} days of 100 seats heartbeating every minute`, minutes * SEATS)
  let heartbeats = 0
  for (let minute = 0; minute < minutes; minute += 1) {
    now += HEARTBEAT_MS
    for (const seat of seats) {
      const beat = right<{ seat: unknown }>(await services.usage.heartbeat(session(), { type: 'HeartbeatSeat', orderId, ...seat }, meta), 'heartbeat')
      if (beat.seat === null) throw new Error(`${seat.clientId} lost its seat at minute ${minute}`)
      heartbeats += 1
    }
    shown.tick(SEATS)
  }
  shown.done()
  snapshots.close()
  await store.close()
  return { dir, orderId, seats, heartbeats }
}

const bytesOf = (dir: string): number =>
  ['events.sqlite', 'events.sqlite-wal', 'snapshots.sqlite', 'snapshots.sqlite-wal'].map((name) => join(dir, name)).filter(existsSync).reduce((sum, path) => sum + statSync(path).size, 0)

/** Copies the built files to disk (the copy is what is measured), removing the tmpfs ones. */
const toDisk = (built: Built, into?: string): Built => {
  const dir = into ?? mkdtempSync(join(tmpdir(), 'bench-history-disk-'))
  mkdirSync(dir, { recursive: true })
  for (const name of ['events.sqlite', 'snapshots.sqlite']) if (existsSync(join(built.dir, name))) copyFileSync(join(built.dir, name), join(dir, name))
  rmSync(built.dir, { recursive: true, force: true })
  return { ...built, dir }
}

const countEvents = (dir: string, orderStreamName: string): { readonly total: number; readonly license: number; readonly streams: number } => {
  const db = new Database(join(dir, 'events.sqlite'), { readonly: true })
  try {
    const total = (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n
    const license = (db.prepare('SELECT count(*) AS n FROM events WHERE stream = ?').get(orderStreamName) as { n: number }).n
    const streams = (db.prepare('SELECT count(DISTINCT stream) AS n FROM events').get() as { n: number }).n
    return { total, license, streams }
  } finally {
    db.close()
  }
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** The first request on the license after a restart: a heartbeat of one of its seats, on a new store handle and an empty cache. */
const firstRequest = async (engine: Engine, built: Built, withSnapshots: boolean): Promise<number> => {
  const times: number[] = []
  // Folding millions of events takes seconds each time: once is enough to tell.
  const restarts = withSnapshots ? RESTARTS : 1
  // A second after the last beat: no renewal is due, so the request reads and writes nothing but its load, and the kept log stays as built.
  const end = new Date(START.getTime() + HEARTBEAT_MS * (built.heartbeats / SEATS) + 1_000)
  for (let restart = 0; restart < restarts; restart += 1) {
    const store = engine.createSqliteEventStore({ path: join(built.dir, 'events.sqlite'), clock: () => end })
    const snapshots = withSnapshots
      ? engine.createSnapshots({ store: engine.openSqliteSnapshotStore(join(built.dir, 'snapshots.sqlite')), interval: engine.snapshotInterval, logger: engine.createLogger('silent') })
      : undefined
    const services = engine.createServices({ store, clock: () => end, adminToken: null, snapshots })
    const seat = built.seats[restart % built.seats.length]!
    const started = performance.now()
    const beat = right<{ seat: unknown }>(await services.usage.heartbeat(services.session(), { type: 'HeartbeatSeat', orderId: built.orderId, ...seat }, meta), 'first heartbeat')
    times.push(performance.now() - started)
    if (beat.seat === null) throw new Error('the seat did not survive the restart')
    snapshots?.close()
    await store.close()
  }
  return median(times)
}

interface Figures {
  readonly days: number
  readonly heartbeats: number
  readonly licenseStreamEvents: number
  readonly totalEvents: number
  readonly streams: number
  readonly bytesOnDisk: number
  readonly firstRequestMs: number
  readonly firstRequestWithoutSnapshotsMs?: number
}

/**
 * The baseline's license is the same on every run (a fixed commit), and deciding
 * it takes longest: it is built once and kept (BENCH_HISTORY_CACHE, default in
 * the system's temporary directory), as the replay bench keeps its log. What is
 * timed is timed anew in every run.
 */
export const cached = async (engine: Engine, label: string, length: number, key: string): Promise<Built> => {
  const dir = join(process.env.BENCH_HISTORY_CACHE ?? join(tmpdir(), 'licensing-bench-history'), `${key}-${length}d`)
  const about = join(dir, 'built.json')
  if (existsSync(about)) {
    console.log(`${label}, ${length} days: the license built in an earlier run, kept in ${dir}`)
    return { ...(JSON.parse(readFileSync(about, 'utf8')) as Omit<Built, 'dir'>), dir }
  }
  const built = toDisk(await build(engine, label, length), dir)
  const { dir: _dir, ...kept } = built
  writeFileSync(about, JSON.stringify(kept))
  return built
}

const measure = async (engine: Engine, label: string, length: number, withoutSnapshots: boolean, cacheKey?: string): Promise<Figures> => {
  const built = cacheKey === undefined ? toDisk(await build(engine, label, length)) : await cached(engine, label, length, cacheKey)
  try {
    const counts = countEvents(built.dir, engine.orderStream(built.orderId))
    const figures: Figures = {
      days: length,
      heartbeats: built.heartbeats,
      licenseStreamEvents: counts.license,
      totalEvents: counts.total,
      streams: counts.streams,
      bytesOnDisk: bytesOf(built.dir),
      firstRequestMs: Number((await firstRequest(engine, built, true)).toFixed(2)),
      ...(withoutSnapshots ? { firstRequestWithoutSnapshotsMs: Number((await firstRequest(engine, built, false)).toFixed(2)) } : {}),
    }
    console.log(
      `${label}, ${length} days: ${figures.heartbeats} heartbeats; license stream ${figures.licenseStreamEvents} events; log ${figures.totalEvents} events in ${figures.streams} streams; ` +
        `${(figures.bytesOnDisk / 1048576).toFixed(1)} MiB on disk; first request after a restart ${figures.firstRequestMs} ms` +
        (figures.firstRequestWithoutSnapshotsMs !== undefined ? ` (${figures.firstRequestWithoutSnapshotsMs} ms folding the stream without snapshots)` : ''),
    )
    return figures
  } finally {
    if (cacheKey === undefined) rmSync(built.dir, { recursive: true, force: true })
  }
}

export const benchHistory = async (): Promise<void> => {
  const lengths = days()
  const current = await loadEngine(here)
  const baseline = baselineRoot()
  try {
    const old = await loadEngine(baseline.root)
    const now: Figures[] = []
    const before: Figures[] = []
    // The old way is as slow to decide as it is to load: its longest length only.
    before.push(await measure(old, `baseline ${BASELINE_COMMIT}`, Math.max(...lengths), true, BASELINE_COMMIT))
    for (const length of lengths) now.push(await measure(current, 'this engine', length, false))
    console.log(JSON.stringify({ bench: 'history', seats: SEATS, heartbeatSeconds: HEARTBEAT_MS / 1000, current: now, baseline: { commit: BASELINE_COMMIT, figures: before } }))
  } finally {
    baseline.remove()
  }
}
