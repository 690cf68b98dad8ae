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
import { rawScan } from './raw-scan.js'
import { cachedLog, dataDirWith, logShape } from './replay-log.js'

const MiB = 2 ** 20


/**
 * `licensing replay --into <into>` on the data directory, showing its
 * progress; its own figures of events per second, and per CPU second (null
 * from an engine that does not say).
 */
export const replay = async (dataDir: string, into: string): Promise<{ readonly events: number; readonly perSecond: number; readonly perCpuSecond: number | null }> => {
  const { code, stderr } = await runLicensing(dataDir, ['replay', '--into', into])
  const summary = /replay: (\d+) events in [\d.]+ s \((\d+) events\/s\)/.exec(stderr)
  if (code !== 0 || summary === null) throw new Error(`replay exited with ${code}:\n${stderr.slice(-2_000)}`)
  const cpu = /\((\d+) events per CPU second\)/.exec(stderr)
  return { events: Number(summary[1]), perSecond: Number(summary[2]), perCpuSecond: cpu === null ? null : Number(cpu[1]) }
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
    const scan = Math.max(scanBefore.perSecond, scanAfter.perSecond)
    const scanCpu = Math.max(scanBefore.perCpuSecond, scanAfter.perCpuSecond)
    const cpuRatio = replayed.perCpuSecond === null ? null : Number((replayed.perCpuSecond / scanCpu).toFixed(3))
    const readModels = join(dir.path, 'replayed', 'read-models.sqlite')
    const logBytes = fileBytes(events)
    const modelBytes = fileBytes(readModels)
    const tables = tableBytes(readModels)

    console.log(`\nReplay of ${replayed.events} events (${shape.licenses} licenses) into fresh read models, engine at ${root}`)
    console.log(`  raw scan of the events table:  ${Math.round(scanBefore.perSecond)} and ${Math.round(scanAfter.perSecond)} events/s (before and after the replay); ${Math.round(scanCpu)} events per CPU second`)
    console.log(`  licensing replay:              ${replayed.perSecond} events/s, ${(replayed.perSecond / scan).toFixed(2)}x the faster raw scan`)
    if (cpuRatio !== null) console.log(`                                 ${replayed.perCpuSecond} events per CPU second, ${cpuRatio.toFixed(2)}x the raw scan's`)
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
        replayEventsPerCpuSecond: replayed.perCpuSecond,
        rawScanEventsPerCpuSecond: Math.round(scanCpu),
        cpuRatio,
        logBytes,
        readModelBytes: modelBytes,
        readModelBytesPerEvent: Math.round(modelBytes / replayed.events),
      }),
    )
  } finally {
    dir.remove()
  }
}
