import * as E from 'fp-ts/Either'
import { pino } from 'pino'
import { v4 as uuid } from 'uuid'
import { describe, expect, it } from 'vitest'
import { eachEvent, type Projection } from '../../src/projections/projection.js'
import { openReadStore } from '../../src/projections/read-store.js'
import { createProjectionRunner, readCheckpoint } from '../../src/projections/runner.js'
import { ExpectedVersion, type NewEvent } from '../../src/store/port.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { makeTempDir } from '../support/tmp.js'

const meta = { actor: 't', correlationId: 'c', causationId: null, requestId: null, clientIp: null, idempotencyKey: null, schemaVersion: 1 }
const allocated = (id: number): NewEvent => ({ id: uuid(), type: 'IdAllocated', data: { id, at: '2026-11-22T10:00:00.000Z' }, metadata: meta })

/** Records the ids it saw in a table, so a test can tell exactly what was applied. */
const recording: Projection = {
  name: 'recording',
  open: (db) => {
    db.exec('CREATE TABLE IF NOT EXISTS seen (id INTEGER)')
    const put = db.prepare('INSERT INTO seen (id) VALUES (?)')
    return eachEvent(({ event }) => {
      if (event.type === 'IdAllocated') put.run(event.data.id)
    })
  },
}

const silent = pino({ level: 'silent' })

describe('projection runner', () => {
  it('applies each event once, and after a restart resumes from its checkpoint', async () => {
    const dir = makeTempDir('runner')
    const store = createSqliteEventStore({ path: dir.file('events.sqlite'), pollIntervalMs: 20 })
    await store.appendToStream('sequence-x', [allocated(1), allocated(2)], ExpectedVersion.noStream)

    let db = openReadStore(dir.file('read.sqlite'))
    let runner = createProjectionRunner({ name: 'rm', store, db, projections: [recording], logger: silent })
    runner.start()
    expect(await runner.waitFor(await store.headPosition())).toBe(true)
    await runner.stop()
    db.close()

    await store.appendToStream('sequence-x', [allocated(3)], ExpectedVersion.exact(1))
    db = openReadStore(dir.file('read.sqlite'))
    runner = createProjectionRunner({ name: 'rm', store, db, projections: [recording], logger: silent })
    runner.start()
    expect(await runner.waitFor(await store.headPosition())).toBe(true)
    expect((db.prepare('SELECT id FROM seen ORDER BY rowid').all() as { id: number }[]).map((r) => r.id)).toEqual([1, 2, 3])
    expect(readCheckpoint(db, 'rm')).toBe(await store.headPosition())
    await runner.stop()
    db.close()
    await store.close()
    dir.remove()
  })

  it('stops at an event that does not decode, keeps its checkpoint before it, and says why', async () => {
    const dir = makeTempDir('runner')
    const store = createSqliteEventStore({ path: dir.file('events.sqlite'), pollIntervalMs: 20 })
    const good = await store.appendToStream('sequence-y', [allocated(1)], ExpectedVersion.noStream)
    await store.appendToStream('sequence-y', [{ id: uuid(), type: 'IdAllocated', data: { id: 'not a number' }, metadata: meta }], ExpectedVersion.exact(0))
    await store.appendToStream('sequence-y', [allocated(3)], ExpectedVersion.exact(1))

    const db = openReadStore(dir.file('read.sqlite'))
    const runner = createProjectionRunner({ name: 'rm', store, db, projections: [recording], logger: silent })
    runner.start()
    expect(await runner.waitFor(await store.headPosition(), 1_000)).toBe(false)
    const status = runner.status()
    expect(status.running).toBe(false)
    expect(status.error).toMatch(/IdAllocated .* does not decode: data\.id must be/)
    expect(E.isRight(good) && readCheckpoint(db, 'rm')).toBe(E.isRight(good) && good.right.position)
    expect((db.prepare('SELECT id FROM seen').all() as { id: number }[]).map((r) => r.id)).toEqual([1])
    await runner.stop()
    db.close()
    await store.close()
    dir.remove()
  })
})
