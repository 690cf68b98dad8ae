// The baselines of the heartbeat benchmark: a JSON echo on the heartbeat's
// path, in its own process as the engine is, written with raw node:http,
// Fastify, or Express 5 + express.json (the framework the engine uses: the
// ceiling for what one of its routes can do). Prints `listening <port>`.
//   node --import tsx bench/echo-server.ts raw|fastify|express
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import Fastify from 'fastify'

const PATH = '/v1/license/heartbeat'
const kind = process.argv[2]

const listening = (port: number): void => {
  console.log(`listening ${port}`)
}

if (kind === 'raw') {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== PATH) {
        res.writeHead(404).end()
        return
      }
      const body = JSON.stringify(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body)
    })
  })
  server.listen(0, '127.0.0.1', () => listening((server.address() as AddressInfo).port))
} else if (kind === 'fastify') {
  const app = Fastify({ logger: false })
  app.post(PATH, async (request) => request.body)
  await app.listen({ port: 0, host: '127.0.0.1' })
  listening((app.server.address() as AddressInfo).port)
} else if (kind === 'express') {
  const app = express()
  app.post(PATH, express.json(), (req, res) => {
    res.json(req.body)
  })
  const server = app.listen(0, '127.0.0.1', () => listening((server.address() as AddressInfo).port))
} else {
  console.error('usage: echo-server.ts raw|fastify|express')
  process.exit(2)
}
process.once('SIGTERM', () => process.exit(0))
