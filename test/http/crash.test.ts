// The engine killed with SIGKILL while it writes, several times over one data
// directory: after each restart every acknowledged write is there (orders
// created, and the last acknowledged change of an order, or the one in flight
// when it died), and `licensing replay --verify` rebuilds read models equal to
// the live ones. A small version of the 20-cycle run in issue 13.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { useEngines } from '../support/engine.js'
import { createCustomer, createTemplate, seedOrder } from '../support/fixtures.js'
import { ADMIN_TOKEN, client } from '../support/server.js'

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url))
const CYCLES = 3
const WRITES_PER_CYCLE = 25

/** fetch's failure when the connection is refused or cut: what a request meets once the engine is killed. */
const connectionLost = (error: unknown): boolean => error instanceof TypeError && error.message === 'fetch failed'

const replayVerify = (dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, 'replay', '--verify'],
      { env: { ...process.env, LICENSING_DATA_DIR: dataDir, EVENTSTORE_CONNECTION_STRING: '' }, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr }),
    )
  })

describe('crashes under write load', () => {
  const engines = useEngines()

  it(`keeps every acknowledged write through ${CYCLES} SIGKILLs, and replay --verify matches the live read models`, async () => {
    const dir = engines.dir('crash')
    const env = { LICENSING_DATA_DIR: dir.path, LICENSING_ADMIN_TOKEN: ADMIN_TOKEN }
    let engine = await engines.spawn(env)
    const setup = client(engine)
    const customerId = await createCustomer(setup)
    const templateId = await createTemplate(setup)
    const changedKey = 'CRASH-CHANGED'
    expect((await setup.post('/license-orders', { ...seedOrder(customerId, templateId), activation_key: changedKey })).status).toBe(201)

    const created: string[] = []
    let lastChange = 0
    for (let cycle = 0; cycle < CYCLES; cycle += 1) {
      const api = client(engine)
      let inCycle = 0
      let stop = false
      let killed = false
      /** Anything but a connection the kill cut, or met before the kill: reported after the cycle, never swallowed. */
      const unexpected: unknown[] = []
      const cut = (error: unknown): void => {
        if (!killed || !connectionLost(error)) unexpected.push(error)
      }
      // Writers creating orders, and one changing an order's terms in sequence, so the kill lands amid appends.
      const creators = Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; !stop; i += 1) {
          const key = `CRASH-${cycle}-${w}-${i}`
          try {
            const res = await api.post('/license-orders', { ...seedOrder(customerId, templateId), activation_key: key })
            if (res.status === 201) {
              created.push(key)
              inCycle += 1
            }
          } catch (error) {
            cut(error)
            return
          }
        }
      })
      const changer = (async () => {
        while (!stop) {
          const next = lastChange + 1
          try {
            const res = await api.patch(`/license-orders/${changedKey}`, { ...seedOrder(customerId, templateId), activations_allowed: next })
            if (res.status === 200) lastChange = next
          } catch (error) {
            cut(error)
            return
          }
        }
      })()
      for (let waited = 0; inCycle < WRITES_PER_CYCLE && waited < 600; waited += 1) await new Promise((r) => setTimeout(r, 50))
      killed = true
      await engine.kill()
      stop = true
      await Promise.all([...creators, changer])
      expect(unexpected, `cycle ${cycle}`).toEqual([])
      expect(inCycle, `cycle ${cycle}`).toBeGreaterThanOrEqual(WRITES_PER_CYCLE)
      engine = await engines.spawn(env)
    }

    const readBack = client(engine)
    const missing: string[] = []
    for (const key of created) if ((await readBack.get(`/license-orders/${key}`)).status !== 200) missing.push(key)
    expect(missing).toEqual([])
    const changed = Number((await readBack.get(`/license-orders/${changedKey}`)).body.activations_allowed)
    // The last acknowledged change, or the one the kill interrupted after it reached the log.
    expect([lastChange, lastChange + 1]).toContain(changed)

    const verified = await replayVerify(dir.path)
    expect(verified.code, `${verified.stdout}\n${verified.stderr}`).toBe(0)
    expect(verified.stdout).toMatch(/^verified: the read models rebuilt from the log match the live ones/)
  }, 180_000)
})
