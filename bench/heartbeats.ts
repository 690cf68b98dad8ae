// Seed 002 heartbeats (no renewal due) over real HTTP, the engine in its own
// process, against JSON echoes on the same path in the same run: raw
// node:http, Fastify and Express 5 + express.json (the framework the engine
// is written in: its ceiling). Ratios by requests per second and by requests
// per server CPU-second (less disturbed by other work on a shared machine).
// BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_ROUNDS (medians), BENCH_SEATS;
// BENCH_PROFILE=<dir> writes the engine's CPU profile there (node --cpu-prof);
// BENCH_BEFORE=<checkout> loads that checkout's engine too, in turn with the
// others (a change's before and after, under the same load).
import { makeTempDir } from '../test/support/tmp.js'
import { serve } from './engine.js'
import { ADMIN_TOKEN, CONNECTIONS, describe, echoServer, load, machineLoad, median, ROUNDS, SECONDS, type Measured, type Server } from './http-load.js'
import { auth, floatingLicense, heartbeatBodies, takeSeats } from './licenses.js'

const SEATS = Number(process.env.BENCH_SEATS ?? 20)
const BEFORE = process.env.BENCH_BEFORE
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
  const beforeDir = BEFORE === undefined ? null : makeTempDir('bench-heartbeats-before')
  const before = BEFORE === undefined || beforeDir === null ? null : serve(beforeDir.path, { LICENSING_ADMIN_TOKEN: ADMIN_TOKEN }, [], BEFORE)
  const echoes: Server[] = []
  try {
    const url = await engine.listening
    for (const kind of ['raw', 'fastify', 'express'] as const) echoes.push(await echoServer(kind))
    const seated = async (at: string) => heartbeatBodies(await takeSeats(at, await floatingLicense(at, SEATS), SEATS, `${SEATS} seats taken`))
    const bodies = await seated(url)
    const beforeTarget = before === null ? null : { url: await before.listening, pid: before.child.pid! }
    const beforeBodies = beforeTarget === null ? [] : await seated(beforeTarget.url)
    const names = ['raw node:http echo', 'Fastify echo', 'Express 5 + express.json echo', 'engine heartbeat', 'engine heartbeat before'] as const
    const runs: Measured[][] = names.map(() => [])
    for (let round = 1; round <= ROUNDS; round++) {
      const targets = [...echoes.map((e) => ({ url: e.url, pid: e.pid, bodies })), { url, pid: engine.child.pid!, bodies }, ...(beforeTarget === null ? [] : [{ ...beforeTarget, bodies: beforeBodies }])]
      for (const [i, target] of targets.entries()) {
        const title = `${names[i]} (round ${round}/${ROUNDS})`
        const measured = await load(title, `${target.url}${PATH}`, target.pid, target.bodies, auth)
        process.stderr.write(`${describe(title, measured)}\n`)
        runs[i]!.push(measured)
      }
    }
    const [raw, fastify, express, heartbeat] = runs.map((r) => (r.length === 0 ? null : summary(r))) as [Measured, Measured, Measured, Measured]
    const beforeHeartbeat = runs[4]!.length === 0 ? null : summary(runs[4]!)
    const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : Number((a / b).toFixed(2)))
    const loadAfter = machineLoad()
    console.log(`\nSeed 002 heartbeat (no renewal due), ${SEATS} seats, ${CONNECTIONS} connections, ${SECONDS} s each, ${ROUNDS} round(s) (medians), each server in its own process`)
    console.log(`  machine: before ${loadBefore}; after ${loadAfter}`)
    for (const [name, m] of [[names[0], raw], [names[1], fastify], [names[2], express], [names[3], heartbeat]] as const) console.log(describe(name, m))
    if (beforeHeartbeat !== null) console.log(describe(`${names[4]} (${BEFORE})`, beforeHeartbeat))
    console.log(
      `  heartbeat / Express echo: ${ratio(heartbeat.perSecond, express.perSecond)}x req/s, ${ratio(heartbeat.perCpuSecond, express.perCpuSecond)}x per CPU-second; / Fastify ${ratio(heartbeat.perSecond, fastify.perSecond)}x; / raw ${ratio(heartbeat.perSecond, raw.perSecond)}x`,
    )
    if (beforeHeartbeat !== null)
      console.log(
        `  before / Express echo: ${ratio(beforeHeartbeat.perCpuSecond, express.perCpuSecond)}x per CPU-second; after / before: ${ratio(heartbeat.perCpuSecond, beforeHeartbeat.perCpuSecond)}x per CPU-second`,
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
        ...(beforeHeartbeat === null
          ? {}
          : { before: { engine: BEFORE, heartbeat: beforeHeartbeat, cpuRatioToExpress: ratio(beforeHeartbeat.perCpuSecond, express.perCpuSecond), cpuRatioToBefore: ratio(heartbeat.perCpuSecond, beforeHeartbeat.perCpuSecond) } }),
      }),
    )
  } finally {
    for (const e of echoes) await e.stop()
    await engine.stop()
    await before?.stop()
    dir.remove()
    beforeDir?.remove()
  }
}
