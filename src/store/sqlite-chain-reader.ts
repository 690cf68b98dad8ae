// Reads the embedded log as its chain's verifier needs it (src/chain/verify.ts):
// every position the events or the chain hold, in order, as one snapshot of
// the file (the engine may keep appending meanwhile). A chain row whose event
// is gone is a trimmed event only where its stream's retention deletes events
// and the event was not the stream's last (retention never deletes that one);
// anything else gone is reported as removed.
import Database from 'better-sqlite3'
import type { Checkpoint } from '../chain/checkpoints.js'
import type { ChainEntry } from '../chain/verify.js'
import { chainedOf, type EventRow } from './sqlite-chain.js'

/** A chain row joined with its event's row (absent where the event is gone: position null). */
interface JoinedRow extends Omit<EventRow, 'position'> {
  readonly cpos: bigint | null
  readonly cstream: string | null
  readonly crev: bigint | null
  readonly digest: string | null
  readonly link: string | null
  readonly retained: bigint | null
  readonly stream_last: bigint | null
  readonly position: bigint | null
}

const JOINED = `
  SELECT c.position AS cpos, c.stream AS cstream, c.revision AS crev, c.digest, c.link,
         CASE WHEN e.position IS NULL THEN (SELECT 1 FROM stream_retention r WHERE r.stream = c.stream) END AS retained,
         CASE WHEN e.position IS NULL THEN (SELECT MAX(x.revision) FROM events x WHERE x.stream = c.stream) END AS stream_last,
         e.*
  FROM event_chain c FULL OUTER JOIN events e ON e.position = c.position
  ORDER BY coalesce(c.position, e.position)`

const entryOf = (row: JoinedRow): ChainEntry => {
  if (row.cpos === null) {
    return { kind: 'broken', position: row.position!, reason: `the event at ${row.position} (${row.stream}@${row.revision}, ${row.type}) is not in the chain: it was inserted` }
  }
  if (row.position === null) {
    const revision = Number(row.crev)
    const trimmable = row.retained !== null && row.stream_last !== null && Number(row.stream_last) > revision
    return trimmable
      ? { kind: 'trimmed', position: row.cpos, stream: row.cstream!, revision, digest: row.digest!, link: row.link }
      : { kind: 'broken', position: row.cpos, reason: `the event at ${row.cpos} (${row.cstream}@${revision}) was removed: its stream's retention does not explain it` }
  }
  return { kind: 'event', position: row.cpos, event: chainedOf(row as JoinedRow & { position: bigint }), digest: row.digest, link: row.link }
}

export interface CheckpointRow {
  readonly position: bigint
  readonly link: string
  readonly signed_at: string
  readonly jws: string
}

/** The checkpoints' rows (CheckpointRow), in order of position. */
export const SELECT_CHECKPOINTS = 'SELECT position, link, signed_at, jws FROM chain_checkpoints ORDER BY position'

export const checkpointOf = (row: CheckpointRow): Checkpoint => ({ position: row.position, link: row.link, signedAt: row.signed_at, jws: row.jws })

export interface SqliteChainSnapshot {
  readonly checkpoints: readonly Checkpoint[]
  readonly entries: Iterable<ChainEntry>
  readonly close: () => void
}

/** One read transaction over the log: its checkpoints, and its entries as they are iterated. */
export const readSqliteChain = (path: string): SqliteChainSnapshot => {
  const db = new Database(path, { readonly: true, fileMustExist: true })
  db.defaultSafeIntegers(true)
  db.exec('BEGIN')
  const hasChain = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'event_chain'").get() !== undefined
  const checkpoints = hasChain ? (db.prepare(SELECT_CHECKPOINTS).all() as CheckpointRow[]).map(checkpointOf) : []
  function* entries(): Generator<ChainEntry> {
    if (!hasChain) throw new Error('this log has no hash chain yet: open it once with this version of the engine (any start or command does)')
    for (const row of db.prepare(JOINED).iterate() as Iterable<JoinedRow>) yield entryOf(row)
  }
  return {
    checkpoints,
    entries: entries(),
    close: () => {
      if (db.inTransaction) db.exec('COMMIT')
      db.close()
    },
  }
}
