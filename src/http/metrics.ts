// GET /metrics: the engine's metrics in Prometheus's text format, for an
// admin credential (Bearer); METRICS_PORT serves them without one on a port
// of their own (main.ts). And the middleware that times every request by its
// route template, method and status: one histogram observation per request.
import { Router, type RequestHandler } from 'express'
import type { Metrics } from '../metrics/registry.js'
import { adminEndpoints } from './admin/auth.js'
import type { ApiModule } from './api-module.js'
import { adminDialect } from './admin/dialect.js'
import type { HttpDeps } from './deps.js'
import { json, ref } from './openapi-helpers.js'
import { reply } from './reply.js'

export const timeRequests =
  (metrics: Metrics): RequestHandler =>
  (req, res, next) => {
    const started = performance.now()
    res.on('finish', () => {
      // The template of the route that answered, as routed (not the concrete path: its cardinality is unbounded).
      const route = (req.route as { path?: unknown } | undefined)?.path
      metrics.request(typeof route === 'string' ? route : 'unmatched', req.method, res.statusCode, (performance.now() - started) / 1000)
    })
    next()
  }

/** The exposition, with its content type. */
export const exposition = async (metrics: Metrics) => ({ contentType: metrics.registry.contentType, text: await metrics.registry.metrics() })

const createMetricsRouter = (deps: HttpDeps): Router => {
  const admin = adminEndpoints(deps)
  return Router().get(
    '/metrics',
    admin.read(async () => {
      const { contentType, text } = await exposition(deps.metrics)
      return { ...reply(200, text, { 'Content-Type': contentType, 'Cache-Control': 'no-store' }), raw: true }
    }),
  )
}

export const metricsModule: ApiModule = {
  name: 'metrics',
  dialect: adminDialect,
  owns: (path) => path === '/metrics',
  router: createMetricsRouter,
  openapi: {
    errors: { schema: 'AdminError' },
    tags: [{ name: 'Metrics', description: 'Prometheus metrics, for an admin credential (or without one on METRICS_PORT).' }],
    paths: {
      '/metrics': {
        get: {
          tags: ['Metrics'],
          operationId: 'getMetrics',
          summary: 'The metrics in the Prometheus text exposition format (requests, live seats, lag, webhooks, group commits, Node).',
          security: [{ bearer: [] }],
          responses: {
            '200': {
              description: 'The metrics.',
              content: { 'text/plain': { schema: { type: 'string' }, example: '# HELP licensing_licenses License orders.\n# TYPE licensing_licenses gauge\nlicensing_licenses 3\n' } },
            },
            '401': json(ref('AdminError'), 'Missing, invalid, expired or revoked credential.'),
            '403': json(ref('AdminError'), 'The credential is not an admin credential.'),
          },
        },
      },
    },
  },
}
