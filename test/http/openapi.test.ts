// /openapi.json describes every route the server really has, and nothing else.
import { createConfig, lintFromString } from '@redocly/openapi-core'
import type { Express } from 'express'
import { beforeAll, describe, expect, it } from 'vitest'
import { useEngine } from '../support/engine.js'
import { client } from '../support/server.js'

interface Layer {
  readonly route?: { readonly path: string; readonly methods: Record<string, boolean> }
  readonly handle?: { readonly stack?: readonly Layer[] }
}

/** Every "METHOD /path" the Express app routes, with :params written as OpenAPI {params}. */
const routesOf = (app: Express): string[] => {
  const found: string[] = []
  const walk = (stack: readonly Layer[]): void => {
    for (const layer of stack) {
      if (layer.route !== undefined) {
        const path = layer.route.path.replace(/:([A-Za-z_]+)/g, '{$1}')
        for (const method of Object.keys(layer.route.methods)) if (method !== '_all') found.push(`${method.toUpperCase()} ${path}`)
      } else if (layer.handle?.stack !== undefined) {
        walk(layer.handle.stack)
      }
    }
  }
  walk((app as unknown as { router: { stack: readonly Layer[] } }).router.stack)
  return [...new Set(found)].sort()
}

describe('OpenAPI description', () => {
  const server = useEngine()

  it('is OpenAPI 3.1 and lists exactly the routes the server has', async () => {
    const res = await client(server).get('/openapi.json', { token: null })
    expect(res.status).toBe(200)
    expect(res.body.openapi).toBe('3.1.0')
    const documented = Object.entries(res.body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
      .sort()
    expect(documented).toEqual(routesOf(server.running.app))
  })

  it('documents responses for every operation and resolves every schema reference', async () => {
    const doc = (await client(server).get('/openapi.json', { token: null })).body
    for (const [path, operations] of Object.entries(doc.paths as Record<string, Record<string, { responses?: object }>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(Object.keys(operation.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(0)
      }
    }
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!)
    for (const name of refs) expect(doc.components.schemas, name).toHaveProperty(name)
  })

  // Fetched once: the lint takes seconds, longer than the server keeps an idle connection open.
  let served = ''
  beforeAll(async () => {
    served = (await client(server).get('/openapi.json', { token: null })).text
  })

  it('lints with Redocly (recommended rules) without an error', async () => {
    const problems = await lintFromString({ source: served, absoluteRef: 'openapi.json', config: await createConfig({ extends: ['recommended'] }) })
    const described = (p: (typeof problems)[number]) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`
    expect(problems.filter((p) => p.severity === 'error').map(described)).toEqual([])
    // Nor a warning, but that the public endpoints (health, this document, the token keys, the console's page) have no 4xx to give;
    // no-invalid-media-type-examples among them: the seeds' examples fit the schemas.
    const publicPaths = ['/healthz', '/openapi.json', '/.well-known/jwks.json', '/console'].map((path) => `#/paths/${path.replaceAll('/', '~1')}/get/responses`)
    const warnings = problems.filter((p) => !(p.ruleId === 'operation-4xx-response' && publicPaths.includes(p.location[0]?.pointer ?? '')))
    expect(warnings.map(described)).toEqual([])
  })

  it('gives every operation a unique operationId, its security (empty for the public ones) and its API\'s error envelope', () => {
    const doc = JSON.parse(served)
    expect(doc.servers).toEqual([{ url: '/', description: expect.any(String) }])
    const ids: string[] = []
    const publicOperations: string[] = []
    for (const [path, operations] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        ids.push(operation.operationId)
        expect(operation.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z0-9]+$/)
        expect(Array.isArray(operation.security), `${method} ${path}: security`).toBe(true)
        if (operation.security.length === 0) publicOperations.push(`${method.toUpperCase()} ${path}`)
        for (const status of ['500', '503']) expect(operation.responses[status], `${method} ${path} ${status}`).toBeDefined()
      }
    }
    expect(new Set(ids).size).toBe(ids.length)
    // The console's page and assets load without a credential; every request they make carries one.
    expect(publicOperations.sort()).toEqual(['GET /.well-known/jwks.json', 'GET /console', 'GET /console/{asset}', 'GET /healthz', 'GET /openapi.json'])
  })

  it('says which members of every object a response holds are required', () => {
    const doc = JSON.parse(served)
    const missing: string[] = []
    const walk = (schema: any, where: string): void => {
      if (Array.isArray(schema)) return schema.forEach((s, i) => walk(s, `${where}/${i}`))
      if (typeof schema !== 'object' || schema === null) return
      if (schema.properties !== undefined && Object.keys(schema.properties).length > 0 && !Array.isArray(schema.required)) missing.push(where)
      for (const [key, value] of Object.entries(schema)) if (key !== 'example' && key !== 'examples') walk(value, `${where}/${key}`)
    }
    for (const [path, operations] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, operation] of Object.entries(operations)) walk(operation.responses, `${method} ${path}`)
    }
    const requests = new Set<string>()
    const pending = [...JSON.stringify(Object.values(doc.paths).flatMap((ops: any) => Object.values(ops).map((op: any) => [op.requestBody, op.parameters]))).matchAll(/#\/components\/schemas\/([^"]+)/g)].map((m) => m[1]!)
    while (pending.length > 0) {
      const name = pending.pop()!
      if (requests.has(name)) continue
      requests.add(name)
      pending.push(...[...JSON.stringify(doc.components.schemas[name]).matchAll(/#\/components\/schemas\/([^"]+)/g)].map((m) => m[1]!))
    }
    for (const [name, schema] of Object.entries(doc.components.schemas)) if (!requests.has(name)) walk(schema, name)
    expect(missing).toEqual([])
  })

  it('types licenseToken as a string wherever a reply carries one (null only in the reply that grants nothing)', () => {
    const doc = JSON.parse(served)
    for (const [operation, flag] of [['activate', 'success'], ['request', 'granted'], ['validate', 'success']] as const) {
      const schema = doc.paths[`/v1/license/${operation}`].post.responses['200'].content['application/json'].schema
      const [given, refused] = schema.oneOf
      expect(given.properties[flag], operation).toEqual({ const: true })
      expect(given.properties.licenseToken.type, operation).toBe('string')
      expect(given.required, operation).toContain('licenseToken')
      expect(refused.properties[flag], operation).toEqual({ const: false })
      expect(refused.properties.licenseToken, operation).toEqual({ type: 'null' })
    }
  })
})
