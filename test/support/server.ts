// Starts the real engine on a loopback port with a real SQLite file in a
// temporary directory, and talks to it over real HTTP.
import { appendFileSync } from 'node:fs'
import { Writable } from 'node:stream'
import { DEFAULT_WEBHOOK_CONFIG, type Config } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { start, type Running, type StartOptions } from '../../src/main.js'
import { testClock, type TestClock } from './clock.js'
import { responseProblems } from './openapi-responses.js'
import { makeTempDir, type TempDir } from './tmp.js'

/** The engine's configuration in tests: loopback, a free port, the given data directory; `overrides` win. */
export const testConfig = (dataDir: string, overrides: Partial<Config> = {}): Config => ({
  port: 0,
  host: '127.0.0.1',
  dataDir,
  adminToken: ADMIN_TOKEN,
  eventStoreConnectionString: null,
  logLevel: 'info',
  trustProxy: false,
  shutdownTimeoutMs: 5_000,
  lockout: { maxAttempts: 10, windowSeconds: 600, cooldownSeconds: 900 },
  rateLimitPerMinute: 300,
  smtpUrl: null,
  mailFrom: 'Licensing <no-reply@localhost>',
  mailerEnabled: true,
  ...overrides,
  // The tests' webhook receivers listen on loopback: private targets are allowed unless a test says otherwise.
  webhooks: { allowPrivateTargets: true, ...(overrides.webhooks ?? DEFAULT_WEBHOOK_CONFIG) },
})

export const ADMIN_TOKEN = 'test-admin-token-0123456789'

export interface TestServer {
  readonly url: string
  readonly dir: TempDir
  readonly clock: TestClock
  readonly running: Running
  /** Every log line the server wrote, parsed. */
  readonly logs: Record<string, unknown>[]
  readonly rawLogs: () => string
  /** Stops gracefully and starts again on the same data directory (and clock). */
  readonly restart: () => Promise<TestServer>
  readonly stop: () => Promise<void>
}

export interface TestServerOptions {
  readonly dir?: TempDir
  readonly clock?: TestClock
  readonly config?: Partial<Config>
  /** Wraps the engine's event store (counting reads, injecting faults). */
  readonly wrapStore?: StartOptions['wrapStore']
}

export const startTestServer = async (options: TestServerOptions = {}): Promise<TestServer> => {
  const dir = options.dir ?? makeTempDir('engine')
  const clock = options.clock ?? testClock()
  let raw = ''
  const logs: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw += chunk.toString()
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  const config = testConfig(dir.path, options.config)
  const running = await start(config, { clock: clock.now, logger: createLogger('info', sink), ...(options.wrapStore === undefined ? {} : { wrapStore: options.wrapStore }) })
  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    await running.stop()
  }
  return {
    url: running.url,
    dir,
    clock,
    running,
    logs,
    rawLogs: () => raw,
    stop,
    restart: async () => {
      await stop()
      return startTestServer({ ...options, dir, clock })
    },
  }
}

export interface HttpResult {
  readonly status: number
  readonly headers: Headers
  readonly body: any
  readonly text: string
}

export interface RequestOptions {
  readonly token?: string | null
  readonly headers?: Record<string, string>
  /** A raw body (sent as is) instead of JSON. */
  readonly raw?: string
}

/** A small client for one server: JSON in, JSON (or text) out. */
export const client = (server: { readonly url: string }) => {
  const call = async (method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<HttpResult> => {
    const headers: Record<string, string> = { ...options.headers }
    const token = options.token === undefined ? ADMIN_TOKEN : options.token
    if (token !== null && headers.authorization === undefined) headers.authorization = `Bearer ${token}`
    let payload: string | undefined
    if (options.raw !== undefined) payload = options.raw
    else if (body !== undefined) {
      payload = JSON.stringify(body)
      headers['content-type'] ??= 'application/json'
    }
    const response = await fetch(`${server.url}${path}`, { method, headers, ...(payload === undefined ? {} : { body: payload }) })
    const text = await response.text()
    // Every response is checked against the OpenAPI document: one that does not fit fails the test that got it.
    const problems = responseProblems(method, path, response.status, response.headers.get('content-type'), text)
    if (problems.length > 0) {
      const report = process.env.OPENAPI_RESPONSE_REPORT
      if (report === undefined) throw new Error(`the response does not match the OpenAPI document:\n  ${problems.slice(0, 10).join('\n  ')}\n  body: ${text.slice(0, 500)}`)
      appendFileSync(report, `${JSON.stringify({ problems, body: text.slice(0, 300) })}\n`)
    }
    let parsed: unknown = undefined
    try {
      parsed = text === '' ? undefined : JSON.parse(text)
    } catch {
      parsed = undefined
    }
    return { status: response.status, headers: response.headers, body: parsed, text }
  }
  return {
    get: (path: string, options?: RequestOptions) => call('GET', path, undefined, options),
    post: (path: string, body?: unknown, options?: RequestOptions) => call('POST', path, body, options),
    patch: (path: string, body?: unknown, options?: RequestOptions) => call('PATCH', path, body, options),
    put: (path: string, body?: unknown, options?: RequestOptions) => call('PUT', path, body, options),
    delete: (path: string, options?: RequestOptions) => call('DELETE', path, undefined, options),
    call,
  }
}
export type Client = ReturnType<typeof client>
