// A real webhook receiver on loopback (node's http server): it records every
// request with its raw body and answers as scripted (a status, or "hang":
// never answer), then 200 once the script runs out.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'

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

/** A stock Standard Webhooks verifier for `secret`: a `whsec_<base64>` secret as the standard reads it, any other as raw bytes. */
export const verifierFor = (secret: string): Webhook => (/^whsec_/.test(secret) ? new Webhook(secret) : new Webhook(secret, { format: 'raw' }))

/**
 * The receiver's own check of a delivery's signature, with the stock `standardwebhooks` package, not the engine's code.
 * The test clock is not the wall clock, so the signature is compared at the delivery's own timestamp (the package's
 * `verify` refuses a timestamp five minutes from Date.now(); webhooks.test.ts runs it with Date set to the test clock).
 */
export const verifies = (secret: string, req: ReceivedRequest): boolean => {
  const id = String(req.headers['webhook-id'])
  const timestamp = new Date(Number(req.headers['webhook-timestamp']) * 1000)
  const given = String(req.headers['webhook-signature'] ?? '').split(' ')
  return given.includes(verifierFor(secret).sign(id, timestamp, req.raw))
}
