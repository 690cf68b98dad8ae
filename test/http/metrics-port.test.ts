// METRICS_PORT (issue 14) on an address of its own: loopback unless
// METRICS_HOST says otherwise, so that HOST=0.0.0.0 (for the API) does not
// make the metrics public; and a port that cannot be listened on stops the
// start as PORT's does: what the start opened is closed, one line says why.
import { createServer, Socket, type Server } from 'node:net'
import { networkInterfaces } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/logger.js'
import { start } from '../../src/main.js'
import { useEngine, useEngines } from '../support/engine.js'
import { refusedStart } from '../support/process.js'
import { ADMIN_TOKEN, testConfig } from '../support/server.js'

/** This host's first address off loopback, or null when it has none. */
const outsideAddress = (): string | null =>
  Object.values(networkInterfaces())
    .flat()
    .find((one) => one !== undefined && one.family === 'IPv4' && !one.internal)?.address ?? null

/** Whether a TCP connection to host:port is accepted. */
const accepts = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = new Socket()
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
    socket.connect(port, host)
  })

const listening = async (host = '127.0.0.1'): Promise<Server> => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  return server
}
const portOf = (server: Server): number => (server.address() as { port: number }).port
const closing = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()))

describe('METRICS_PORT with HOST=0.0.0.0 and no METRICS_HOST', () => {
  const server = useEngine({ config: { host: '0.0.0.0', metricsPort: 0 } })

  it.skipIf(outsideAddress() === null)('listens on loopback only, while the API listens on every address', async () => {
    const outside = outsideAddress()!
    const metricsPort = Number(new URL(server.running.metricsUrl!).port)
    const apiPort = Number(new URL(server.url).port)
    expect(await accepts('127.0.0.1', metricsPort)).toBe(true)
    expect(await accepts(outside, metricsPort)).toBe(false)
    expect(await accepts(outside, apiPort)).toBe(true)
  })
})

describe('METRICS_PORT that cannot be listened on', () => {
  let holder: Server
  beforeAll(async () => {
    holder = await listening()
  })
  afterAll(() => closing(holder))
  const engines = useEngines()

  it('fails the start with the reason, leaving nothing it opened running: the API port is free, the data directory starts again', async () => {
    const dir = engines.dir('metrics-port-in-use')
    const free = await listening()
    const apiPort = portOf(free)
    await closing(free)
    const config = testConfig(dir.path, { port: apiPort, metricsPort: portOf(holder) })
    const logger = createLogger('silent')
    await expect(start(config, { logger })).rejects.toThrow(`cannot listen on 127.0.0.1:${portOf(holder)} (METRICS_PORT): the port is already in use (EADDRINUSE)`)
    expect(await accepts('127.0.0.1', apiPort)).toBe(false)
    // The store, the read models and the senders were closed: the same directory and port start again.
    const again = await start({ ...config, metricsPort: 0 }, { logger })
    expect((await fetch(`${again.url}/healthz`)).status).toBe(200)
    await again.stop()
  })

  it('ends `licensing serve` with one clear line and exit code 1', async () => {
    const dir = engines.dir('metrics-port-in-use-cli')
    const refused = await refusedStart({ METRICS_PORT: String(portOf(holder)), LICENSING_DATA_DIR: dir.path, LICENSING_ADMIN_TOKEN: ADMIN_TOKEN }, 30_000)
    expect(refused.code).toBe(1)
    expect(refused.stderr.trim().split('\n')).toEqual([
      `licensing serve: cannot listen on 127.0.0.1:${portOf(holder)} (METRICS_PORT): the port is already in use (EADDRINUSE)`,
    ])
  }, 40_000)
})
