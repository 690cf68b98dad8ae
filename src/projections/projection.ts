// A projection folds events into read-model tables. `open` creates its tables
// when missing and prepares its statements once; the function it returns runs
// inside the runner's transaction, together with the checkpoint, so a read
// model and its checkpoint never disagree.
import type Database from 'better-sqlite3'
import type { EventMetadata } from '../application/metadata.js'
import type { DomainEvent } from '../domain/events.js'
import type { RecordedEvent } from '../store/port.js'

export interface Envelope {
  readonly event: DomainEvent
  readonly metadata: EventMetadata
  readonly recorded: RecordedEvent
}

export interface Projection {
  readonly name: string
  readonly open: (db: Database.Database) => (envelope: Envelope) => void
}

/** One JSON state per key: the read models that keep an aggregate's own fold. */
export const jsonRows = <S>(db: Database.Database, table: string, keyColumn: string) => {
  const select = db.prepare(`SELECT state FROM ${table} WHERE ${keyColumn} = ?`)
  return (key: string | number): S | null => {
    const row = select.get(key) as { state: string } | undefined
    return row === undefined ? null : (JSON.parse(row.state) as S)
  }
}
