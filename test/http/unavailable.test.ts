// Infrastructure that is unavailable for now (application/unavailable.ts) is
// answered 503 with Retry-After, in every dialect's own envelope, through the
// one endpoint wrapper: a real Express app on loopback.
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCommandHandler } from '../../src/application/command-handler.js'
import { Unavailable } from '../../src/application/unavailable.js'
import { adminDialect } from '../../src/http/admin/dialect.js'
import { babelDialect } from '../../src/http/babel/dialect.js'
import { cryptlexDialect } from '../../src/http/cryptlex/dialect.js'
import { dnaDialect } from '../../src/http/dna/dialect.js'
import { endpoint } from '../../src/http/endpoint.js'
import { lacDialect } from '../../src/http/lac/dialect.js'
import type { Dialect } from '../../src/http/reply.js'
import { rillsoftDialect } from '../../src/http/rillsoft/dialect.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'

const dialects: readonly Dialect[] = [adminDialect, babelDialect, cryptlexDialect, dnaDialect, lacDialect, rillsoftDialect]

describe('an unavailable store or read model', () => {
  let server: Server
  let url: string
  const store = createSqliteEventStore({ path: ':memory:' })
  const { session } = createCommandHandler({ store, clock: () => new Date() })
  beforeAll(async () => {
    const app = express()
    const log = pino({ level: 'silent' })
    app.use((req, _res, next) => {
      req.log = log
      next()
    })
    for (const dialect of dialects) {
      app.get(`/${dialect.name}`, endpoint(dialect, session, async () => {
        throw new Unavailable('the event store cannot be reached', 2.5)
      }))
    }
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
    })
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise<void>((done) => server.close(() => done()))
    await store.close()
  })

  it.each(dialects.map((d) => [d.name, d] as const))('is a 503 with Retry-After in the %s dialect', async (_name, dialect) => {
    const res = await fetch(`${url}/${dialect.name}`)
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('3')
    const text = await res.text()
    expect(JSON.parse(text)).toEqual(dialect.problem(503, { detail: 'the event store cannot be reached' }).body)
    expect(text).not.toMatch(/at .*\.ts:\d+|Error:/)
  })
})
