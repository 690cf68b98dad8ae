// A read-model database built by other projections (an older release, before
// the audit index) is rebuilt from the start of the log, so a new read model
// sees the whole history, not just what happens after the upgrade.
import { pino } from 'pino'
import { v4 as uuid } from 'uuid'
import { describe, expect, it } from 'vitest'
import { eachEvent, type Projection } from '../../src/projections/projection.js'
import { ensureBuiltBy } from '../../src/projections/read-model-set.js'
import { openReadStore } from '../../src/projections/read-store.js'
import { createProjectionRunner, readCheckpoint } from '../../src/projections/runner.js'
import { ExpectedVersion, type NewEvent } from '../../src/store/port.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { makeTempDir } from '../support/tmp.js'

const meta = { actor: 't', correlationId: 'c', causationId: null, requestId: null, clientIp: null, idempotencyKey: null, schemaVersion: 1 }
const allocated = (id: number): NewEvent => ({ id: uuid(), type: 'IdAllocated', data: { id, at: '2026-11-22T10:00:00.000Z' }, metadata: meta })

/** Records the ids it saw in a table of its own. */
const recording = (name: string): Projection => ({
  name,
  open: (db) => {
    db.exec(`CREATE TABLE IF NOT EXISTS seen_${name} (id INTEGER)`)
    const put = db.prepare(`INSERT INTO seen_${name} (id) VALUES (?)`)
    return eachEvent(({ event }) => {
      if (event.type === 'IdAllocated') put.run(event.data.id)
    })
  },
})

const silent = pino({ level: 'silent' })

describe('read models built by other projections', () => {
  it('given a database built without a projection, when opened with it, then everything is rebuilt from the start of the log', async () => {
    const dir = makeTempDir('built-by')
    const store = createSqliteEventStore({ path: dir.file('events.sqlite'), pollIntervalMs: 20 })
    await store.appendToStream('sequence-x', [allocated(1), allocated(2), allocated(3)], ExpectedVersion.noStream)
    const run = async (projections: readonly Projection[]) => {
      const db = openReadStore(dir.file('read.sqlite'))
      const rebuilt = ensureBuiltBy(db, 'rm', projections)
      const runner = createProjectionRunner({ name: 'rm', store, db, projections, logger: silent })
      runner.start()
      expect(await runner.waitFor(await store.headPosition())).toBe(true)
      await runner.stop()
      const seen = (name: string): number[] => (db.prepare(`SELECT id FROM seen_${name} ORDER BY rowid`).pluck().all() as number[])
      return { db, rebuilt, seen }
    }

    const first = await run([recording('a')])
    expect(first.rebuilt).toBeNull()
    first.db.close()

    const upgraded = await run([recording('a'), recording('b')])
    expect(upgraded.rebuilt).toEqual(['a'])
    expect(upgraded.seen('a')).toEqual([1, 2, 3])
    expect(upgraded.seen('b')).toEqual([1, 2, 3])
    upgraded.db.close()

    await store.appendToStream('sequence-x', [allocated(4)], ExpectedVersion.exact(2))
    const restarted = await run([recording('b'), recording('a')])
    expect(restarted.rebuilt).toBeNull()
    expect(restarted.seen('a')).toEqual([1, 2, 3, 4])
    expect(readCheckpoint(restarted.db, 'rm')).toBe(await store.headPosition())
    restarted.db.close()
    await store.close()
    dir.remove()
  })
})
