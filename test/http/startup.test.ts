// Start-up with the read models deleted: the engine listens at once, /healthz
// says how far the rebuild from the log has come, requests that need the read
// models are told to come back (503 with Retry-After, in their dialect) until
// they have caught up, and are answered as before once they have. The rebuild
// is held half-way by the event store the engine reads, so the test sees it
// under way whatever the speed of the machine.
import { rmSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { EventStore, Position } from '../../src/store/port.js'
import { babelClient, clientBody } from '../support/babel.js'
import { eventually } from '../support/eventually.js'
import { seedOrder, setUpLicense } from '../support/fixtures.js'
import { client, startTestServer } from '../support/server.js'

/** The store, reading at most `size` events at once, and holding every read of the log before `head` but the first until released. */
const held = (head: Position, size: number) => {
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  const wrap = (store: EventStore): EventStore => ({
    ...store,
    readAll: async (options) => {
      if (options.direction !== 'backwards' && options.from !== undefined && options.from < head) await released
      return store.readAll({ ...options, maxCount: Math.min(options.maxCount, size) })
    },
  })
  return { wrap, release }
}

describe('start-up with the read models deleted', () => {
  it('listens at once, reports the rebuild on /healthz, answers 503 with Retry-After until it is done, and as before after', async () => {
    const first = await startTestServer()
    const dir = first.dir
    try {
      const api = client(first)
      await setUpLicense(api, 'STARTUP-KEY')
      for (let n = 11; n <= 20; n += 1) expect((await api.patch('/license-orders/STARTUP-KEY', { ...seedOrder(), activations_allowed: n })).status).toBe(200)
      const order = await api.get('/license-orders/STARTUP-KEY')
      const audit = await api.get('/audit/events?license=STARTUP-KEY&order=asc&limit=100')
      expect(audit.body.items.length).toBeGreaterThan(10)
      const head = (await first.running.store.headPosition())!
      await first.stop()
      for (const suffix of ['', '-wal', '-shm']) rmSync(dir.file(`read-models.sqlite${suffix}`), { force: true })

      const gate = held(head, 5)
      const second = await startTestServer({ dir, clock: first.clock, wrapStore: gate.wrap })
      try {
        const again = client(second)
        const rebuilding = await eventually(async () => {
          const health = await again.get('/healthz', { token: null })
          return health.status === 503 && /of \d+ events/.test(health.body.checks.projections.detail) ? health : undefined
        }, 10_000, '/healthz to report the rebuild')
        expect(rebuilding.body.checks.projections).toEqual({ ok: false, detail: expect.stringMatching(new RegExp(`^rebuilding the read models from the log: 5 of ${head} events \\(\\d+%\\)`)) })
        expect(rebuilding.body.checks.eventStore).toEqual({ ok: true })

        const lac = await again.get('/license-orders/STARTUP-KEY')
        expect(lac.status).toBe(503)
        expect(Number(lac.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
        expect(lac.body).toEqual({ detail: expect.stringMatching(/^The read models are being rebuilt from the event log \(5 of \d+ events/) })
        const admin = await again.get('/audit/events?license=STARTUP-KEY')
        expect(admin.status).toBe(503)
        expect(Number(admin.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
        expect(admin.body.error.status).toBe(503)
        // What is decided on the license's own stream needs no read model.
        const validate = await babelClient(second)('validate', clientBody('STARTUP-KEY', 1))
        expect(validate.status).toBe(200)

        gate.release()
        await eventually(async () => ((await again.get('/healthz', { token: null })).status === 200 ? true : undefined), 10_000, 'the rebuild to finish')
        expect((await again.get('/healthz', { token: null })).body.checks.projections).toEqual({ ok: true, detail: `at position ${head}` })
        expect(await again.get('/license-orders/STARTUP-KEY')).toMatchObject({ status: 200, body: order.body })
        expect(await again.get('/audit/events?license=STARTUP-KEY&order=asc&limit=100')).toMatchObject({ status: 200, body: audit.body })
      } finally {
        await second.stop()
      }
    } finally {
      await first.stop()
      dir.remove()
    }
  })
})
