// /openapi.json describes every route the server really has, and nothing else.
import type { Express } from 'express'
import { describe, expect, it } from 'vitest'
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
})
