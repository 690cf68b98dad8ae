// Snapshots on a running engine: the first request on a long-lived license
// after a start reads the order stream's snapshot and the events after it,
// at most SNAPSHOT_INTERVAL_EVENTS of them, where without snapshots it reads
// the whole stream; a deleted snapshot file costs one full read. Events read
// are counted by a decorator over the engine's real SQLite store.
import { rmSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { testClock } from '../support/clock.js'
import { useEngines } from '../support/engine.js'
import { eventReads } from '../support/event-reads.js'
import { seedOrder, setUpLicense } from '../support/fixtures.js'
import { client, type TestServer } from '../support/server.js'

const KEY = 'SNAPSHOT-KEY-1'
const INTERVAL = 10
const CHANGES = 60

describe('snapshots on a running engine', () => {
  const engines = useEngines()

  it('the first request on a long-lived license after a start reads at most the interval of its stream; without snapshots, all of it', async () => {
    const dir = engines.dir()
    const clock = testClock()
    // Events read from order streams, counted across the engine's restarts.
    const reads = eventReads((streamName) => streamName.startsWith('order-'))
    let server: TestServer | null = null
    const startWith = async (snapshotIntervalEvents: number): Promise<void> => {
      await server?.stop()
      server = await engines.start({ dir, clock, config: { snapshotIntervalEvents }, wrapStore: reads.wrap })
    }
    let ids: { customerId: number; templateId: number } | null = null
    /** The order stream's length: its creation and a change per request. */
    let length = 1
    /** A seed 001 PATCH of the license that changes it: a decision on its order stream, one event. */
    const change = async (): Promise<void> => {
      const res = await client(server!).patch(`/license-orders/${KEY}`, { ...seedOrder(ids!.customerId, ids!.templateId), activations_allowed: length })
      expect(res.status, res.text).toBe(200)
      length += 1
    }
    /** The events read from the order stream by the first request after a start. */
    const firstRequestAfterStart = async (snapshotIntervalEvents: number): Promise<number> => {
      await startWith(snapshotIntervalEvents)
      reads.reset()
      await change()
      return reads.read()
    }

    await startWith(INTERVAL)
    ids = await setUpLicense(client(server!), KEY)
    for (let i = 0; i < CHANGES; i += 1) await change()

    expect(await firstRequestAfterStart(INTERVAL)).toBeLessThanOrEqual(INTERVAL)
    // The baseline: the whole stream, as long as it was before the request.
    const whole = length
    expect(await firstRequestAfterStart(0)).toBe(whole)

    await server!.stop()
    rmSync(dir.file('snapshots.sqlite'))
    expect(await firstRequestAfterStart(INTERVAL)).toBe(whole + 1)
    expect(await firstRequestAfterStart(INTERVAL)).toBeLessThanOrEqual(INTERVAL)
  })
})
