// Whether a license's size changes what its requests cost: heartbeats on a
// license with 2,000 live seats (BENCH_LARGE_SEATS) against heartbeats on one
// with 20, in the same engine process and run (requests per server
// CPU-second; 1.0x: the same cost), and the grants that filled the large
// license, the last tenth against the first (1.0x: filling it is linear).
// Then the same in this process, through the application layer alone
// (decision-cost.ts: no HTTP, no read models), in CPU time per call.
import { makeTempDir } from '../test/support/tmp.js'
import { decisionCost } from './decision-cost.js'
import { serve } from './engine.js'
import { profiled } from './heartbeats.js'
import { ADMIN_TOKEN, CONNECTIONS, describe, load, machineLoad, SECONDS } from './http-load.js'
import { auth, floatingLicense, heartbeatBodies, takeSeats } from './licenses.js'

const SMALL = 20
const LARGE = Number(process.env.BENCH_LARGE_SEATS ?? 2_000)

export const benchLicenseSize = async (): Promise<void> => {
  const loadBefore = machineLoad()
  const dir = makeTempDir('bench-license-size')
  const engine = serve(dir.path, { LICENSING_ADMIN_TOKEN: ADMIN_TOKEN, WEBHOOKS_ENABLED: 'false', MAILER_ENABLED: 'false' }, profiled())
  try {
    const url = await engine.listening
    const pid = engine.child.pid!
    const small = await floatingLicense(url, SMALL, 'Small')
    const large = await floatingLicense(url, LARGE, 'Large')
    const smallHolders = await takeSeats(url, small, SMALL, `${SMALL} seats taken`, 1)
    const grantMs: number[] = []
    // One at a time, so each grant's time is its own cost at that size.
    const largeHolders = await takeSeats(url, large, LARGE, `${LARGE} seats taken`, 1, (ms) => grantMs.push(ms))
    const tenth = Math.max(1, Math.floor(LARGE / 10))
    const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length
    const firstTenth = mean(grantMs.slice(0, tenth))
    const lastTenth = mean(grantMs.slice(-tenth))

    const onSmall = await load(`heartbeats, ${SMALL} seats`, `${url}/v1/license/heartbeat`, pid, heartbeatBodies(smallHolders), auth)
    process.stderr.write(`${describe(`heartbeats, ${SMALL} seats`, onSmall)}\n`)
    // As many distinct seats beating as on the small license, from the large one.
    const onLarge = await load(`heartbeats, ${LARGE} seats`, `${url}/v1/license/heartbeat`, pid, heartbeatBodies(largeHolders.slice(0, SMALL)), auth)
    process.stderr.write(`${describe(`heartbeats, ${LARGE} seats`, onLarge)}\n`)
    await engine.stop()
    process.stderr.write(`the application layer alone: filling ${LARGE} seats and ${SMALL}, then heartbeats on each\n`)
    const decisions = await decisionCost(SMALL, LARGE)
    const loadAfter = machineLoad()
    const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : Number((a / b).toFixed(2)))
    const heartbeatCostRatio = ratio(onSmall.perCpuSecond, onLarge.perCpuSecond)
    const fillRatio = Number((lastTenth / firstTenth).toFixed(2))
    console.log(`\nCost against a license's size, ${CONNECTIONS} connections, ${SECONDS} s each, one engine process (webhooks and mail off)`)
    console.log(`  machine: before ${loadBefore}; after ${loadAfter}`)
    console.log(describe(`heartbeats, ${SMALL} seats`, onSmall))
    console.log(describe(`heartbeats, ${LARGE} seats`, onLarge))
    console.log(`  a heartbeat on ${LARGE} seats costs ${heartbeatCostRatio ?? '?'}x the server CPU of one on ${SMALL} (1.0x: independent of size)`)
    console.log(`  filling ${LARGE} seats one grant at a time: first tenth ${firstTenth.toFixed(1)} ms a grant, last tenth ${lastTenth.toFixed(1)} ms: ${fillRatio}x (1.0x: linear)`)
    const grantCpuRatio = Number((decisions.grantCpuMsLastTenth / decisions.grantCpuMsFirstTenth).toFixed(2))
    const heartbeatCpuRatio = Number((decisions.heartbeatCpuMsLarge / decisions.heartbeatCpuMsSmall).toFixed(2))
    console.log(`  the application layer alone (no HTTP, no read models), CPU per call:`)
    console.log(`    a heartbeat on ${LARGE} seats ${decisions.heartbeatCpuMsLarge.toFixed(3)} ms, on ${SMALL} ${decisions.heartbeatCpuMsSmall.toFixed(3)} ms: ${heartbeatCpuRatio}x`)
    console.log(`    a grant filling ${LARGE} seats: first tenth ${decisions.grantCpuMsFirstTenth.toFixed(2)} ms, last tenth ${decisions.grantCpuMsLastTenth.toFixed(2)} ms: ${grantCpuRatio}x`)
    console.log(
      JSON.stringify({
        bench: 'license-size',
        small: SMALL,
        large: LARGE,
        loadBefore,
        loadAfter,
        heartbeatsSmall: onSmall,
        heartbeatsLarge: onLarge,
        heartbeatCostRatio,
        grantMsFirstTenth: Number(firstTenth.toFixed(2)),
        grantMsLastTenth: Number(lastTenth.toFixed(2)),
        fillRatio,
        decisions: { ...decisions, heartbeatCpuRatio, grantCpuRatio },
      }),
    )
  } finally {
    await engine.stop()
    dir.remove()
  }
}
