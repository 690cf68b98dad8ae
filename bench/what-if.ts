// `npm run bench -- what-if`: what-if replay of a seat policy at replay speed.
// The license is history.ts's: 100 floating seats, each held by its own client
// that heartbeats every minute, decided by the engine's own application layer
// with a test clock for a simulated month (BENCH_WHAT_IF_DAYS, default 30; a
// shorter period for a quick run). The log is built once and kept, as the
// history bench keeps its baseline's (BENCH_HISTORY_CACHE); what is timed is
// timed anew in every run.
//
// Timed: the what-if of that month (createWhatIf().run, as POST
// /reports/what-if and `licensing what-if` call it on the embedded log, with
// its table's rows: sqlite-stream-rows.ts), which reads the period and
// replays it under the policy in force and under a proposed one (80 seats). The baseline in the same run: a raw scan of the same events table
// (SELECT every row, JSON.parse its data and metadata), as bench/replay.ts
// scans, before and after the what-if.
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadavg } from 'node:os'
import { createWhatIf } from '../src/application/what-if.js'
import { createSqliteEventStore } from '../src/store/sqlite.js'
import { sqliteStreamRows } from '../src/store/sqlite-stream-rows.js'
import { cached, HEARTBEAT_MS, loadEngine, SEATS, START } from './history.js'
import { progress, type Progress } from './progress.js'
import { cpuMs, rawScan } from './raw-scan.js'

const here = fileURLToPath(new URL('..', import.meta.url))
const PROPOSED_SEATS = 80


/** The what-if's progress shown as the bench shows any, and the time each phase took. */
const phases = () => {
  const took = new Map<string, { wall: number; cpu: number }>()
  let current: { phase: string; shown: Progress; done: number; started: number; cpu: number } | null = null
  const finish = (): void => {
    if (current === null) return
    current.shown.done()
    const before = took.get(current.phase) ?? { wall: 0, cpu: 0 }
    took.set(current.phase, { wall: before.wall + (performance.now() - current.started) / 1000, cpu: before.cpu + (cpuMs() - current.cpu) / 1000 })
    current = null
  }
  const onProgress = (phase: string, done: number, total: number): void => {
    if (current?.phase !== phase) {
      finish()
      current = { phase, shown: progress(`what-if: ${phase}`, total), done: 0, started: performance.now(), cpu: cpuMs() }
    }
    current.shown.tick(done - current.done)
    current.done = done
  }
  return { onProgress, finish, took }
}

const round = (n: number, digits = 0): number => Number(n.toFixed(digits))

export const benchWhatIf = async (): Promise<void> => {
  const days = Number(process.env.BENCH_WHAT_IF_DAYS ?? '30')
  if (!(days > 0)) throw new Error('BENCH_WHAT_IF_DAYS must be a positive number of days')
  const engine = await loadEngine(here)
  const built = await cached(engine, 'this engine', days, 'what-if')
  const events = join(built.dir, 'events.sqlite')
  // To a little after the last heartbeat: the whole log is the period.
  const period = { from: START, to: new Date(START.getTime() + days * 86_400_000 + 2 * HEARTBEAT_MS) }

  const scanBefore = rawScan(events, 'raw scan (SELECT + JSON.parse)')
  const store = createSqliteEventStore({ path: events, clock: () => period.to })
  const rows = sqliteStreamRows(events)
  const shown = phases()
  const load = loadavg()
  const started = performance.now()
  const cpuAtStart = cpuMs()
  const report = await createWhatIf(store, rows).run(built.orderId, period, { seats: PROPOSED_SEATS }, shown.onProgress)
  const cpu = (cpuMs() - cpuAtStart) / 1000
  const wall = (performance.now() - started) / 1000
  shown.finish()
  await store.close()
  const scanAfter = rawScan(events, 'raw scan again                ')
  if (report === null) throw new Error('the license was not found')

  const scan = Math.max(scanBefore.perSecond, scanAfter.perSecond)
  const scanCpu = Math.max(scanBefore.perCpuSecond, scanAfter.perCpuSecond)
  const logEvents = scanBefore.events
  const whatIfEvents = logEvents / wall
  const whatIfEventsCpu = logEvents / cpu
  const replayed = (phase: string) => round(report.actions / (shown.took.get(phase)?.wall ?? NaN))
  const replayedCpu = (phase: string) => round(report.actions / (shown.took.get(phase)?.cpu ?? NaN))
  const actionsPerSecond = round((2 * report.actions) / wall)
  console.log(`\nWhat-if over ${days} days of ${SEATS} seats heartbeating every minute: ${report.actions} actions, ${logEvents} events in the log`)
  console.log(`  raw scan of the events table: ${round(scanBefore.perSecond)} and ${round(scanAfter.perSecond)} events/s (before and after); ${round(scanCpu)} events per CPU second`)
  console.log(`  what-if (read + 2 replays):   ${wall.toFixed(2)} s, ${cpu.toFixed(2)} CPU s; ${actionsPerSecond} actions/s replayed; ${round(whatIfEvents)} log events/s, ${(whatIfEvents / scan).toFixed(3)}x the raw scan`)
  for (const [phase, { wall: seconds, cpu: cpuSeconds }] of shown.took) console.log(`    ${phase.padEnd(40)} ${seconds.toFixed(2)} s, ${cpuSeconds.toFixed(2)} CPU s`)
  console.log(`  recorded: ${report.recorded.grants} grants, ${report.recorded.denials} denials, peak ${report.recorded.peakConcurrency}; proposed (${PROPOSED_SEATS} seats): ${report.proposed.grants} grants, ${report.proposed.denials} denials, peak ${report.proposed.peakConcurrency}`)
  // The most memory the process held: the what-if's, the raw scan holding a row at a time (the log is built in an earlier run).
  const maxRssMiB = round(process.resourceUsage().maxRSS / 1024)
  console.log(`  peak resident memory ${maxRssMiB} MiB; load average at the start: ${load.map((n) => n.toFixed(2)).join(' ')}`)
  console.log(
    JSON.stringify({
      bench: 'what-if',
      days,
      seats: SEATS,
      proposedSeats: PROPOSED_SEATS,
      logEvents,
      actions: report.actions,
      wallSeconds: round(wall, 3),
      cpuSeconds: round(cpu, 3),
      actionsPerSecond,
      recordedReplayActionsPerSecond: replayed('replaying under the recorded policy'),
      proposedReplayActionsPerSecond: replayed('replaying under the proposed policy'),
      recordedReplayActionsPerCpuSecond: replayedCpu('replaying under the recorded policy'),
      proposedReplayActionsPerCpuSecond: replayedCpu('replaying under the proposed policy'),
      actionsPerCpuSecond: round((2 * report.actions) / cpu),
      whatIfEventsPerSecond: round(whatIfEvents),
      rawScanEventsPerSecond: round(scan),
      ratio: round(whatIfEvents / scan, 3),
      whatIfEventsPerCpuSecond: round(whatIfEventsCpu),
      rawScanEventsPerCpuSecond: round(scanCpu),
      cpuRatio: round(whatIfEventsCpu / scanCpu, 3),
      recorded: { grants: report.recorded.grants, denials: report.recorded.denials, peak: report.recorded.peakConcurrency, seatHours: report.recorded.seatHours },
      proposed: { grants: report.proposed.grants, denials: report.proposed.denials, peak: report.proposed.peakConcurrency, seatHours: report.proposed.seatHours },
      maxRssMiB,
      loadAverage: load.map((n) => round(n, 2)),
    }),
  )
}
