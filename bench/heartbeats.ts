// Seed 002 heartbeats (no renewal due) over real HTTP, the engine in its own
// process, against JSON echoes on the same path in the same run: raw
// node:http, Fastify and Express 5 + express.json (the framework the engine
// is written in: its ceiling). Ratios by requests per second and by requests
// per server CPU-second (less disturbed by other work on a shared machine).
// BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_ROUNDS (medians), BENCH_SEATS;
// BENCH_PROFILE=<dir> writes the engine's CPU profile there (node --cpu-prof).
import { makeTempDir } from '../test/support/tmp.js'
import { serve } from './engine.js'
import { ADMIN_TOKEN, CONNECTIONS, describe, echoServer, load, machineLoad, median, ROUNDS, SECONDS, type Measured, type Server } from './http-load.js'
import { auth, floatingLicense, heartbeatBodies, takeSeats } from './licenses.js'

const SEATS = Number(process.env.BENCH_SEATS ?? 20)
const PATH = '/v1/license/heartbeat'

export const profiled = (): string[] => (process.env.BENCH_PROFILE === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`])

const summary = (runs: readonly Measured[]): Measured => ({
  requests: median(runs.map((r) => r.requests)),
  perSecond: median(runs.map((r) => r.perSecond)),
  p50: median(runs.map((r) => r.p50)),
  p99: median(runs.map((r) => r.p99)),
  perCpuSecond: runs.every((r) => r.perCpuSecond !== null) ? median(runs.map((r) => r.perCpuSecond!)) : null,
  timeouts: runs.reduce((sum, r) => sum + r.timeouts, 0),
})

export const benchHeartbeats = async (): Promise<void> => {
  const loadBefore = machineLoad()
  const dir = makeTempDir('bench-heartbeats')
  const engine = serve(dir.path, { LICENSING_ADMIN_TOKEN: ADMIN_TOKEN }, profiled())
  const echoes: Server[] = []
  try {
    const url = await engine.listening
    for (const kind of ['raw', 'fastify', 'express'] as const) echoes.push(await echoServer(kind))
    const userKey = await floatingLicense(url, SEATS)
    const holders = await takeSeats(url, userKey, SEATS, `${SEATS} seats taken`)
    const bodies = heartbeatBodies(holders)
    const names = ['raw node:http echo', 'Fastify echo', 'Express 5 + express.json echo', 'engine heartbeat'] as const
    const runs: Measured[][] = names.map(() => [])
    for (let round = 1; round <= ROUNDS; round++) {
      const targets = [...echoes.map((e) => ({ url: e.url, pid: e.pid })), { url, pid: engine.child.pid! }]
      for (const [i, target] of targets.entries()) {
        const title = `${names[i]} (round ${round}/${ROUNDS})`
        const measured = await load(title, `${target.url}${PATH}`, target.pid, bodies, auth)
        process.stderr.write(`${describe(title, measured)}\n`)
        runs[i]!.push(measured)
      }
    }
    const [raw, fastify, express, heartbeat] = runs.map(summary) as [Measured, Measured, Measured, Measured]
    const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : Number((a / b).toFixed(2)))
    const loadAfter = machineLoad()
    console.log(`\nSeed 002 heartbeat (no renewal due), ${SEATS} seats, ${CONNECTIONS} connections, ${SECONDS} s each, ${ROUNDS} round(s) (medians), each server in its own process`)
    console.log(`  machine: before ${loadBefore}; after ${loadAfter}`)
    for (const [name, m] of [[names[0], raw], [names[1], fastify], [names[2], express], [names[3], heartbeat]] as const) console.log(describe(name, m))
    console.log(
      `  heartbeat / Express echo: ${ratio(heartbeat.perSecond, express.perSecond)}x req/s, ${ratio(heartbeat.perCpuSecond, express.perCpuSecond)}x per CPU-second; / Fastify ${ratio(heartbeat.perSecond, fastify.perSecond)}x; / raw ${ratio(heartbeat.perSecond, raw.perSecond)}x`,
    )
    console.log(
      JSON.stringify({
        bench: 'heartbeats',
        seats: SEATS,
        connections: CONNECTIONS,
        seconds: SECONDS,
        rounds: ROUNDS,
        loadBefore,
        loadAfter,
        raw,
        fastify,
        express,
        heartbeat,
        ratioToExpress: ratio(heartbeat.perSecond, express.perSecond),
        cpuRatioToExpress: ratio(heartbeat.perCpuSecond, express.perCpuSecond),
        ratioToFastify: ratio(heartbeat.perSecond, fastify.perSecond),
        ratioToRaw: ratio(heartbeat.perSecond, raw.perSecond),
      }),
    )
  } finally {
    for (const e of echoes) await e.stop()
    await engine.stop()
    dir.remove()
  }
}
