// The OpenAPI 3.1 description of every endpoint, assembled from each API's
// own fragment; served at /openapi.json and checked against the real routes.
import type { ApiModule, OpenApiOperation, OpenApiPaths } from './api-module.js'
import { LOG_POSITION } from './log-position.js'
import { finishPaths, finishSchemas, requestSchemas } from './openapi-finish.js'
import { header, json } from './openapi-helpers.js'

const systemPaths: OpenApiPaths = {
  '/healthz': {
    get: {
      tags: ['System'],
      operationId: 'getHealth',
      security: [],
      summary: 'Liveness and readiness: the event store and the projections.',
      responses: {
        '200': json({ type: 'object', properties: { status: { const: 'ok' }, checks: { type: 'object' } } }),
        '503': json({ type: 'object', properties: { status: { const: 'unavailable' }, checks: { type: 'object' } } }, 'Unavailable.'),
      },
    },
  },
  '/openapi.json': {
    get: { tags: ['System'], operationId: 'getOpenApiDocument', summary: 'This document.', security: [], responses: { '200': json({ type: 'object' }) } },
  },
}

const WRITES = new Set(['post', 'put', 'patch', 'delete'])
const logPositionSent = header(LOG_POSITION, "A log position a write's reply gave (on any node): answered once this node holds it, else 503 with Retry-After.")
const logPositionAnswered = { description: 'The log position of what this request wrote; send it back (to any node) to read it.', schema: { type: 'string', pattern: '^\\d+$' } }

/** Every operation takes X-Log-Position, and a write's 2xx answers it (log-position.ts): read-your-writes on any node. */
const withLogPositions = (paths: OpenApiPaths): OpenApiPaths => {
  const operation = (method: string, op: OpenApiOperation): OpenApiOperation => {
    const responses = Object.entries((op.responses ?? {}) as Record<string, Record<string, unknown>>).map(([status, response]) =>
      WRITES.has(method) && status.startsWith('2') ? [status, { ...response, headers: { ...(response.headers as object), [LOG_POSITION]: logPositionAnswered } }] : [status, response],
    )
    return { ...op, parameters: [...((op.parameters ?? []) as unknown[]), logPositionSent], responses: Object.fromEntries(responses) }
  }
  return Object.fromEntries(
    Object.entries(paths).map(([path, operations]) => [path, Object.fromEntries(Object.entries(operations).map(([method, op]) => [method, operation(method, op)]))]),
  )
}

export const openApiDocument = (modules: readonly ApiModule[], version: string) => {
  const paths = Object.assign(
    {},
    finishPaths(systemPaths, { schema: 'AdminError' }),
    ...modules.map((m) => finishPaths(withLogPositions(m.openapi.paths), m.openapi.errors ?? null)),
  ) as OpenApiPaths
  const schemas = Object.assign({}, ...modules.map((m) => m.openapi.schemas ?? {})) as Record<string, unknown>
  return {
    openapi: '3.1.0',
    info: {
      title: 'Licensing engine',
      version,
      description:
        'An event-sourced licensing engine. It speaks the APIs of five licensing products, each in its own dialect, and an admin API of its own.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    // Relative: the engine that served this document (a client generated from it is given its base URL).
    servers: [{ url: '/', description: 'The engine this document was fetched from.' }],
    tags: [{ name: 'System', description: 'Health and description.' }, ...modules.flatMap((m) => m.openapi.tags ?? [])],
    paths,
    webhooks: Object.assign({}, ...modules.map((m) => m.openapi.webhooks ?? {})) as OpenApiPaths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key or the admin token.' },
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        basic: { type: 'http', scheme: 'basic', description: '<clientId>:<apiKey>' },
      },
      schemas: finishSchemas(schemas, requestSchemas(paths, schemas)),
    },
  }
}
export type OpenApiDocument = ReturnType<typeof openApiDocument>

/** The methods the document lists for a concrete path, for 405 replies. */
export const documentedMethods = (paths: OpenApiPaths, path: string): string[] => {
  for (const [template, operations] of Object.entries(paths)) {
    // Case-insensitive, as Express matches routes.
    const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}/?$`, 'i')
    if (pattern.test(path)) return Object.keys(operations).map((m) => m.toUpperCase())
  }
  return []
}
