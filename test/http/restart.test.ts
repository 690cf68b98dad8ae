// Restarts: every acknowledged write survives the engine being killed with
// SIGKILL mid-load; a graceful restart keeps everything; deleting the read
// models rebuilds them from the log to the same result.
import { rmSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createCustomer, createTemplate, seedOrder, setUpLicense } from '../support/fixtures.js'
import { useEngines } from '../support/engine.js'
import { ADMIN_TOKEN, client } from '../support/server.js'

describe('restarts', () => {
  const engines = useEngines()

  it('keeps every acknowledged write when the engine is killed with SIGKILL under load', async () => {
    const dir = engines.dir('kill')
    const env = { LICENSING_DATA_DIR: dir.path, LICENSING_ADMIN_TOKEN: ADMIN_TOKEN }
    const engine = await engines.spawn(env)
    const api = client(engine)
    const templateId = await createTemplate(api)
    const customerId = await createCustomer(api)
    const acknowledged: string[] = []
    let stop = false
    // Several writers at once, so the kill lands while appends are in flight.
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; !stop; i += 1) {
        const key = `KILL-${w}-${i}`
        try {
          const res = await api.post('/license-orders', { ...seedOrder(customerId, templateId), activation_key: key })
          if (res.status === 201) acknowledged.push(key)
        } catch {
          return // the connection died with the engine
        }
      }
    })
    while (acknowledged.length < 150) await new Promise((r) => setTimeout(r, 20))
    await engine.kill()
    stop = true
    await Promise.all(writers)

    const readBack = client(await engines.spawn(env))
    const missing: string[] = []
    for (const key of acknowledged) if ((await readBack.get(`/license-orders/${key}`)).status !== 200) missing.push(key)
    expect(acknowledged.length).toBeGreaterThanOrEqual(150)
    expect(missing).toEqual([])
  }, 120_000)

  it('a graceful restart keeps every write, and the read models resume from their checkpoint', async () => {
    const first = await engines.start()
    await setUpLicense(client(first), 'RESTART-KEY')
    await client(first).patch('/api/v2/clients/1/license', { serialNumber: 'SN-1' })
    const before = await client(first).get('/license-orders/RESTART-KEY')
    const second = await first.restart()
    expect((await client(second).get('/license-orders/RESTART-KEY')).body).toEqual(before.body)
    expect((await client(second).get('/customers/1')).status).toBe(200)
  })

  it('rebuilds deleted read models from the log to the same result', async () => {
    const first = await engines.start()
    const api = client(first)
    await setUpLicense(api, 'REBUILD-KEY')
    await api.patch('/license-orders/REBUILD-KEY', { ...seedOrder(), activations_allowed: 5 })
    await api.patch('/api/v2/clients/1/license', { activationKey: 'REBUILT-KEY' })
    await api.post('/api-keys', { name: 'k', scope: 'admin' })
    const paths = ['/license-orders/REBUILT-KEY', '/license-orders/REBUILD-KEY', '/customers', '/product-templates', '/api-keys']
    const before = await Promise.all(paths.map((p) => api.get(p)))
    await first.stop()
    for (const suffix of ['', '-wal', '-shm']) rmSync(first.dir.file(`read-models.sqlite${suffix}`), { force: true })

    const second = await engines.start({ dir: first.dir, clock: first.clock })
    const after = await Promise.all(paths.map((p) => client(second).get(p)))
    expect(after.map((r) => [r.status, r.body])).toEqual(before.map((r) => [r.status, r.body]))
  })
})
