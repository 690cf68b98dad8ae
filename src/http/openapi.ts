// The OpenAPI 3.1 description of every endpoint, assembled from each API's
// own fragment; served at /openapi.json and checked against the real routes.
import type { ApiModule, OpenApiPaths } from './api-module.js'
import { json, str } from './openapi-helpers.js'

const systemPaths: OpenApiPaths = {
  '/healthz': {
    get: {
      tags: ['System'],
      summary: 'Liveness and readiness: the event store and the projections.',
      responses: {
        '200': json({ type: 'object', properties: { status: { const: 'ok' }, checks: { type: 'object' } } }),
        '503': json({ type: 'object', properties: { status: { const: 'unavailable' }, checks: { type: 'object' } } }, 'Unavailable.'),
      },
    },
  },
  '/openapi.json': {
    get: { tags: ['System'], summary: 'This document.', responses: { '200': json({ type: 'object' }) } },
  },
}

export const openApiDocument = (modules: readonly ApiModule[], version: string) => ({
  openapi: '3.1.0',
  info: {
    title: 'Licensing engine',
    version,
    description:
      'An event-sourced licensing engine. It speaks the APIs of five licensing products, each in its own dialect, and an admin API of its own.',
  },
  tags: [{ name: 'System', description: 'Health and description.' }, ...modules.flatMap((m) => m.openapi.tags ?? [])],
  paths: Object.assign({}, systemPaths, ...modules.map((m) => m.openapi.paths)) as OpenApiPaths,
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', description: 'An API key or the admin token.' },
      apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      basic: { type: 'http', scheme: 'basic', description: '<clientId>:<apiKey>' },
    },
    schemas: Object.assign({ Text: str }, ...modules.map((m) => m.openapi.schemas ?? {})),
  },
})
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
