// The access log's summary of hot routes (access-log.ts), on a real Express
// app on loopback writing to a real pino logger: quiet successes on a hot
// route are counted and summed up once a window has passed; others get a line each.
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/logger.js'
import { accessLog, markWritten } from '../../src/http/access-log.js'
import { eventually } from '../support/eventually.js'

describe('access log', () => {
  const lines: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  let url = ''
  let close = (): void => undefined

  beforeAll(async () => {
    const app = express()
    app.use((req, _res, next) => {
      req.id = `id-${req.get('x-n') ?? 'none'}`
      next()
    })
    app.use(accessLog(createLogger('info', sink), { hot: ['/hot'], summaryMs: 200 }))
    app.post('/hot', (req, res) => {
      if (req.get('x-write') !== undefined) markWritten(res)
      res.status(Number(req.get('x-status') ?? 200)).json({ ok: true })
    })
    app.post('/cold', (_req, res) => res.json({ ok: true }))
    const server = app.listen(0, '127.0.0.1')
    await new Promise((done) => server.once('listening', done))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    close = () => server.close()
  })
  afterAll(() => close())

  const post = (path: string, headers: Record<string, string> = {}) => fetch(`${url}${path}`, { method: 'POST', headers })

  it('sums up quiet successes on a hot route, and logs a write, a failure and any other route line by line', async () => {
    for (let n = 0; n < 4; n++) await post('/hot', { 'x-n': String(n) })
    await post('/hot', { 'x-n': 'w', 'x-write': '1' })
    await post('/hot', { 'x-n': 'f', 'x-status': '403' })
    await post('/cold', { 'x-n': 'c', authorization: 'Bearer secret-value' })
    // The four may fall into two windows: summed up over the lines.
    const summaries = () => lines.filter((l) => l.msg === 'requests summarised') as { route: string; requests: number; statuses: Record<string, number> }[]
    const counted = () => summaries().reduce((sum, l) => sum + l.requests, 0)
    await eventually(() => (counted() >= 4 ? true : undefined), 10_000, 'the summary lines')
    expect(counted()).toBe(4)
    expect(summaries().every((l) => l.route === '/hot' && l.statuses['200'] === l.requests)).toBe(true)
    const perRequest = lines.filter((l) => l.msg === 'request completed').map((l) => [l.reqId, (l.req as { url: string }).url, (l.res as { statusCode: number }).statusCode])
    expect(perRequest).toEqual([
      ['id-w', '/hot', 200],
      ['id-f', '/hot', 403],
      ['id-c', '/cold', 200],
    ])
    const raw = JSON.stringify(lines)
    expect(raw).not.toContain('secret-value')
  })
})
