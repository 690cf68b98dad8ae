// The embedded log read from start to end, for a rebuild of the read models
// (`licensing replay`): a connection of its own that only reads. A store
// opened to append boots a writer thread and sweeps retention, which a
// replay needs neither of (the thread alone costs a second of CPU, counted
// against the replay); and the rows are read as arrays, not objects, with
// only the columns an event is made of. The events are those `readAll` of
// the SQLite store hands out, field for field.
import Database from 'better-sqlite3'
import type { Position, ReadAllOptions, RecordedEvent } from './port.js'

type Row = [position: bigint, id: string, stream: string, revision: bigint, type: string, data: string, metadata: string, recordedAt: string]

export interface SqliteLogReader {
  /** Forwards from `from` (exclusive), as the store's own `readAll`; backwards reads are not offered. */
  readonly readAll: (options: ReadAllOptions) => Promise<readonly RecordedEvent[]>
  /** Position of the last event in the log, null when it is empty. */
  readonly headPosition: () => Promise<Position | null>
  readonly close: () => Promise<void>
}

export const openSqliteLogReader = (path: string): SqliteLogReader => {
  const db = new Database(path, { fileMustExist: true })
  db.pragma('query_only = true')
  const forwards = db
    .prepare('SELECT position, id, stream, revision, type, data, metadata, recorded_at FROM events WHERE position > ? ORDER BY position ASC LIMIT ?')
    .raw(true)
    .safeIntegers(true)
  const head = db.prepare('SELECT MAX(position) FROM events').pluck().safeIntegers(true)
  return {
    readAll: async (options) => {
      if (options.direction === 'backwards') throw new Error('the log reader reads forwards only')
      const rows = forwards.all(options.from ?? 0n, options.maxCount) as Row[]
      const events = new Array<RecordedEvent>(rows.length)
      for (let i = 0; i < rows.length; i += 1) {
        const [position, id, stream, revision, type, data, metadata, recordedAt] = rows[i]!
        events[i] = {
          id,
          type,
          data: JSON.parse(data),
          metadata: JSON.parse(metadata),
          streamName: stream,
          revision: Number(revision),
          position,
          recordedAt: new Date(recordedAt),
        }
      }
      return events
    },
    headPosition: async () => (head.get() as bigint | null) ?? null,
    close: async () => {
      db.close()
    },
  }
}
