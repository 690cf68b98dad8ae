// The Express application: request ids and logging first, then each API's
// router, then answers in the right dialect for unknown paths, wrong methods
// and anything unexpected. The HTTP layer stays thin: decode, call the
// application, encode. A request goes straight to the router of the API that
// owns its path, not through every API's routes before it; no ETag is
// computed (no client of these APIs sends If-None-Match, and hashing every
// JSON answer costs a heartbeat's worth of CPU).
import express, { Router, type ErrorRequestHandler, type Express, type RequestHandler } from 'express'
import { accessLog } from './access-log.js'
import type { ApiModule } from './api-module.js'
import { adminDialect } from './admin/dialect.js'
import type { HttpDeps } from './deps.js'
import { atLogPosition } from './endpoint.js'
import { apiModules } from './modules.js'
import { timeRequests } from './metrics.js'
import { documentedMethods, openApiDocument } from './openapi.js'
import { reply, send, type Dialect } from './reply.js'
import { requestIdFor } from './request-context.js'

/** Answered most (every client, every minute): logged as a summary, not line by line (access-log.ts). */
export const HOT_ROUTES = ['/v1/license/heartbeat']

export interface AppOptions {
  readonly version: string
  /** Express's `trust proxy`: which forwarding proxies to believe about the client address. */
  readonly trustProxy?: boolean | number | string
  readonly modules?: readonly ApiModule[]
}

export const createApp = (deps: HttpDeps, options: AppOptions): Express => {
  const modules = options.modules ?? apiModules
  const document = openApiDocument(modules, options.version)
  const dialectFor = (path: string): Dialect => modules.find((m) => m.owns(path))?.dialect ?? adminDialect

  const app = express()
  app.disable('x-powered-by')
  app.set('etag', false)
  app.set('trust proxy', options.trustProxy ?? false)

  const withRequestId: RequestHandler = (req, res, next) => {
    const id = requestIdFor(req)
    req.id = id
    res.setHeader('X-Request-Id', id)
    next()
  }
  // Timed, given its id, logged: one middleware calling the three in turn (two fewer trips through the router).
  const timed = timeRequests(deps.metrics)
  const logged = accessLog(deps.logger, { hot: HOT_ROUTES })
  const inTurn =
    (...handlers: readonly RequestHandler[]): RequestHandler =>
    (req, res, next) => {
      const step = (i: number) => (error?: unknown) => (error !== undefined || i === handlers.length ? next(error) : handlers[i]!(req, res, step(i + 1)))
      step(0)()
    }
  app.use(inTurn(timed, withRequestId, logged))

  app.get('/healthz', async (_req, res) => {
    const report = await deps.health()
    send(res, reply(report.ok ? 200 : 503, { status: report.ok ? 'ok' : 'unavailable', checks: report.checks }))
  })
  app.get('/openapi.json', (_req, res) => send(res, reply(200, document)))

  app.use(atLogPosition(deps.positions, dialectFor))

  // Each API's router, reached straight through the API that owns the path; what it does not answer (a path no
  // API owns, a case variant, a wrong method) goes on to every router in turn, as before, then to the answers below.
  const routed = modules.map((m) => ({ owns: m.owns, router: m.router(deps) }))
  app.use((req, res, next) => {
    const path = req.path
    const owner = routed.find((r) => r.owns(path))
    return owner === undefined ? next() : owner.router(req, res, next)
  })
  const everyRouter = Router()
  for (const { router } of routed) everyRouter.use(router)
  app.use(everyRouter)

  // Nothing matched: a wrong method on a known path, or an unknown path.
  app.use((req, res) => {
    const dialect = dialectFor(req.path)
    const allowed = documentedMethods(document.paths, req.path)
    if (allowed.length > 0) {
      const answer = dialect.problem(405, { detail: `${req.method} is not supported here; use ${allowed.join(', ')}` })
      return send(res, { ...answer, headers: { ...answer.headers, Allow: allowed.join(', ') } })
    }
    send(res, dialect.problem(404, { detail: `no such endpoint: ${req.method} ${req.path}` }))
  })

  // Errors that escaped a handler (a middleware threw): never a stack trace.
  const lastResort: ErrorRequestHandler = (error, req, res, _next) => {
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500
    if (status === 500) req.log.error({ err: error }, 'unhandled error')
    if (!res.headersSent) send(res, dialectFor(req.path).problem(status))
  }
  app.use(lastResort)

  return app
}
