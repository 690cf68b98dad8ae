// Progress of a replay on stderr.
import { describeEstimate, estimate, type CatchUpProgress } from '../projections/catch-up.js'
import type { Position } from '../store/port.js'

/** This process's CPU time so far, in ms (its threads' user and system time). */
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

/**
 * A progress line at most once a second: events done of the (estimated)
 * total, events per second, time left. The last line also says the CPU time
 * the replay took: on a shared machine, a figure that does not depend on what
 * else runs.
 */
export const progressReporter = (err: (text: string) => void, target: Position | null, now: () => number = () => performance.now(), cpu: () => number = cpuMs) => {
  const started = now()
  const cpuAtStart = cpu()
  let lastShown = started
  const rate = (events: number): number => events / Math.max((now() - started) / 1000, 0.001)
  return {
    update: (progress: CatchUpProgress): void => {
      const at = now()
      if (at - lastShown < 1_000 || target === null) return
      lastShown = at
      err(`replay: ${describeEstimate(estimate(progress, target, at - started))}\n`)
    },
    done: (events: number, position: Position | null): void => {
      const elapsed = (now() - started) / 1000
      const cpuSeconds = (cpu() - cpuAtStart) / 1000
      err(
        `replay: ${events} events in ${elapsed.toFixed(1)} s (${Math.round(rate(events))} events/s), up to position ${position ?? 'none (the log is empty)'}; ` +
          `${cpuSeconds.toFixed(1)} s of CPU (${Math.round(events / Math.max(cpuSeconds, 0.001))} events per CPU second)\n`,
      )
    },
  }
}
