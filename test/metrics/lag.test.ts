// The lag metrics on a real SQLite log: how many events each consumer has not
// handled yet, and how long the oldest of them has waited.
import { v4 as uuid } from 'uuid'
import { describe, expect, it } from 'vitest'
import { createMetrics } from '../../src/metrics/registry.js'
import { ExpectedVersion, type Position } from '../../src/store/port.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { testClock } from '../support/clock.js'
import { makeTempDir } from '../support/tmp.js'

/** A sample of one scrape, as Prometheus reads it. */
const sampleOf = async (metrics: ReturnType<typeof createMetrics>, name: string, consumer: string): Promise<number | undefined> => {
  const line = (await metrics.registry.metrics()).split('\n').find((l) => l.startsWith(`${name}{consumer="${consumer}"} `))
  return line === undefined ? undefined : Number(line.split(' ')[1])
}

describe('lag metrics', () => {
  it('given a consumer three events behind, the oldest appended a minute ago, then 3 events and 60 s; caught up, then 0 and 0', async () => {
    const dir = makeTempDir('metrics-lag')
    const clock = testClock()
    const store = createSqliteEventStore({ path: dir.file('events.sqlite'), clock: clock.now })
    const metrics = createMetrics()
    try {
      const positions: Position[] = []
      for (let n = 0; n < 4; n += 1) {
        const appended = await store.appendToStream(`s-${n}`, [{ id: uuid(), type: 'Happened', data: { n }, metadata: {} }], ExpectedVersion.any)
        if (appended._tag === 'Left') throw new Error('append failed')
        positions.push(appended.right.position)
        clock.advance(10_000)
      }
      let handled: Position | null = positions[0]!
      metrics.watch({ store, clock: clock.now, positions: { projections: () => handled }, files: { readModels: dir.file('none.sqlite'), outbox: null } })
      // Now: 40 s after the first append; the second (the oldest not handled) was appended 30 s ago; a minute passes.
      clock.advance(30_000)
      expect(await sampleOf(metrics, 'licensing_lag_seconds', 'projections')).toBe(60)
      expect(await sampleOf(metrics, 'licensing_lag_events', 'projections')).toBe(3)

      handled = positions[3]!
      expect(await sampleOf(metrics, 'licensing_lag_seconds', 'projections')).toBe(0)
      expect(await sampleOf(metrics, 'licensing_lag_events', 'projections')).toBe(0)
    } finally {
      metrics.close()
      await store.close()
      dir.remove()
    }
  })
})
