// The log's writer thread dying (killed, out of memory, a native crash): the
// store starts another and sends it the group the dead one was committing, so
// appends go on without a restart and nothing is written twice (an append sent
// again is recognised by its events' ids).
import type { Worker } from 'node:worker_threads'
import * as E from 'fp-ts/Either'
import { v4 as uuid } from 'uuid'
import { afterEach, describe, expect, it } from 'vitest'
import { ExpectedVersion, type NewEvent } from '../../src/store/port.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { makeTempDir, type TempDir } from '../support/tmp.js'

const event = (n: number): NewEvent => ({ id: uuid(), type: 'Tested', data: { n }, metadata: {} })

/** The store with its writer threads, each handed over as it starts (to `onStart`); `onPost` runs right after a group is posted to one. */
const storeWithThreads = (dir: TempDir, onPost: (worker: Worker) => void = () => {}, onStart: (worker: Worker) => void = () => {}) => {
  const threads: Worker[] = []
  const store = createSqliteEventStore({
    path: dir.file('events.sqlite'),
    onWriterThread: (worker) => {
      threads.push(worker)
      onStart(worker)
      const post = worker.postMessage.bind(worker)
      worker.postMessage = (message: unknown) => {
        post(message)
        if (message !== 'close') onPost(worker)
      }
    },
  })
  return { store, threads }
}

describe('the SQLite log’s writer thread', () => {
  let dir: TempDir
  afterEach(() => dir?.remove())

  it('is started again when it died while idle: the next append succeeds', async () => {
    dir = makeTempDir('writer-idle')
    const { store, threads } = storeWithThreads(dir)
    expect(E.isRight(await store.appendToStream('s', [event(1)], ExpectedVersion.noStream))).toBe(true)
    await threads[0]!.terminate()
    const second = await store.appendToStream('s', [event(2)], ExpectedVersion.exact(0))
    expect(second).toEqual(E.right(expect.objectContaining({ nextRevision: 1 })))
    expect(threads).toHaveLength(2)
    expect((await store.readStream('s')).map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }])
    await store.close()
  })

  it('is started again when it died with a group in flight, which the new one commits once', async () => {
    dir = makeTempDir('writer-in-flight')
    let kill = true
    const { store, threads } = storeWithThreads(dir, (worker) => {
      // The first group sent is killed with it, before the thread could answer (committed or not).
      if (!kill) return
      kill = false
      void worker.terminate()
    })
    const appends = [1, 2, 3].map((n) => store.appendToStream(`s-${n}`, [event(n)], ExpectedVersion.noStream))
    const outcomes = await Promise.all(appends)
    expect(outcomes.every(E.isRight)).toBe(true)
    expect(threads).toHaveLength(2)
    expect((await store.readAll({ maxCount: 100 })).map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }])
    await store.close()
  })

  it('sent again a group the dead thread had committed: answered as that commit recorded it, not written twice', async () => {
    dir = makeTempDir('writer-committed')
    let lose = true
    const { store, threads } = storeWithThreads(dir, () => {}, (worker) => {
      // The thread's first answer (its group committed) is lost, and the thread dies.
      const emit = worker.emit.bind(worker)
      worker.emit = (name: string | symbol, ...args: unknown[]): boolean => {
        if (name !== 'message' || !lose) return emit(name, ...args)
        lose = false
        void worker.terminate()
        return true
      }
    })
    const first = await store.appendToStream('s', [event(1), event(2)], ExpectedVersion.noStream)
    expect(first).toEqual(E.right({ nextRevision: 1, position: 2n }))
    expect(lose).toBe(false)
    expect(threads).toHaveLength(2)
    expect((await store.readAll({ maxCount: 100 })).map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }])
    await store.close()
  })
})
