// A real webhook receiver on loopback (node's http server): it records every
// request with its raw body and answers as scripted (a status, or "hang":
// never answer), then 200 once the script runs out.
import { createHmac } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedRequest {
  readonly method: string
  readonly path: string
  readonly headers: IncomingHttpHeaders
  /** The body exactly as received. */
  readonly raw: string
  readonly json: any
}

export type Answer = number | 'hang'

export interface Receiver {
  /** Base URL, e.g. http://127.0.0.1:54321 */
  readonly url: string
  readonly requests: ReceivedRequest[]
  /** Requests to one path. */
  readonly at: (path: string) => ReceivedRequest[]
  /** The next requests to `path` (any path when omitted) get these answers, in order. */
  readonly script: (answers: readonly Answer[], path?: string) => void
  /** Resolves once `count` requests have arrived (to `path`, if given). */
  readonly received: (count: number, path?: string, timeoutMs?: number) => Promise<ReceivedRequest[]>
  readonly close: () => Promise<void>
}

export const startReceiver = async (): Promise<Receiver> => {
  const requests: ReceivedRequest[] = []
  const scripts = new Map<string, Answer[]>()
  const hanging = new Set<ServerResponse>()
  const listeners = new Set<() => void>()

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      let json: unknown = undefined
      try {
        json = JSON.parse(raw)
      } catch {
        json = undefined
      }
      const path = req.url ?? '/'
      requests.push({ method: req.method ?? '', path, headers: req.headers, raw, json })
      for (const listener of [...listeners]) listener()
      const script = scripts.get(path) ?? scripts.get('*')
      const answer = script?.shift() ?? 200
      if (answer === 'hang') {
        hanging.add(res)
        res.on('close', () => hanging.delete(res))
        return
      }
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer >= 200 && answer < 300 ? 'ok' : 'not now')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  const at = (path: string): ReceivedRequest[] => requests.filter((r) => r.path === path)

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    at,
    script: (answers, path = '*') => {
      scripts.set(path, [...answers])
    },
    received: (count, path, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        const matching = (): ReceivedRequest[] => (path === undefined ? requests : at(path))
        const check = (): void => {
          if (matching().length < count) return
          listeners.delete(check)
          clearTimeout(timer)
          resolve(matching())
        }
        const timer = setTimeout(() => {
          listeners.delete(check)
          reject(new Error(`expected ${count} webhook requests${path === undefined ? '' : ` to ${path}`}, got ${matching().length}`))
        }, timeoutMs)
        listeners.add(check)
        check()
      }),
    close: async () => {
      for (const res of hanging) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. For work the server does in the background. */
export const eventually = async <A>(probe: () => Promise<A | undefined>, timeoutMs = 5_000, what = 'condition'): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** The receiver's own check of a delivery's signature, written from the README, not with the engine's code. */
export const verifies = (secret: string, req: ReceivedRequest): boolean => {
  const id = req.headers['x-webhook-id']
  const timestamp = req.headers['x-webhook-timestamp']
  const expected = `sha256=${createHmac('sha256', secret).update(`${id}.${timestamp}.${req.raw}`).digest('hex')}`
  return req.headers['x-webhook-signature'] === expected
}
