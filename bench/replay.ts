// `licensing replay` against its baseline in the same run: a raw scan of the
// same events table (SELECT every row, JSON.parse its data and metadata),
// before and after the replay, on a log of a million events written by the
// engine's own application layer (replay-log.ts). Also the size of the read
// models it built against the size of the log, table by table.
//
// BENCH_ENGINE=<checkout> replays with another checkout's code (engine.ts).
import { statSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { makeTempDir } from '../test/support/tmp.js'
import { engineRoot, runLicensing } from './engine.js'
import { progress } from './progress.js'
import { cachedLog, dataDirWith, logShape } from './replay-log.js'

const MiB = 2 ** 20

/** Reads every event row and parses its JSON, as a reader of the log must at the least; events per second. */
const rawScan = (path: string, label: string): number => {
  const db = new Database(path, { readonly: true })
  try {
    const total = db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number
    const shown = progress(label, total)
    const started = performance.now()
    let events = 0
    for (const row of db.prepare('SELECT * FROM events ORDER BY position').iterate() as IterableIterator<{ data: string; metadata: string }>) {
      JSON.parse(row.data)
      JSON.parse(row.metadata)
      events += 1
      if (events % 10_000 === 0) shown.tick(10_000)
    }
    shown.tick(events % 10_000)
    shown.done()
    return events / ((performance.now() - started) / 1000)
  } finally {
    db.close()
  }
}

/** `licensing replay --into <into>` on the data directory, showing its progress; its own figure of events per second. */
export const replay = async (dataDir: string, into: string): Promise<{ readonly events: number; readonly perSecond: number }> => {
  const { code, stderr } = await runLicensing(dataDir, ['replay', '--into', into])
  const summary = /replay: (\d+) events in [\d.]+ s \((\d+) events\/s\)/.exec(stderr)
  if (code !== 0 || summary === null) throw new Error(`replay exited with ${code}:\n${stderr.slice(-2_000)}`)
  return { events: Number(summary[1]), perSecond: Number(summary[2]) }
}

/** Bytes of a SQLite file with its WAL. */
export const fileBytes = (path: string): number => [path, `${path}-wal`].reduce((sum, file) => sum + (statSync(file, { throwIfNoEntry: false })?.size ?? 0), 0)

/** Bytes per table (with its indexes), largest first: SQLite's dbstat. */
const tableBytes = (path: string): readonly { readonly table: string; readonly bytes: number }[] => {
  const db = new Database(path, { readonly: true })
  try {
    return db
      .prepare(
        `SELECT COALESCE(m.tbl_name, s.name) AS "table", SUM(s.pgsize) AS bytes FROM dbstat s LEFT JOIN sqlite_master m ON m.name = s.name
         GROUP BY 1 ORDER BY bytes DESC`,
      )
      .all() as { table: string; bytes: number }[]
  } finally {
    db.close()
  }
}

export const benchReplay = async (): Promise<void> => {
  const shape = logShape()
  const log = await cachedLog(shape)
  const root = engineRoot()
  const dir = makeTempDir('bench-replay')
  try {
    dataDirWith(log, dir.path)
    const events = join(dir.path, 'events.sqlite')
    const scanBefore = rawScan(events, 'raw scan (SELECT + JSON.parse)')
    const replayed = await replay(dir.path, join(dir.path, 'replayed'))
    const scanAfter = rawScan(events, 'raw scan again               ')
    const scan = Math.max(scanBefore, scanAfter)
    const readModels = join(dir.path, 'replayed', 'read-models.sqlite')
    const logBytes = fileBytes(events)
    const modelBytes = fileBytes(readModels)
    const tables = tableBytes(readModels)

    console.log(`\nReplay of ${replayed.events} events (${shape.licenses} licenses) into fresh read models, engine at ${root}`)
    console.log(`  raw scan of the events table:  ${Math.round(scanBefore)} and ${Math.round(scanAfter)} events/s (before and after the replay)`)
    console.log(`  licensing replay:              ${replayed.perSecond} events/s, ${(replayed.perSecond / scan).toFixed(2)}x the faster raw scan`)
    console.log(`  event log ${(logBytes / MiB).toFixed(0)} MiB (${Math.round(logBytes / replayed.events)} bytes/event), read models ${(modelBytes / MiB).toFixed(0)} MiB (${Math.round(modelBytes / replayed.events)} bytes/event)`)
    for (const { table, bytes } of tables.slice(0, 8)) console.log(`    ${table.padEnd(22)} ${(bytes / MiB).toFixed(1).padStart(7)} MiB  ${(bytes / replayed.events).toFixed(1).padStart(6)} bytes/event`)
    console.log(
      JSON.stringify({
        bench: 'replay',
        engine: root,
        events: replayed.events,
        replayEventsPerSecond: replayed.perSecond,
        rawScanEventsPerSecond: Math.round(scan),
        ratio: Number((replayed.perSecond / scan).toFixed(3)),
        logBytes,
        readModelBytes: modelBytes,
        readModelBytesPerEvent: Math.round(modelBytes / replayed.events),
      }),
    )
  } finally {
    dir.remove()
  }
}
