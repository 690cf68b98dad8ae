// Progress of a replay on stderr.
import type { ReplayProgress } from '../projections/replay.js'
import type { Position } from '../store/port.js'

const seconds = (s: number): string => (s < 90 ? `${Math.ceil(s)} s` : `${Math.ceil(s / 60)} min`)

/**
 * A progress line at most once a second: events done of the estimated total,
 * events per second, time left. Positions stand in for counts: on the
 * embedded store they are the event numbers, so the total is exact; on
 * EventStoreDB they grow with the bytes written, so it is an estimate.
 */
export const progressReporter = (err: (text: string) => void, target: Position | null, now: () => number = () => performance.now()) => {
  const started = now()
  let lastShown = started
  const rate = (events: number): number => events / Math.max((now() - started) / 1000, 0.001)
  return {
    update: ({ events, first, position }: ReplayProgress): void => {
      const at = now()
      if (at - lastShown < 1_000 || target === null) return
      lastShown = at
      const fraction = Number(position - first + 1n) / Number(target - first + 1n)
      const total = Math.max(events, Math.round(events / fraction))
      const perSecond = rate(events)
      err(`replay: ${events} of ${total} events (${Math.floor(fraction * 100)}%), ${Math.round(perSecond)} events/s, about ${seconds((total - events) / perSecond)} left\n`)
    },
    done: (events: number, position: Position | null): void => {
      const elapsed = (now() - started) / 1000
      err(`replay: ${events} events in ${elapsed.toFixed(1)} s (${Math.round(rate(events))} events/s), up to position ${position ?? 'none (the log is empty)'}\n`)
    },
  }
}

