// Seed 002's info on a license with 1,000 live seats (BENCH_INFO_SEATS), the
// engine in its own process: every seat is listed with its token, which was
// signed when the seat was granted and is kept, not signed again per call.
// Baseline in the same run: info on a license with no seats.
// BENCH_BEFORE=<checkout> starts that checkout's engine too, with the same
// licenses, and times both in turn, block by block (BENCH_ROUNDS rounds,
// default 3): a change's before and after under the same load.
// BENCH_PROFILE=<dir> writes the engine's CPU profile there (node --cpu-prof).
import { setTimeout as sleep } from 'node:timers/promises'
import { makeTempDir, type TempDir } from '../test/support/tmp.js'
import { serve, type Served } from './engine.js'
import { ADMIN_TOKEN, cpuMsOf, machineLoad, median } from './http-load.js'
import { profiled } from './heartbeats.js'
import { auth, floatingLicense, post, takeSeats } from './licenses.js'
import { progress } from './progress.js'

const SEATS = Number(process.env.BENCH_INFO_SEATS ?? 1_000)
const CALLS = Number(process.env.BENCH_INFO_CALLS ?? 30)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const BEFORE = process.env.BENCH_BEFORE
const TARGET_MS = 20

const percentile = (values: readonly number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!
const round = (ms: number): number => Number(ms.toFixed(1))

/** One block of `CALLS` info calls one after another: each one's wall time, and the server's CPU time over the block. */
const timeInfo = async (url: string, pid: number, userKey: string, label: string, expectTokens: number) => {
  const times: number[] = []
  const shown = progress(label, CALLS)
  const cpuBefore = cpuMsOf(pid)
  for (let i = 0; i < CALLS; i++) {
    // Timed to the last byte of the answer; read as JSON (and checked) only on the first and last call, so the
    // benchmark's own parsing of a megabyte stays out of the figure.
    const started = performance.now()
    const response = await fetch(`${url}/v1/license/info`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ userKey }) })
    const body = await response.arrayBuffer()
    times.push(performance.now() - started)
    if (i === 0 || i === CALLS - 1) {
      const info = JSON.parse(Buffer.from(body).toString('utf8'))
      if (!response.ok || info.licenseTokens.length !== expectTokens || info.licenseTokens.some((t: { token: string | null }) => t.token === null)) {
        throw new Error(`${label}: ${response.status}, ${info.licenseTokens?.length} tokens listed, ${expectTokens} expected, each with its token`)
      }
    }
    shown.tick()
  }
  shown.done()
  const cpuAfter = cpuMsOf(pid)
  return { times, cpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore }
}

type Block = Awaited<ReturnType<typeof timeInfo>>

/** Every block of one engine on one license, summed up: median and p90 of the calls, server CPU per call. */
const summary = (blocks: readonly Block[]) => {
  const times = blocks.flatMap((b) => b.times)
  const cpu = blocks.every((b) => b.cpuMs !== null) ? blocks.reduce((sum, b) => sum + b.cpuMs!, 0) / times.length : null
  return { medianMs: round(median(times)), p90Ms: round(percentile(times, 0.9)), serverCpuMsPerCall: cpu === null ? null : round(cpu) }
}
type Summary = ReturnType<typeof summary>

/** Until the engine is idle (the read models caught up on the grants): under 5 ms of CPU in 250 ms, or 15 s at most. */
const settled = async (pid: number): Promise<void> => {
  for (let i = 0; i < 60; i++) {
    const before = cpuMsOf(pid)
    await sleep(250)
    const after = cpuMsOf(pid)
    if (before === null || after === null || after - before < 5) return
  }
}

interface Target {
  readonly name: string
  readonly url: string
  readonly pid: number
  readonly empty: string
  readonly full: string
}

/** An engine with an empty license and one whose `SEATS` seats are all taken. */
const prepared = async (name: string, engine: Served): Promise<Target> => {
  const url = await engine.listening
  const empty = await floatingLicense(url, SEATS, 'Empty')
  const full = await floatingLicense(url, SEATS, 'Full')
  await takeSeats(url, full, SEATS, `${name}: ${SEATS} seats taken`)
  await settled(engine.child.pid!)
  // A first call each: what a process does once (loading the streams into its cache) is not what a call costs.
  await post(url, '/v1/license/info', { userKey: empty })
  await post(url, '/v1/license/info', { userKey: full })
  return { name, url, pid: engine.child.pid!, empty, full }
}

export const benchInfo = async (): Promise<void> => {
  const loadBefore = machineLoad()
  const dirs: TempDir[] = []
  const engines: Served[] = []
  const started = (root?: string): Served => {
    const dir = makeTempDir('bench-info')
    dirs.push(dir)
    const env = { LICENSING_ADMIN_TOKEN: ADMIN_TOKEN, WEBHOOKS_ENABLED: 'false', MAILER_ENABLED: 'false' }
    const engine = root === undefined ? serve(dir.path, env, profiled()) : serve(dir.path, env, [], root)
    engines.push(engine)
    return engine
  }
  try {
    const targets = [await prepared('engine', started())]
    if (BEFORE !== undefined) targets.push(await prepared('before', started(BEFORE)))
    const blocks = targets.map(() => ({ empty: [] as Block[], full: [] as Block[] }))
    for (let r = 1; r <= ROUNDS; r++) {
      for (const [i, t] of targets.entries()) {
        blocks[i]!.empty.push(await timeInfo(t.url, t.pid, t.empty, `${t.name}, info, no seats (round ${r}/${ROUNDS})`, 0))
        blocks[i]!.full.push(await timeInfo(t.url, t.pid, t.full, `${t.name}, info, ${SEATS} live seats (round ${r}/${ROUNDS})`, SEATS))
      }
    }
    const measured = blocks.map((b) => ({ baseline: summary(b.empty), seated: summary(b.full) }))
    const loadAfter = machineLoad()
    console.log(`\nSeed 002 info, ${CALLS} calls one after another per block, ${ROUNDS} round(s), engine in its own process (webhooks and mail off)`)
    console.log(`  machine: before ${loadBefore}; after ${loadAfter}`)
    const line = (name: string, m: Summary) =>
      console.log(`  ${name.padEnd(32)} median ${m.medianMs} ms, p90 ${m.p90Ms} ms, server CPU ${m.serverCpuMsPerCall ?? '?'} ms per call`)
    for (const [i, t] of targets.entries()) {
      line(`${t.name}: no seats (baseline)`, measured[i]!.baseline)
      line(`${t.name}: ${SEATS} live seats`, measured[i]!.seated)
    }
    const { baseline, seated } = measured[0]!
    const before = measured[1] ?? null
    const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null || b === 0 ? null : Number((a / b).toFixed(2)))
    console.log(`  ${SEATS} seats: ${seated.medianMs <= TARGET_MS ? 'within' : 'over'} the ${TARGET_MS} ms target (median); ${(seated.medianMs / baseline.medianMs).toFixed(1)}x the empty license`)
    if (before !== null) {
      console.log(
        `  against the engine before: ${ratio(seated.medianMs, before.seated.medianMs)}x its median, ${ratio(seated.serverCpuMsPerCall, before.seated.serverCpuMsPerCall)}x its server CPU per call (${SEATS} seats)`,
      )
    }
    console.log(
      JSON.stringify({
        bench: 'info',
        seats: SEATS,
        calls: CALLS,
        rounds: ROUNDS,
        loadBefore,
        loadAfter,
        baseline,
        seated,
        targetMs: TARGET_MS,
        ratioToEmpty: Number((seated.medianMs / baseline.medianMs).toFixed(2)),
        ...(before === null
          ? {}
          : {
              before,
              ratioToBefore: { medianMs: ratio(seated.medianMs, before.seated.medianMs), serverCpuMsPerCall: ratio(seated.serverCpuMsPerCall, before.seated.serverCpuMsPerCall) },
            }),
      }),
    )
  } finally {
    await Promise.all(engines.map((e) => e.stop()))
    for (const dir of dirs) dir.remove()
  }
}
