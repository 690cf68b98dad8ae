// Start-up against the size of the log, as a user starts the engine
// (`licensing serve` in its own process): how long until it listens and until
// /healthz answers 200, on a log of a million events with intact read models,
// against the same on an empty log in the same run (the baseline: start-up
// should not grow with the log); then, with the read models deleted, how long
// until it listens (at once) and until the rebuild is done, showing the
// rebuild's progress as /healthz reports it. Webhooks and mail are off: they
// follow the log on checkpoints of their own, and would be rebuilt too. The
// log's seat leases ran out long ago, so a first start expires them all (the
// seat sweep, beside the server); it is timed on its own, and the starts
// measured after it find nothing to sweep.
import { renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { makeTempDir } from '../test/support/tmp.js'
import { engineRoot, serve } from './engine.js'
import { replay } from './replay.js'
import { cachedLog, dataDirWith, logShape } from './replay-log.js'

const OFF = { WEBHOOKS_ENABLED: 'false', MAILER_ENABLED: 'false' }
const RUNS = 3
const TIMEOUT_MS = Number(process.env.BENCH_STARTUP_TIMEOUT_S ?? 180) * 1_000

const health = async (url: string): Promise<{ readonly status: number; readonly detail: string }> => {
  const response = await fetch(`${url}/healthz`)
  const body = (await response.json()) as { checks: { projections: { detail: string } } }
  return { status: response.status, detail: body.checks.projections.detail }
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms))

interface Start {
  readonly listenMs: number | null
  readonly healthyMs: number | null
  /** /healthz as it first answered. */
  readonly first: string | null
}

/** Starts the engine on the data directory, times listening and the first /healthz 200 (showing the read models' progress meanwhile), stops it. */
const timeStart = async (label: string, dataDir: string): Promise<Start> => {
  const started = performance.now()
  const engine = serve(dataDir, OFF)
  try {
    const url = await Promise.race([engine.listening, sleep(TIMEOUT_MS).then(() => null)])
    if (url === null) {
      process.stderr.write(`${label}: not listening after ${TIMEOUT_MS / 1000} s; gave up\n`)
      return { listenMs: null, healthyMs: null, first: null }
    }
    const listenMs = performance.now() - started
    const first = await health(url)
    let shown = performance.now()
    for (let answer = first; ; answer = await health(url)) {
      if (answer.status === 200) return { listenMs, healthyMs: performance.now() - started, first: first.detail }
      if (performance.now() - started > TIMEOUT_MS) return { listenMs, healthyMs: null, first: first.detail }
      if (performance.now() - shown > 1_000) {
        shown = performance.now()
        process.stderr.write(`${label}: /healthz ${answer.status}: ${answer.detail}\n`)
      }
      await sleep(10)
    }
  } finally {
    await engine.kill()
  }
}

/** Starts the engine and lets it work until the log stops growing and the read models hold all of it (the seat sweep done), then stops it. */
const settle = async (dataDir: string): Promise<Start> => {
  const started = performance.now()
  const engine = serve(dataDir, OFF)
  const log = new Database(join(dataDir, 'events.sqlite'), { readonly: true })
  const head = (): number => log.prepare('SELECT MAX(position) FROM events').pluck().get() as number
  try {
    const url = await engine.listening
    const listenMs = performance.now() - started
    let healthyMs: number | null = null
    let first: string | null = null
    let unchanged = 0
    let last = ''
    while (unchanged < 3 && performance.now() - started < TIMEOUT_MS) {
      const answer = await health(url)
      first ??= answer.detail
      if (answer.status === 200) healthyMs ??= performance.now() - started
      const now = `${answer.detail}, head ${head()}`
      unchanged = now === last && answer.detail === `at position ${head()}` ? unchanged + 1 : 0
      last = now
      await sleep(500)
    }
    await engine.stop()
    return { listenMs, healthyMs, first }
  } finally {
    log.close()
    await engine.kill()
  }
}

const median = (values: readonly (number | null)[]): number | null => {
  const known = values.filter((v): v is number => v !== null).sort((a, b) => a - b)
  return known.length < values.length ? null : known[Math.floor(known.length / 2)]!
}
const seconds = (ms: number | null): string => (ms === null ? 'not within the time allowed' : `${(ms / 1000).toFixed(2)} s`)

export const benchStartup = async (): Promise<void> => {
  const shape = logShape()
  const log = await cachedLog(shape)
  const empty = makeTempDir('bench-startup-empty')
  const full = makeTempDir('bench-startup-full')
  try {
    dataDirWith(log, full.path)
    process.stderr.write('building intact read models with licensing replay\n')
    const built = await replay(full.path, join(full.path, 'replayed'))
    renameSync(join(full.path, 'replayed', 'read-models.sqlite'), join(full.path, 'read-models.sqlite'))

    const runs = async (label: string, dir: string): Promise<readonly Start[]> => {
      const done: Start[] = []
      for (let i = 1; i <= RUNS; i += 1) done.push(await timeStart(`${label}, start ${i} of ${RUNS}`, dir))
      return done
    }
    const baseline = await runs('empty log', empty.path)
    process.stderr.write('a first start, which expires the lapsed seats of the log, until it is done\n')
    const sweeping = await settle(full.path)
    const intact = await runs(`${built.events} events, intact read models`, full.path)
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(full.path, `read-models.sqlite${suffix}`), { force: true })
    const deleted = await timeStart(`${built.events} events, read models deleted`, full.path)

    const figures = {
      emptyLog: { listenMs: median(baseline.map((s) => s.listenMs)), healthyMs: median(baseline.map((s) => s.healthyMs)) },
      sweeping: { listenMs: sweeping.listenMs, healthyMs: sweeping.healthyMs },
      intact: { listenMs: median(intact.map((s) => s.listenMs)), healthyMs: median(intact.map((s) => s.healthyMs)) },
      deleted: { listenMs: deleted.listenMs, healthyMs: deleted.healthyMs, firstHealth: deleted.first },
    }
    console.log(`\nStart-up of licensing serve, engine at ${engineRoot()} (webhooks and mail off), median of ${RUNS} starts`)
    console.log(`  empty log:                          listening after ${seconds(figures.emptyLog.listenMs)}, /healthz 200 after ${seconds(figures.emptyLog.healthyMs)}`)
    console.log(`  ${built.events} events, intact, lapsed seats to sweep (one start): listening after ${seconds(sweeping.listenMs)}, /healthz 200 after ${seconds(sweeping.healthyMs)}`)
    console.log(`  ${built.events} events, read models intact: listening after ${seconds(figures.intact.listenMs)}, /healthz 200 after ${seconds(figures.intact.healthyMs)}`)
    console.log(`  ${built.events} events, read models deleted: listening after ${seconds(deleted.listenMs)}, rebuilt (/healthz 200) after ${seconds(deleted.healthyMs)}`)
    if (deleted.first !== null) console.log(`    its first /healthz: ${deleted.first}`)
    console.log(JSON.stringify({ bench: 'startup', engine: engineRoot(), events: built.events, ...figures }))
  } finally {
    empty.remove()
    full.remove()
  }
}
