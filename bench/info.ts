// Seed 002's info on a license with 1,000 live seats (BENCH_INFO_SEATS), the
// engine in its own process: every seat is listed with its token, which was
// signed when the seat was granted and is kept, not signed again per call.
// Baseline in the same run: info on a license with no seats.
import { makeTempDir } from '../test/support/tmp.js'
import { serve } from './engine.js'
import { ADMIN_TOKEN, cpuMsOf, machineLoad, median } from './http-load.js'
import { profiled } from './heartbeats.js'
import { auth, floatingLicense, post, takeSeats } from './licenses.js'
import { progress } from './progress.js'

const SEATS = Number(process.env.BENCH_INFO_SEATS ?? 1_000)
const CALLS = Number(process.env.BENCH_INFO_CALLS ?? 30)
const TARGET_MS = 20

const percentile = (values: readonly number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!

/** `CALLS` info calls one after another: each one's wall time, and the server's CPU time per call. */
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
  const round = (ms: number): number => Number(ms.toFixed(1))
  return {
    medianMs: round(median(times)),
    p90Ms: round(percentile(times, 0.9)),
    serverCpuMsPerCall: cpuBefore === null || cpuAfter === null ? null : round((cpuAfter - cpuBefore) / CALLS),
  }
}

export const benchInfo = async (): Promise<void> => {
  const loadBefore = machineLoad()
  const dir = makeTempDir('bench-info')
  const engine = serve(dir.path, { LICENSING_ADMIN_TOKEN: ADMIN_TOKEN, WEBHOOKS_ENABLED: 'false', MAILER_ENABLED: 'false' }, profiled())
  try {
    const url = await engine.listening
    const pid = engine.child.pid!
    const empty = await floatingLicense(url, SEATS, 'Empty')
    const full = await floatingLicense(url, SEATS, 'Full')
    await takeSeats(url, full, SEATS, `${SEATS} seats taken`)
    await post(url, '/v1/license/info', { userKey: empty })
    const baseline = await timeInfo(url, pid, empty, 'info, no seats', 0)
    const seated = await timeInfo(url, pid, full, `info, ${SEATS} live seats`, SEATS)
    const loadAfter = machineLoad()
    console.log(`\nSeed 002 info, ${CALLS} calls one after another, engine in its own process (webhooks and mail off)`)
    console.log(`  machine: before ${loadBefore}; after ${loadAfter}`)
    for (const [name, m] of [['no seats (baseline)', baseline], [`${SEATS} live seats`, seated]] as const) {
      console.log(`  ${name.padEnd(22)} median ${m.medianMs} ms, p90 ${m.p90Ms} ms, server CPU ${m.serverCpuMsPerCall ?? '?'} ms per call`)
    }
    console.log(`  ${SEATS} seats: ${seated.medianMs <= TARGET_MS ? 'within' : 'over'} the ${TARGET_MS} ms target (median); ${(seated.medianMs / baseline.medianMs).toFixed(1)}x the empty license`)
    console.log(JSON.stringify({ bench: 'info', seats: SEATS, calls: CALLS, loadBefore, loadAfter, baseline, seated, targetMs: TARGET_MS, ratioToEmpty: Number((seated.medianMs / baseline.medianMs).toFixed(2)) }))
  } finally {
    await engine.stop()
    dir.remove()
  }
}
