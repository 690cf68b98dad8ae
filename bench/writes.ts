// Durable seat writes over real HTTP against what SQLite itself can do, in
// the same run: seed 002's seat request + release (IN_FLIGHT connections,
// each its own machine, taking a seat and giving it back in turn) against an
// engine in its own process, and two bare loops on a file of the same kind
// (WAL, synchronous=FULL): one single-row commit at a time, and the same rows
// in batches. Then the engine is killed (SIGKILL) and its log is read: every
// write it acknowledged must be there.
import { readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import autocannon from 'autocannon'
import Database from 'better-sqlite3'
import { serve } from './engine.js'
import { progress } from './progress.js'
import { makeTempDir } from '../test/support/tmp.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3)
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 64)
const ROWS = Number(process.env.BENCH_ROWS ?? 3_000)
const BATCH = 100
const TOKEN = 'bench-admin-token-0123456789'

/** CPU seconds a process has used (user + system, all its threads), from /proc; null where there is none. */
const cpuSeconds = (pid: number | undefined): number | null => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return null
  }
}

const load = (): string => `load average ${loadavg().map((l) => l.toFixed(2)).join(', ')} on ${cpus().length} cores`

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the replies are the engine's own, read loosely here
const post = async (url: string, path: string, body: unknown): Promise<any> => {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
  return response.json()
}

/** Single-row commits on a WAL file with synchronous=FULL: one at a time, or BATCH to a transaction. */
const sqliteLoop = (label: string, batch: number): number => {
  const dir = makeTempDir('bench-writes-sqlite')
  try {
    const db = new Database(dir.file('loop.sqlite'))
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY AUTOINCREMENT, stream TEXT NOT NULL, data TEXT NOT NULL)')
    const insert = db.prepare('INSERT INTO rows (stream, data) VALUES (?, ?)')
    const many = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) insert.run(`stream-${i}`, JSON.stringify({ machineId: `machine-${i}`, n: i }))
    })
    const shown = progress(label, ROWS)
    const started = process.hrtime.bigint()
    for (let i = 0; i < ROWS; i += batch) {
      many(i, Math.min(ROWS, i + batch))
      shown.tick(Math.min(batch, ROWS - i))
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    shown.done()
    db.close()
    return ROWS / seconds
  } finally {
    dir.remove()
  }
}

/** The engine's group commits so far: how many, and the appends they held (its own metrics). */
const commitsOf = async (url: string): Promise<{ readonly commits: number; readonly appends: number } | null> => {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
  if (!response.ok) return null
  const text = await response.text()
  const figure = (name: string): number | null => {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)
    return match === null ? null : Number(match[1])
  }
  const commits = figure('licensing_store_commit_appends_count')
  const appends = figure('licensing_store_commit_appends_sum')
  return commits === null || appends === null ? null : { commits, appends }
}

interface Context {
  machine: number
  token: string
}

export const benchWrites = async (): Promise<void> => {
  console.log(`Durable seat writes: ${load()} at the start`)
  const single = sqliteLoop('SQLite, one single-row commit at a time', 1)
  const batched = sqliteLoop(`SQLite, ${BATCH} rows to a commit     `, BATCH)

  const dir = makeTempDir('bench-writes')
  const profile = process.env.BENCH_PROFILE ?? process.env.BENCH_PROFILE_DIR
  const engine = serve(
    dir.path,
    { LICENSING_ADMIN_TOKEN: TOKEN, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info' },
    profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profile}`],
  )
  try {
    const url = await engine.listening
    const customer = await post(url, '/customers', { name: 'Bench Ltd' })
    const template = await post(url, '/product-templates', { name: 'Bench', product_id: 'bench' })
    const seats = IN_FLIGHT * 2
    const order = await post(url, '/license-orders', {
      customer_id: customer.id,
      product_template_id: template.id,
      license_type: 'network',
      licensee_type: 'customer',
      hostid_match_rate: 100,
      min_hostids: 0,
      activations_allowed: seats,
      enabled: true,
      removal: false,
      Hostids: [],
      Features: [{ name: 'Bench', version: '1', expiration_type: 'no_expiration', issued_type: 'activation_time', count: seats, maintenance_type: 'no_maintenance' }],
    })
    const userKey = order.activation_key as string

    let nextMachine = 0
    let granted = 0
    let released = 0
    let refused = 0
    /** Each connection takes a seat for its machine and gives it back, in turn, for `seconds`. */
    const run = (title: string, seconds: number): Promise<autocannon.Result> =>
      new Promise<autocannon.Result>((finished, failed) => {
        const instance = autocannon(
          {
            url,
            title,
            method: 'POST',
            connections: IN_FLIGHT,
            duration: seconds,
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
            requests: [
              {
                path: '/v1/license/request',
                setupRequest: (request, context) => {
                  const c = context as Partial<Context>
                  c.machine ??= nextMachine++
                  return { ...request, body: JSON.stringify({ userKey, clientId: `client-${c.machine}`, machineId: `machine-${c.machine}` }) }
                },
                onResponse: (status, body, context) => {
                  const reply = status === 200 ? (JSON.parse(body) as { granted?: boolean; licenseToken?: string }) : {}
                  if (reply.granted === true && reply.licenseToken !== undefined) {
                    granted += 1
                    ;(context as Context).token = reply.licenseToken
                  } else refused += 1
                },
              },
              {
                path: '/v1/license/release',
                setupRequest: (request, context) => {
                  const c = context as Context
                  return { ...request, body: JSON.stringify({ licenseToken: c.token, clientId: `client-${c.machine}`, machineId: `machine-${c.machine}` }) }
                },
                onResponse: (status) => {
                  if (status === 200) released += 1
                },
              },
            ],
          },
          (error, result) => (error ? failed(error) : finished(result)),
        )
        autocannon.track(instance, { renderResultsTable: false })
      })
    // Warmed up first (the JIT, the caches), then measured; every write of both counts for durability.
    await run('warm-up', WARMUP_SECONDS)
    const warm = { granted, released }
    const commitsBefore = await commitsOf(url)
    const cpuBefore = cpuSeconds(engine.child.pid)
    const result = await run('seat request + release', SECONDS)
    const loadAfter = load()
    const cpuAfter = cpuSeconds(engine.child.pid)
    const commitsAfter = await commitsOf(url)
    const cpu = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore
    if (result.errors > 0 || result.non2xx > 0 || refused > 0) {
      throw new Error(`seat writes: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${refused} requests not granted`)
    }

    // Pulled out from under it: what it acknowledged must be in the log all the same.
    if (profile === undefined) await engine.kill()
    else await engine.stop()
    const log = new Database(dir.file('events.sqlite'), { readonly: true })
    const count = (type: string): number => (log.prepare('SELECT COUNT(*) AS n FROM events WHERE type = ?').get(type) as { n: number }).n
    const inLog = { granted: count('SeatGranted'), released: count('SeatReleased') }
    log.close()
    const lost = Math.max(0, granted - inLog.granted) + Math.max(0, released - inLog.released)

    const writes = granted - warm.granted + (released - warm.released)
    // The metrics' own reads fall outside the window; what the window committed, and how many appends each commit held.
    const grouped =
      commitsBefore === null || commitsAfter === null
        ? null
        : { commits: commitsAfter.commits - commitsBefore.commits, appends: commitsAfter.appends - commitsBefore.appends }
    const perSecond = writes / SECONDS
    const ratio = perSecond / single
    console.log(`\nSeat request + release over HTTP, ${IN_FLIGHT} in flight (a machine each), ${SECONDS} s, engine in its own process; ${loadAfter} at the end`)
    console.log(`  SQLite, one single-row commit at a time (WAL, synchronous=FULL): ${Math.round(single)} commits/s`)
    console.log(`  SQLite, the same rows ${BATCH} to a commit:                      ${Math.round(batched)} rows/s`)
    console.log(`  engine: ${Math.round(perSecond)} durable writes/s (${granted - warm.granted} grants, ${released - warm.released} releases), p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`)
    if (cpu !== null) console.log(`  the engine used ${cpu.toFixed(1)} s of CPU: ${Math.round(writes / cpu)} writes per CPU-second (${((cpu / writes) * 1000).toFixed(2)} ms a write)`)
    if (grouped !== null && grouped.commits > 0) {
      console.log(`  the log committed ${grouped.commits} times: ${(grouped.commits / writes).toFixed(3)} commits a write, ${(grouped.appends / grouped.commits).toFixed(1)} appends a commit`)
    }
    console.log(`  ${ratio.toFixed(2)}x the single-commit loop, ${(perSecond / batched).toFixed(2)}x the batched loop`)
    console.log(`  after SIGKILL the log holds ${inLog.granted} grants and ${inLog.released} releases: ${lost === 0 ? 'every acknowledged write is there' : `${lost} acknowledged writes LOST`}`)
    if (profile !== undefined) console.log(`  CPU profile of the engine in ${profile}`)
    console.log(
      JSON.stringify({
        bench: 'writes',
        seconds: SECONDS,
        inFlight: IN_FLIGHT,
        singleCommitsPerSecond: Math.round(single),
        batchedRowsPerSecond: Math.round(batched),
        writesPerSecond: Math.round(perSecond),
        grants: granted - warm.granted,
        releases: released - warm.released,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        engineCpuSeconds: cpu,
        writesPerCpuSecond: cpu === null ? null : Math.round(writes / cpu),
        commitsPerWrite: grouped === null ? null : Number((grouped.commits / writes).toFixed(3)),
        appendsPerCommit: grouped === null || grouped.commits === 0 ? null : Number((grouped.appends / grouped.commits).toFixed(1)),
        ratioToSingleCommit: Number(ratio.toFixed(3)),
        ratioToBatched: Number((perSecond / batched).toFixed(3)),
        acknowledgedLost: lost,
        loadAverage: loadavg(),
        cores: cpus().length,
      }),
    )
    if (lost > 0) process.exitCode = 1
  } finally {
    await engine.kill()
    dir.remove()
  }
}
