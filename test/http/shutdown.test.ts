// Graceful shutdown: stop accepting, let the requests in flight finish, then
// close the store; SIGTERM does the same for a real engine process.
import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { createCustomer, createTemplate, seedOrder } from '../support/fixtures.js'
import { useEngines } from '../support/engine.js'
import { ADMIN_TOKEN, client } from '../support/server.js'

describe('graceful shutdown', () => {
  const engines = useEngines()

  it('finishes a request already in flight, then refuses new connections and closes the store', async () => {
    const server = await engines.start()
    const api = client(server)
    const customerId = await createCustomer(api)
    const templateId = await createTemplate(api)
    const body = JSON.stringify({ ...seedOrder(customerId, templateId), activation_key: 'SHUTDOWN-KEY' })
    const { port } = new URL(server.url)
    // A request whose headers and half its body have reached the server when shutdown begins.
    const reply = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method: 'POST', path: '/license-orders', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = ''
          res.on('data', (chunk: Buffer) => (text += chunk.toString()))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
        },
      )
      req.on('error', reject)
      req.write(body.slice(0, 100))
      setTimeout(() => {
        stopped = server.stop()
        setTimeout(() => req.end(body.slice(100)), 50)
      }, 50)
    })
    let stopped: Promise<void> = Promise.resolve()
    const answered = await reply
    await stopped
    expect(answered.status).toBe(201)
    expect(JSON.parse(answered.text).activation_key).toBe('SHUTDOWN-KEY')
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow()
    await expect(server.running.store.headPosition()).rejects.toThrow()
  })

  it('exits cleanly on SIGTERM, keeping what it acknowledged', async () => {
    const dir = engines.dir('sigterm')
    const env = { LICENSING_DATA_DIR: dir.path, LICENSING_ADMIN_TOKEN: ADMIN_TOKEN }
    const engine = await engines.spawn(env)
    const customerId = await createCustomer(client(engine))
    const exited = new Promise<number | null>((resolve) => engine.child.once('exit', (code) => resolve(code)))
    engine.child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(engine.output()).toMatch(/"msg":"stopped"/)
    const again = await engines.spawn(env)
    expect((await client(again).get(`/customers/${customerId}`)).status).toBe(200)
  }, 60_000)
})
