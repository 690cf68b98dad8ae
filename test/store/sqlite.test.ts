import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import * as E from 'fp-ts/Either'
import { v4 as uuid } from 'uuid'
import { describe, expect, it } from 'vitest'
import { ExpectedVersion } from '../../src/store/port.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { testClock } from '../support/clock.js'
import { makeTempDir } from '../support/tmp.js'
import { describeEventStore } from './contract.js'

describeEventStore('sqlite (file, group commit)', async () => {
  const dir = makeTempDir('store-contract')
  const clock = testClock(new Date())
  const store = createSqliteEventStore({ path: dir.file('events.sqlite'), pollIntervalMs: 50, clock: clock.now })
  return { store, dispose: async () => { await store.close(); dir.remove() }, passTime: async (seconds) => clock.advance(seconds * 1000) }
})

describeEventStore('sqlite (file, one transaction per append)', async () => {
  const dir = makeTempDir('store-contract')
  const clock = testClock(new Date())
  const store = createSqliteEventStore({ path: dir.file('events.sqlite'), pollIntervalMs: 50, groupCommit: false, clock: clock.now })
  return { store, dispose: async () => { await store.close(); dir.remove() }, passTime: async (seconds) => clock.advance(seconds * 1000) }
})

const worker = fileURLToPath(new URL('./fixtures/append-worker.ts', import.meta.url))

/** Runs the append worker in its own process; resolves with its stdout lines and exit signal. */
const runWorker = (
  args: readonly string[],
  onLine: (line: string, kill: () => void) => void = () => {},
): Promise<{ lines: string[]; signal: NodeJS.Signals | null; code: number | null }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    const lines: string[] = []
    let buffer = ''
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      let index: number
      while ((index = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, index)
        buffer = buffer.slice(index + 1)
        lines.push(line)
        onLine(line, () => child.kill('SIGKILL'))
      }
    })
    child.on('error', reject)
    child.on('exit', (code, signal) => resolve({ lines, signal, code }))
  })

describe('sqlite store, beyond the contract', () => {
  it('groups appends that arrive together into one commit', async () => {
    const dir = makeTempDir('store-group')
    const commits: number[] = []
    const store = createSqliteEventStore({ path: dir.file('events.sqlite'), onCommit: (n) => commits.push(n) })
    try {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          store.appendToStream(`group-${i}`, [{ id: uuid(), type: 'A', data: {}, metadata: {} }], ExpectedVersion.noStream),
        ),
      )
      expect(results.every(E.isRight)).toBe(true)
      expect(commits).toEqual([50])
    } finally {
      await store.close()
      dir.remove()
    }
  })

  it('reads of the log just appended here are what the log holds, another process’s events between included', async () => {
    const dir = makeTempDir('store-recent')
    const here = createSqliteEventStore({ path: dir.file('events.sqlite'), pollIntervalMs: 20 })
    const other = createSqliteEventStore({ path: dir.file('events.sqlite'), pollIntervalMs: 20 })
    const event = (n: number) => ({ id: uuid(), type: 'A', data: { n, nested: { list: [n, 'x'] } }, metadata: { by: 'test' } })
    const first = [event(1), event(2)]
    try {
      await here.appendToStream('s-1', first, ExpectedVersion.noStream)
      await other.appendToStream('s-2', [event(3)], ExpectedVersion.noStream)
      await here.appendToStream('s-1', [event(4)], ExpectedVersion.exact(1))
      await Promise.all([here.appendToStream('s-3', [event(5)], ExpectedVersion.noStream), here.appendToStream('s-1', [event(6), event(7)], ExpectedVersion.exact(2))])
      // Sent again (a retry): found there already, nothing new.
      await here.appendToStream('s-1', first, ExpectedVersion.noStream)
      // What the other process reads from the file, every event read back.
      const log = await other.readAll({ maxCount: 100 })
      expect(log.map((e) => (e.data as { n: number }).n)).toEqual([1, 2, 3, 4, 5, 6, 7])
      for (const from of [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n]) {
        expect(await here.readAll({ from, maxCount: 100 })).toEqual(log.filter((e) => e.position > from))
        expect(await here.readAll({ from, maxCount: 2 })).toEqual(log.filter((e) => e.position > from).slice(0, 2))
      }
      const seen = []
      const subscription = here.subscribeToAll()
      for await (const recorded of subscription) {
        seen.push(recorded)
        if (seen.length === log.length) break
      }
      await subscription.close()
      expect(seen).toEqual(log)
    } finally {
      await here.close()
      await other.close()
      dir.remove()
    }
  })

  it('a subscription catching up with a long log lets timers run between the chunks it reads', async () => {
    const dir = makeTempDir('store-catch-up')
    const store = createSqliteEventStore({ path: dir.file('events.sqlite') })
    try {
      const events = Array.from({ length: 2_000 }, (_, i) => ({ id: uuid(), type: 'A', data: { i }, metadata: {} }))
      expect(E.isRight(await store.appendToStream('long', events, ExpectedVersion.noStream))).toBe(true)
      let seen = 0
      let seenWhenTimerRan: number | null = null
      const subscription = store.subscribeToAll()
      // A timer due at once: it runs at the next turn of the event loop that reaches the timers.
      setTimeout(() => (seenWhenTimerRan = seen), 0)
      for await (const _event of subscription) if (++seen === events.length) break
      await subscription.close()
      expect(seenWhenTimerRan).not.toBeNull()
      expect(seenWhenTimerRan!).toBeLessThan(events.length)
    } finally {
      await store.close()
      dir.remove()
    }
  })

  it('a conflicting append in a group commit fails alone; the others commit', async () => {
    const dir = makeTempDir('store-group')
    const store = createSqliteEventStore({ path: dir.file('events.sqlite') })
    try {
      const results = await Promise.all([
        store.appendToStream('g-a', [{ id: uuid(), type: 'A', data: {}, metadata: {} }], ExpectedVersion.noStream),
        store.appendToStream('g-b', [{ id: uuid(), type: 'B', data: {}, metadata: {} }], ExpectedVersion.streamExists),
        store.appendToStream('g-c', [{ id: uuid(), type: 'C', data: {}, metadata: {} }], ExpectedVersion.noStream),
      ])
      expect(results.map(E.isRight)).toEqual([true, false, true])
      expect(await store.readStream('g-b')).toEqual([])
    } finally {
      await store.close()
      dir.remove()
    }
  })

  it('closing the store finishes its work before the process may end (its writer thread is waited for)', async () => {
    const dir = makeTempDir('store-close')
    try {
      const { lines, code } = await runWorker([dir.file('events.sqlite'), 'race', '3'])
      expect({ code, lines }).toEqual({ code: 0, lines: ['won race-0', 'won race-1', 'won race-2', 'closed'] })
    } finally {
      dir.remove()
    }
  })

  it('every acknowledged append survives kill -9 of the writing process', async () => {
    const dir = makeTempDir('store-kill')
    const file = dir.file('events.sqlite')
    try {
      const acknowledged: string[] = []
      const { signal } = await runWorker([file, 'ack', '100000'], (line, kill) => {
        if (line.startsWith('ack ')) acknowledged.push(line.slice(4))
        if (acknowledged.length === 300) kill()
      })
      expect(signal).toBe('SIGKILL')
      const store = createSqliteEventStore({ path: file })
      try {
        const stored = new Set((await store.readAll({ maxCount: 1_000_000 })).map((e) => e.id))
        const lost = acknowledged.filter((id) => !stored.has(id))
        expect(acknowledged.length).toBeGreaterThanOrEqual(300)
        expect(lost).toEqual([])
      } finally {
        await store.close()
      }
    } finally {
      dir.remove()
    }
  }, 60_000)

  it('two processes racing to create the same streams: exactly one wins each', async () => {
    const dir = makeTempDir('store-procs')
    const file = dir.file('events.sqlite')
    try {
      // Create the file first so both workers open an existing database.
      await createSqliteEventStore({ path: file }).close()
      const [a, b] = await Promise.all([runWorker([file, 'race', '200']), runWorker([file, 'race', '200'])])
      const wins = (lines: string[]): number => lines.filter((l) => l.startsWith('won ')).length
      expect(wins(a.lines) + wins(b.lines)).toBe(200)
      const store = createSqliteEventStore({ path: file })
      try {
        const events = await store.readAll({ maxCount: 10_000 })
        expect(events).toHaveLength(200)
        expect(new Set(events.map((e) => e.streamName)).size).toBe(200)
      } finally {
        await store.close()
      }
    } finally {
      dir.remove()
    }
  }, 60_000)
})

describe('sqlite store retention: the rows themselves', () => {
  const counted = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ id: uuid(), type: 'Counted', data: { n: from + i }, metadata: {} }))
  /** The rows the file holds for a stream, read through a connection of its own. */
  const rowsOf = (file: string, stream: string): number[] => {
    const db = new Database(file, { readonly: true })
    try {
      return (db.prepare('SELECT revision FROM events WHERE stream = ? ORDER BY revision').all(stream) as { revision: number }[]).map((r) => r.revision)
    } finally {
      db.close()
    }
  }

  it('deletes what a retention no longer keeps, thousands of rows in batches, but never the stream’s last event', async () => {
    const dir = makeTempDir('store-retention')
    const file = dir.file('events.sqlite')
    const clock = testClock()
    const store = createSqliteEventStore({ path: file, clock: clock.now, retentionSweepIntervalMs: 0 })
    try {
      expect(E.isRight(await store.appendToStream('renewals', counted(0, 2_499), ExpectedVersion.noStream))).toBe(true)
      expect(E.isRight(await store.appendToStream('kept', counted(0, 2), ExpectedVersion.noStream))).toBe(true)
      await store.setStreamRetention('renewals', { maxCount: 10 })
      expect(rowsOf(file, 'renewals')).toEqual(Array.from({ length: 10 }, (_, i) => 2_490 + i))

      clock.advance(3_600_000)
      await store.setStreamRetention('renewals', { maxAgeSeconds: 60 })
      // Nothing is young enough to read, but the last row holds the stream's revision.
      expect(rowsOf(file, 'renewals')).toEqual([2_499])
      expect(await store.readStream('renewals')).toEqual([])
      expect(E.isRight(await store.appendToStream('renewals', counted(2_500, 2_500), ExpectedVersion.exact(2_499)))).toBe(true)
      expect(rowsOf(file, 'kept')).toEqual([0, 1, 2])
    } finally {
      await store.close()
      dir.remove()
    }
  })

  it('deletes aged events periodically in streams nobody appends to, and keeps the retention across a restart', async () => {
    const dir = makeTempDir('store-retention-sweep')
    const file = dir.file('events.sqlite')
    const clock = testClock()
    const store = createSqliteEventStore({ path: file, clock: clock.now, retentionSweepIntervalMs: 10 })
    try {
      expect(E.isRight(await store.appendToStream('quiet', counted(0, 4), ExpectedVersion.noStream))).toBe(true)
      await store.setStreamRetention('quiet', { maxAgeSeconds: 60 })
      expect(rowsOf(file, 'quiet')).toEqual([0, 1, 2, 3, 4])
      clock.advance(61_000)
      // The sweep runs on a real timer; wait (bounded) for it rather than for the age.
      for (let i = 0; i < 300 && rowsOf(file, 'quiet').length > 1; i += 1) await new Promise((r) => setTimeout(r, 10))
      expect(rowsOf(file, 'quiet')).toEqual([4])
    } finally {
      await store.close()
    }
    const reopened = createSqliteEventStore({ path: file, clock: clock.now, retentionSweepIntervalMs: 0 })
    try {
      expect(E.isRight(await reopened.appendToStream('quiet', counted(5, 6), ExpectedVersion.exact(4)))).toBe(true)
      expect((await reopened.readStream('quiet')).map((e) => e.revision)).toEqual([5, 6])
      clock.advance(61_000)
      expect(await reopened.readStream('quiet')).toEqual([])
    } finally {
      await reopened.close()
      dir.remove()
    }
  })
})
