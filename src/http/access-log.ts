// The access log. Every request gets a line when it is answered (pino-http,
// with its request id and the request as the redacting serializers show it),
// except on the hot routes (seed 002's heartbeat: every client, every
// minute), where a line per request would cost more than answering it: there
// a request is counted, and once a window has passed one line sums the window
// up per route (requests, by status, mean and slowest time). A hot request
// that wrote (a heartbeat that renewed its lease) or failed (4xx, 5xx) still
// gets its own line. Either way `req.log` is a logger carrying the request id;
// on hot routes it is made only when something is logged through it.
import type { Request, RequestHandler, Response } from 'express'
import type { Logger } from 'pino'
import { pino } from 'pino'
import { pinoHttp } from 'pino-http'

export const ACCESS_SUMMARY_MS = 60_000

const WROTE = Symbol('wrote')
const CHILD = Symbol('request logger')

/** The request wrote to the log: its access line is never left out. */
export const markWritten = (res: Response): void => {
  ;(res as Response & { [WROTE]?: true })[WROTE] = true
}

const wrote = (res: Response): boolean => (res as Response & { [WROTE]?: true })[WROTE] === true

interface Window {
  requests: number
  totalMs: number
  slowestMs: number
  readonly statuses: Record<string, number>
}

export interface AccessLogOptions {
  /** The POST paths whose quiet successes are summed up, not logged one by one. */
  readonly hot: readonly string[]
  readonly summaryMs?: number
}

export const accessLog = (logger: Logger, { hot, summaryMs = ACCESS_SUMMARY_MS }: AccessLogOptions): RequestHandler => {
  const everyRequest = pinoHttp({
    logger,
    customProps: (req) => ({ reqId: req.id }),
    customLogLevel: (_req, res, err) => (err !== undefined || res.statusCode >= 500 ? 'error' : 'info'),
  })
  const windows = new Map<string, Window>()
  let windowStart = Date.now()

  const summarise = (): void => {
    const seconds = Math.round((Date.now() - windowStart) / 1000)
    for (const [route, w] of windows) {
      logger.info({ route, requests: w.requests, statuses: w.statuses, meanMs: Number((w.totalMs / w.requests).toFixed(2)), slowestMs: Number(w.slowestMs.toFixed(2)), seconds }, 'requests summarised')
    }
    windows.clear()
    windowStart = Date.now()
  }
  setInterval(() => {
    if (windows.size > 0) summarise()
  }, summaryMs).unref()

  const hotPath = (req: Request): string | undefined => {
    if (req.method !== 'POST') return undefined
    const query = req.url.indexOf('?')
    const path = query < 0 ? req.url : req.url.slice(0, query)
    return hot.includes(path) ? path : undefined
  }

  // On hot routes `req.log` is made when first read: an accessor on the app's request prototype (set up once, at the
  // first request, so no request pays for defining a property of its own), which pino-http's assignment goes through.
  const lazyLogs = new WeakSet<object>()
  const lazyLog = (req: Request): void => {
    const proto = Object.getPrototypeOf(req) as object
    if (lazyLogs.has(proto)) return
    lazyLogs.add(proto)
    Object.defineProperty(proto, 'log', {
      configurable: true,
      get(this: Request & { [CHILD]?: Logger }) {
        return (this[CHILD] ??= logger.child({ reqId: this.id }))
      },
      set(this: Request & { [CHILD]?: Logger }, value: Logger) {
        this[CHILD] = value
      },
    })
  }

  return (req, res, next) => {
    const route = hotPath(req)
    if (route === undefined) return everyRequest(req, res, next)
    lazyLog(req)
    const started = performance.now()
    res.on('close', () => {
      const ms = performance.now() - started
      const status = res.writableFinished ? res.statusCode : 'aborted'
      if (typeof status === 'number' && status < 400 && !wrote(res)) {
        const w = windows.get(route) ?? { requests: 0, totalMs: 0, slowestMs: 0, statuses: {} }
        windows.set(route, w)
        w.requests++
        w.totalMs += ms
        if (ms > w.slowestMs) w.slowestMs = ms
        w.statuses[status] = (w.statuses[status] ?? 0) + 1
        return
      }
      const level = status === 'aborted' || status < 500 ? 'info' : 'error'
      ;(req as Request & { log: Logger }).log[level](
        { req: pino.stdSerializers.req(req as never), res: { statusCode: status === 'aborted' ? null : status }, responseTime: Math.round(ms) },
        status === 'aborted' ? 'request aborted' : 'request completed',
      )
    })
    next()
  }
}
