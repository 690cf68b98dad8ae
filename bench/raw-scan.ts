// The baseline the replay and what-if benchmarks measure against: a raw scan
// of the log's table, every row read and its JSON parsed, timed by the wall
// clock and by this process's CPU.
import Database from 'better-sqlite3'
import { progress } from './progress.js'

/** This process's CPU time so far, in milliseconds. */
export const cpuMs = (): number => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

export interface Rate {
  readonly events: number
  /** Events per second of wall-clock time. */
  readonly perSecond: number
  /** Events per second of CPU time: on a machine others share, what the scan costs whatever else runs. */
  readonly perCpuSecond: number
}

/** Reads every event row and parses its JSON, as a reader of the log must at the least. */
export const rawScan = (path: string, label: string): Rate => {
  const db = new Database(path, { readonly: true })
  try {
    const total = db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number
    const shown = progress(label, total)
    const started = performance.now()
    const cpuAtStart = cpuMs()
    let events = 0
    for (const row of db.prepare('SELECT * FROM events ORDER BY position').iterate() as IterableIterator<{ data: string; metadata: string }>) {
      JSON.parse(row.data)
      JSON.parse(row.metadata)
      events += 1
      if (events % 10_000 === 0) shown.tick(10_000)
    }
    shown.tick(events % 10_000)
    const cpu = cpuMs() - cpuAtStart
    shown.done()
    return { events, perSecond: events / ((performance.now() - started) / 1000), perCpuSecond: events / (cpu / 1000) }
  } finally {
    db.close()
  }
}
