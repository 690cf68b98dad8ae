// Streamed answers keep one page in memory: the next page is read only after
// the last one was written and, when the socket's buffer was full, drained.
import { EventEmitter } from 'node:events'
import type { Response } from 'express'
import { describe, expect, it } from 'vitest'
import { streamPages } from '../../src/http/stream.js'

/** A response whose buffer is full after every write, until the test drains it. */
const slowClient = () => {
  const emitter = new EventEmitter()
  const written: string[] = []
  const res = Object.assign(emitter, {
    destroyed: false,
    writableEnded: false,
    status: () => res,
    set: () => res,
    write: (chunk: string) => {
      written.push(chunk)
      return false
    },
    end: () => {
      res.writableEnded = true
    },
    req: { log: { error: () => undefined } },
  })
  return { res, written, drain: () => emitter.emit('drain'), close: () => { res.destroyed = true; emitter.emit('close') } }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('streaming pages', () => {
  it('given a client that has not taken the last page, when streaming, then the next page is not read yet', async () => {
    const client = slowClient()
    const pulled: number[] = []
    function* pages() {
      for (let page = 1; page <= 3; page += 1) {
        pulled.push(page)
        yield [page]
      }
    }
    const done = streamPages(client.res as unknown as Response, { contentType: 'text/plain', filename: 'x' }, 'head\n', pages(), (n) => `${n}\n`)

    await settle()
    expect(client.written).toEqual(['head\n'])
    expect(pulled).toEqual([])
    client.drain()
    await settle()
    expect(client.written).toEqual(['head\n', '1\n'])
    expect(pulled).toEqual([1])
    client.drain()
    await settle()
    client.drain()
    await settle()
    client.drain()
    await done
    expect(client.written).toEqual(['head\n', '1\n', '2\n', '3\n'])
    expect(client.res.writableEnded).toBe(true)
  })

  it('given a client that goes away, when streaming, then no further page is read', async () => {
    const client = slowClient()
    const pulled: number[] = []
    function* pages() {
      for (let page = 1; ; page += 1) {
        pulled.push(page)
        yield [page]
      }
    }
    const done = streamPages(client.res as unknown as Response, { contentType: 'text/plain', filename: 'x' }, '', pages(), (n) => `${n}\n`)
    await settle()
    client.close()
    await done
    expect(pulled).toEqual([1])
    expect(client.res.writableEnded).toBe(false)
  })
})
