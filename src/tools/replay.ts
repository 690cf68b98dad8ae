// `licensing replay [--verify] [--into <dir>]`: rebuilds every read model from
// the whole log into a fresh database, showing progress on stderr, and with
// --verify proves the live read models are what the log says.
//
// The live runner may be behind the log's head, or move on while this runs.
// So a verification replays up to the live checkpoint, then, inside a read
// transaction on the live database (a snapshot the live runner cannot move),
// catches up to the checkpoint of that snapshot and compares. Both sides then
// hold exactly the same prefix of the log.
import { existsSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import * as E from 'fp-ts/Either'
import { loadConfig } from '../config.js'
import { eventLogPath, openStore } from '../main.js'
import { compareAttached, type Comparison } from '../projections/compare.js'
import { READ_MODELS, readModelProjections } from '../projections/index.js'
import { ensureBuiltBy } from '../projections/read-model-set.js'
import { openReadStore } from '../projections/read-store.js'
import { createReplayer, type ReplayProgress } from '../projections/replay.js'
import { readCheckpoint } from '../projections/runner.js'
import type { Position } from '../store/port.js'
import { openSqliteLogReader } from '../store/sqlite-log-reader.js'
import { DATA_FILES } from '../data-files.js'
import { progressReporter } from './progress.js'

const READ_MODELS_FILE = DATA_FILES.readModels

export interface Output {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
  /** The whole of standard input, for a command that reads it (absent: the process's own). */
  readonly input?: () => Promise<string>
}

export const REPLAY_USAGE = 'usage: licensing replay [--verify] [--into <dir>]'
export const REPLAY_HELP = `${REPLAY_USAGE}\n\nRebuilds every read model from the whole log into a fresh place (default: a new replay-<time>\nfolder in the data directory), showing progress. With --verify, compares the result with the live\nread models and exits 1 when they differ.`

type Args = { readonly verify: boolean; readonly into: string | null }

const parseArgs = (args: readonly string[]): E.Either<string, Args> => {
  let verify = false
  let into: string | null = null
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!
    if (arg === '--help' || arg === '-h') return E.left('help')
    if (arg === '--verify') verify = true
    else if (arg === '--into' && args[i + 1] !== undefined) into = args[++i]!
    else if (arg.startsWith('--into=') && arg.length > '--into='.length) into = arg.slice('--into='.length)
    else return E.left(`unknown argument: ${arg}`)
  }
  return E.right({ verify, into })
}

const report = (comparison: Comparison, position: Position | null, out: (text: string) => void): void => {
  for (const d of comparison.differences) {
    const what =
      d.kind === 'missing-in-replay'
        ? `only in the live read models (${d.onlyLive} rows)`
        : d.kind === 'missing-in-live'
          ? `missing from the live read models (${d.onlyReplayed} rows in the replay)`
          : d.kind === 'columns'
            ? 'has other columns in the live read models than in the replay'
            : `${d.onlyLive} row(s) only in the live read models, ${d.onlyReplayed} only in the replay`
    out(`difference in table ${d.table}: ${what}\n`)
    for (const row of d.examples.live) out(`  live:     ${JSON.stringify(row)}\n`)
    for (const row of d.examples.replayed) out(`  replayed: ${JSON.stringify(row)}\n`)
  }
  const at = `up to position ${position ?? 'none'}`
  out(
    comparison.differences.length === 0
      ? `verified: the read models rebuilt from the log match the live ones (${comparison.tables} tables, ${comparison.rows} rows, ${at})\n`
      : `the live read models differ from the log in ${comparison.differences.length} table(s) (${at})\n`,
  )
}

/** Runs the command; resolves to the exit code (0 done or verified, 1 differences found, 2 cannot run). */
export const replayCommand = async (args: readonly string[], env: NodeJS.ProcessEnv, { out, err }: Output): Promise<number> => {
  const parsed = parseArgs(args)
  if (E.isLeft(parsed) && parsed.left === 'help') {
    out(`${REPLAY_HELP}\n`)
    return 0
  }
  if (E.isLeft(parsed)) {
    err(`${parsed.left}\n${REPLAY_USAGE}\n`)
    return 2
  }
  const config = loadConfig(env)
  if (E.isLeft(config)) {
    for (const problem of config.left) err(`configuration error: ${problem}\n`)
    return 2
  }
  const { dataDir, eventStoreConnectionString } = config.right
  const eventLog = eventLogPath(config.right)
  if (eventStoreConnectionString === null && !existsSync(eventLog)) {
    err(`no event log at ${resolve(eventLog)} (set LICENSING_DATA_DIR or LICENSING_EVENT_LOG, or EVENTSTORE_CONNECTION_STRING)\n`)
    return 2
  }
  const liveFile = join(dataDir, READ_MODELS_FILE)
  if (parsed.right.verify && !existsSync(liveFile)) {
    err(`no live read models to verify at ${resolve(liveFile)}\n`)
    return 2
  }
  const into = parsed.right.into ?? join(dataDir, `replay-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`)
  const freshFile = join(into, READ_MODELS_FILE)
  if (existsSync(freshFile)) {
    err(`${resolve(freshFile)} already exists: replay needs a fresh place\n`)
    return 2
  }
  mkdirSync(into, { recursive: true })

  // The embedded log is only read: by a reader of its own, without the store's writer thread.
  const store = eventStoreConnectionString === null ? openSqliteLogReader(eventLog) : openStore(config.right, () => new Date())
  const fresh = openReadStore(freshFile)
  const live = parsed.right.verify ? new Database(liveFile, { fileMustExist: true }) : null
  try {
    live?.pragma('busy_timeout = 10000')
    ensureBuiltBy(fresh, READ_MODELS, readModelProjections)
    const replayer = createReplayer({ db: fresh, projections: readModelProjections, name: READ_MODELS })
    const target = live === null ? await store.headPosition() : readCheckpoint(live, READ_MODELS)
    err(`replay: rebuilding the read models into ${resolve(freshFile)}, up to ${live === null ? 'the head of the log' : 'the live checkpoint'} (position ${target ?? 'none'})\n`)
    const progress = progressReporter(err, target)
    let events = 0
    const track = (p: ReplayProgress): void => {
      events = p.events
      progress.update(p)
    }
    await replayer.until(store, target, track)
    if (live === null) {
      progress.done(events, replayer.position())
      out(`replayed into ${resolve(freshFile)}\n`)
      return 0
    }

    live.prepare('ATTACH DATABASE ? AS replayed').run(freshFile)
    live.exec('BEGIN')
    try {
      // The snapshot starts here: the live runner's later commits are not seen by this transaction.
      const snapshot = readCheckpoint(live, READ_MODELS)
      const replayed = replayer.position()
      if (snapshot !== null && replayed !== null && snapshot < replayed) {
        err('the live checkpoint went back while replaying (were the live read models rebuilt?); run the verification again\n')
        return 2
      }
      await replayer.until(store, snapshot, track)
      progress.done(events, replayer.position())
      const comparison = compareAttached(live, 'replayed')
      report(comparison, replayer.position(), out)
      return comparison.differences.length === 0 ? 0 : 1
    } finally {
      live.exec('COMMIT')
    }
  } finally {
    live?.close()
    fresh.close()
    await store.close()
  }
}
