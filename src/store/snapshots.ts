// Where the command side keeps snapshots of streams' states: a SQLite file
// each node keeps for itself beside its read models. It is a cache, never
// the truth: delete it, or let it rot, and loads only get slower until it is
// filled again. One row per stream, the latest snapshot; the state is kept as
// the JSON text it was written as, for the application to read back.
import { rmSync } from 'node:fs'
import Database from 'better-sqlite3'

export interface StoredSnapshot {
  readonly streamName: string
  /** The stream type whose fold the state is. */
  readonly type: string
  /** The type's state version when the snapshot was taken. */
  readonly version: number
  /** Revision of the last event folded into the state. */
  readonly revision: number
  /** Id of that event: the snapshot is of this log only. */
  readonly eventId: string
  /** The state as JSON. */
  readonly state: string
}

export interface SnapshotStore {
  readonly read: (streamName: string) => StoredSnapshot | undefined
  /** Replaces each stream's snapshot, all in one transaction. */
  readonly write: (snapshots: readonly StoredSnapshot[]) => void
  readonly close: () => void
}

const open = (path: string): Database.Database => {
  // No waiting for a lock: a snapshot that cannot be written now is skipped, never waited for.
  const db = new Database(path, { timeout: 0 })
  try {
    db.pragma('journal_mode = WAL')
    // A snapshot lost to a power cut is only a slower first load: no fsync per write.
    db.pragma('synchronous = NORMAL')
    db.exec(`CREATE TABLE IF NOT EXISTS snapshots (
      stream TEXT PRIMARY KEY, type TEXT NOT NULL, version INTEGER NOT NULL,
      revision INTEGER NOT NULL, event_id TEXT NOT NULL, state TEXT NOT NULL)`)
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

/**
 * Opens the snapshot file; one that is not a SQLite database (or not ours) is
 * deleted and started afresh, `onReset` told why.
 */
export const openSqliteSnapshotStore = (path: string, onReset: (error: unknown) => void = () => {}): SnapshotStore => {
  let db: Database.Database
  try {
    db = open(path)
  } catch (error) {
    onReset(error)
    for (const file of [path, `${path}-wal`, `${path}-shm`]) rmSync(file, { force: true })
    db = open(path)
  }
  const select = db.prepare<[string], Omit<StoredSnapshot, 'streamName' | 'eventId'> & { readonly event_id: string }>(
    'SELECT type, version, revision, event_id, state FROM snapshots WHERE stream = ?',
  )
  const upsert = db.prepare<[string, string, number, number, string, string]>(
    `INSERT INTO snapshots (stream, type, version, revision, event_id, state) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (stream) DO UPDATE SET type = excluded.type, version = excluded.version,
       revision = excluded.revision, event_id = excluded.event_id, state = excluded.state`,
  )
  const writeAll = db.transaction((snapshots: readonly StoredSnapshot[]) => {
    for (const s of snapshots) upsert.run(s.streamName, s.type, s.version, s.revision, s.eventId, s.state)
  })
  return {
    read: (streamName) => {
      const row = select.get(streamName)
      return row === undefined ? undefined : { streamName, type: row.type, version: row.version, revision: row.revision, eventId: row.event_id, state: row.state }
    },
    write: (snapshots) => writeAll(snapshots),
    close: () => db.close(),
  }
}
