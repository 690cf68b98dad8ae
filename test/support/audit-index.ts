// An audit index fed a real SQLite log in a temporary directory, for the
// tests of the index and its reader: events appended as the engine encodes
// them, indexed up to the head of the log when the test says so.
import { v4 as uuid } from 'uuid'
import { encodeEvent } from '../../src/application/event-codec.js'
import type { EventMetadata } from '../../src/application/metadata.js'
import type { DomainEvent } from '../../src/domain/events.js'
import { auditProjection } from '../../src/projections/audit.js'
import { auditReader } from '../../src/projections/audit-reader.js'
import { openReadStore } from '../../src/projections/read-store.js'
import { createReplayer } from '../../src/projections/replay.js'
import { ExpectedVersion, type EventStore } from '../../src/store/port.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { NOW } from '../domain/fixtures.js'
import { makeTempDir } from './tmp.js'

export const auditIndexOn = (name: string, meta: Omit<EventMetadata, 'schemaVersion'>) => {
  const dir = makeTempDir(name)
  const store: EventStore = createSqliteEventStore({ path: dir.file('events.sqlite'), clock: () => NOW })
  const db = openReadStore(dir.file('read-models.sqlite'))
  const replayer = createReplayer({ db, projections: [auditProjection], name: 'audit' })
  return {
    dir,
    store,
    db,
    append: async (streamName: string, event: DomainEvent): Promise<void> => {
      await store.appendToStream(streamName, [encodeEvent(event, meta, uuid())], ExpectedVersion.any)
    },
    /** Indexes the log up to its head. */
    index: async (): Promise<void> => {
      await replayer.until(store, await store.headPosition())
    },
    reader: () => auditReader(db, store),
    close: async (): Promise<void> => {
      db.close()
      await store.close()
      dir.remove()
    },
  }
}
