// The Express application: request ids and logging first, then each API's
// router, then answers in the right dialect for unknown paths, wrong methods
// and anything unexpected. The HTTP layer stays thin: decode, call the
// application, encode. A request goes straight to the router of the API that
// owns its path, not through every API's routes before it; no ETag is
// computed (no client of these APIs sends If-None-Match, and hashing every
// JSON answer costs a heartbeat's worth of CPU). A route with a plain path
// (a heartbeat's) is reached by its method and path at once, without a walk
// over the app's layers and its router's.
import express, { Router, type ErrorRequestHandler, type Express, type Request, type RequestHandler } from 'express'
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

/** What of an Express route this app dispatches to directly. */
interface PlainRoute {
  readonly path: string
  readonly methods: Readonly<Record<string, boolean | undefined>>
  readonly dispatch: (req: Request, res: Parameters<RequestHandler>[1], done: (error?: unknown) => void) => void
}

const PLAIN_PATH = /^\/[A-Za-z0-9._~/-]*[A-Za-z0-9._~-]$/

/**
 * The routes each router answers first for a plain path (no parameters), by method and path: those before any
 * other kind of layer in its stack (a middleware or a parameter could answer before a later one), of the first
 * module that owns the path, as the app routes it. What is not here goes through the routers as before.
 */
const plainRoutes = (routed: readonly { readonly owns: (path: string) => boolean; readonly router: Router }[]): ReadonlyMap<string, ReadonlyMap<string, PlainRoute>> => {
  const byMethodAndPath = new Map<string, Map<string, PlainRoute>>()
  for (const { router } of routed) {
    for (const layer of router.stack as readonly { readonly route?: PlainRoute }[]) {
      const route = layer.route
      if (route === undefined || typeof route.path !== 'string' || !PLAIN_PATH.test(route.path)) break
      if (routed.find((r) => r.owns(route.path))?.router !== router) continue
      for (const method of Object.keys(route.methods)) {
        if (method === '_all') continue
        const byPath = byMethodAndPath.get(method.toUpperCase()) ?? new Map<string, PlainRoute>()
        byMethodAndPath.set(method.toUpperCase(), byPath)
        if (!byPath.has(route.path)) byPath.set(route.path, route)
      }
    }
  }
  return byMethodAndPath
}

const DISPATCHED = Symbol('dispatched directly')

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
  // Each API's router, built once: reached straight through the API that owns the path, or, for a plain route,
  // at once by its method and path (below).
  const routed = modules.map((m) => ({ owns: m.owns, router: m.router(deps) }))
  const plain = plainRoutes(routed)
  // Only without X-Log-Position (atLogPosition below does nothing then); /healthz and /openapi.json are no module's.
  const direct: RequestHandler = (req, res, next) => {
    if (req.headers['x-log-position'] !== undefined) return next()
    const query = req.url.indexOf('?')
    const route = plain.get(req.method)?.get(query < 0 ? req.url : req.url.slice(0, query))
    if (route === undefined) return next()
    // A route that lets the request go on (no handler answered) goes on to the answers for what nothing matched.
    ;(req as Request & { [DISPATCHED]?: true })[DISPATCHED] = true
    route.dispatch(req, res, next)
  }
  const dispatched = (req: Request): boolean => (req as Request & { [DISPATCHED]?: true })[DISPATCHED] === true
  app.use(inTurn(timed, withRequestId, logged, direct))

  app.get('/healthz', async (_req, res) => {
    const report = await deps.health()
    send(res, reply(report.ok ? 200 : 503, { status: report.ok ? 'ok' : 'unavailable', checks: report.checks }))
  })
  app.get('/openapi.json', (_req, res) => send(res, reply(200, document)))

  app.use(atLogPosition(deps.positions, dialectFor))

  // What no plain route answered goes straight to the router of the API that owns the path; what that does not
  // answer (a path no API owns, a case variant, a wrong method) goes on to every router in turn, then to the answers below.
  app.use((req, res, next) => {
    if (dispatched(req)) return next()
    const path = req.path
    const owner = routed.find((r) => r.owns(path))
    return owner === undefined ? next() : owner.router(req, res, next)
  })
  const everyRouter = Router()
  // A request a plain route had leaves at once (mounted as it is, so that the app's stack still shows every route).
  everyRouter.use((req, _res, next) => next(dispatched(req) ? 'router' : undefined))
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
