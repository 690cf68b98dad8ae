// How far applying the log to read models has come, and how long the rest
// will take: the replay tool's progress line and /healthz during a rebuild.
// Positions stand in for counts: on the embedded store they are the event
// numbers, so the total is exact; on EventStoreDB they grow with the bytes
// written, so it is an estimate.
import type { Position } from '../store/port.js'

export interface CatchUpProgress {
  /** Events applied so far. */
  readonly events: number
  /** The position of the first event applied, and of the last. */
  readonly first: Position
  readonly position: Position
}

export interface Estimate {
  readonly events: number
  readonly total: number
  readonly percent: number
  readonly perSecond: number
  readonly secondsLeft: number
}

export const estimate = ({ events, first, position }: CatchUpProgress, target: Position, elapsedMs: number): Estimate => {
  const fraction = Math.min(1, Number(position - first + 1n) / Number(target - first + 1n))
  const total = Math.max(events, Math.round(events / fraction))
  const perSecond = events / Math.max(elapsedMs / 1000, 0.001)
  return { events, total, percent: Math.floor(fraction * 100), perSecond, secondsLeft: (total - events) / perSecond }
}

export const duration = (s: number): string => (s < 90 ? `${Math.ceil(s)} s` : `${Math.ceil(s / 60)} min`)

/** `1000 of 4000 events (25%), 500 events/s, about 6 s left` */
export const describeEstimate = ({ events, total, percent, perSecond, secondsLeft }: Estimate): string =>
  `${events} of ${total} events (${percent}%), ${Math.round(perSecond)} events/s, about ${duration(secondsLeft)} left`
