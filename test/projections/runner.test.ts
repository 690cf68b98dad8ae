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

describe('projection runner, a batch at a time', () => {
  const setUp = async () => {
    const dir = makeTempDir('runner-batches')
    const store = createSqliteEventStore({ path: dir.file('events.sqlite'), pollIntervalMs: 20 })
    const db = openReadStore(dir.file('read.sqlite'))
    const seen = (): number[] => (db.prepare('SELECT id FROM seen ORDER BY rowid').all() as { id: number }[]).map((r) => r.id)
    const commits: { events: number; position: bigint }[] = []
    const done = async (runner: { stop: () => Promise<void> }): Promise<void> => {
      await runner.stop()
      db.close()
      await store.close()
      dir.remove()
    }
    return { store, db, seen, commits, done }
  }
  const ids = (from: number, count: number): NewEvent[] => Array.from({ length: count }, (_, i) => allocated(from + i))

  it('catches up in transactions of many chunks, each with its checkpoint, letting other work run between chunks', async () => {
    const { store, db, seen, commits, done } = await setUp()
    await store.appendToStream('sequence-x', ids(1, 250), ExpectedVersion.noStream)
    const runner = createProjectionRunner({
      name: 'rm', store, db, projections: [recording], logger: silent, chunkSize: 10, catchUpTransaction: 100,
      onApplied: ({ events, position }) => commits.push({ events, position }),
    })
    let appliedWhenOtherWorkRan: number | null = null
    setImmediate(() => (appliedWhenOtherWorkRan = seen().length))
    runner.start()
    expect(await runner.caughtUp(10_000)).toBe(true)
    expect(seen()).toEqual(ids(1, 250).map((e) => (e.data as { id: number }).id))
    expect(commits).toEqual([
      { events: 100, position: 100n },
      { events: 100, position: 200n },
      { events: 50, position: 250n },
    ])
    expect(readCheckpoint(db, 'rm')).toBe(250n)
    // Work queued before the runner started ran after its first chunk, not after it had caught up.
    expect(appliedWhenOtherWorkRan).toBe(10)
    await done(runner)
  })

  it('commits live events as they arrive: many appended together in one transaction, a single one at once', async () => {
    const { store, db, seen, commits, done } = await setUp()
    const runner = createProjectionRunner({ name: 'rm', store, db, projections: [recording], logger: silent, onApplied: ({ events, position }) => commits.push({ events, position }) })
    runner.start()
    expect(await runner.caughtUp(10_000)).toBe(true)
    const together = await store.appendToStream('sequence-x', ids(1, 300), ExpectedVersion.noStream)
    expect(E.isRight(together) && (await runner.waitFor(together.right.position, 10_000))).toBe(true)
    // However the subscription hands them over, they are fewer commits than events, each with its checkpoint.
    expect(commits.reduce((sum, c) => sum + c.events, 0)).toBe(300)
    expect(commits.length).toBeLessThan(300)
    const one = await store.appendToStream('sequence-x', ids(301, 1), ExpectedVersion.exact(299))
    expect(E.isRight(one) && (await runner.waitFor(one.right.position, 10_000))).toBe(true)
    expect(commits[commits.length - 1]).toEqual({ events: 1, position: 301n })
    expect(seen()).toHaveLength(301)
    await done(runner)
  })

  it('with a live window, gathers what many commits of the log append into one transaction; a reader that waits ends the window', async () => {
    const { store, db, seen, commits, done } = await setUp()
    const runner = createProjectionRunner({
      name: 'rm', store, db, projections: [recording], logger: silent, liveWindowMs: 60_000,
      onApplied: ({ events, position }) => commits.push({ events, position }),
    })
    runner.start()
    expect(await runner.caughtUp(10_000)).toBe(true)
    let last: bigint | null = null
    for (let i = 0; i < 10; i++) {
      const appended = await store.appendToStream('sequence-x', ids(i + 1, 1), ExpectedVersion.after(i === 0 ? null : i - 1))
      if (E.isRight(appended)) last = appended.right.position
    }
    // Ten commits of the log and nobody waiting for the read model: still gathered in the window.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(commits).toEqual([])
    expect(await runner.waitFor(last, 10_000)).toBe(true)
    expect(commits).toEqual([{ events: 10, position: 10n }])
    expect(seen()).toEqual(ids(1, 10).map((e) => (e.data as { id: number }).id))
    // The window is opened again by the next event, and ended by the next reader.
    const one = await store.appendToStream('sequence-x', ids(11, 1), ExpectedVersion.exact(9))
    expect(E.isRight(one) && (await runner.waitFor(one.right.position, 10_000))).toBe(true)
    expect(commits[commits.length - 1]).toEqual({ events: 1, position: 11n })
    await done(runner)
  })

  it('rolls a whole transaction back, checkpoint included, when a projection fails in it, and stops', async () => {
    const { store, db, seen, done } = await setUp()
    await store.appendToStream('sequence-x', ids(1, 3), ExpectedVersion.noStream)
    const failing: Projection = {
      name: 'failing',
      open: () => eachEvent(({ event }) => {
        if (event.type === 'IdAllocated' && event.data.id === 6) throw new Error('the disk is full')
      }),
    }
    const runner = createProjectionRunner({ name: 'rm', store, db, projections: [recording, failing], logger: silent })
    runner.start()
    expect(await runner.caughtUp(10_000)).toBe(true)
    // Three events appended at once reach the runner together: the failure in the third undoes the first two.
    const batch = await store.appendToStream('sequence-x', ids(4, 3), ExpectedVersion.exact(2))
    expect(E.isRight(batch) && (await runner.waitFor(batch.right.position, 2_000))).toBe(false)
    expect(runner.status()).toMatchObject({ running: false, error: 'the disk is full', position: 3n })
    expect(seen()).toEqual([1, 2, 3])
    expect(readCheckpoint(db, 'rm')).toBe(3n)
    await done(runner)
  })
})
