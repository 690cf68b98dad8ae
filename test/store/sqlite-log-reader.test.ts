// The replay's reader of the embedded log hands out the events the store's own
// readAll does, field for field, chunk by chunk, and the same head.
import { describe, expect, it } from 'vitest'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { openSqliteLogReader } from '../../src/store/sqlite-log-reader.js'
import { makeTempDir } from '../support/tmp.js'

describe('the SQLite log reader', () => {
  it('reads what the store reads, from any position, and says where the log ends', async () => {
    const dir = makeTempDir('log-reader')
    const store = createSqliteEventStore({ path: dir.file('events.sqlite'), clock: () => new Date('2026-11-22T10:00:00.000Z') })
    const reader = openSqliteLogReader(dir.file('events.sqlite'))
    try {
      expect(await reader.headPosition()).toBeNull()
      expect(await reader.readAll({ maxCount: 10 })).toEqual([])
      for (let i = 0; i < 7; i += 1) {
        await store.appendToStream(`thing-${i % 3}`, [{ id: `00000000-0000-4000-8000-00000000000${i}`, type: 'ThingHappened', data: { n: i, nested: { text: 'ünïcode "quoted"' } }, metadata: { actor: i % 2 === 0 ? 'someone' : null } }], { kind: 'any' })
      }
      expect(await reader.headPosition()).toBe(await store.headPosition())
      expect(await reader.readAll({ maxCount: 100 })).toEqual(await store.readAll({ maxCount: 100 }))
      expect(await reader.readAll({ from: 3n, maxCount: 2 })).toEqual(await store.readAll({ from: 3n, maxCount: 2 }))
      await expect(reader.readAll({ direction: 'backwards', maxCount: 1 })).rejects.toThrow()
    } finally {
      await reader.close()
      await store.close()
      dir.remove()
    }
  })
})
