// Who is asking and in answer to what: the request id, correlation id and
// client address that go into every event's metadata and every log line.
import { randomBytes } from 'node:crypto'
import type { Request } from 'express'
import type {} from 'pino-http'
import type { CommandMeta } from '../application/metadata.js'

const ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * A new request id, shaped as a version 4 UUID: 80 random bits drawn once per process, then a 48-bit counter
 * (from a random start). Unique across processes and restarts as a random UUID is, for a counter's cost instead
 * of a random draw per request; only its last twelve digits tell one request of a process from the next.
 */
export const newRequestId = (() => {
  const random = randomBytes(16).toString('hex')
  const prefix = `${random.slice(0, 8)}-${random.slice(8, 12)}-4${random.slice(13, 16)}-${((parseInt(random[16]!, 16) & 0x3) | 0x8).toString(16)}${random.slice(17, 20)}-`
  let counter = parseInt(random.slice(20, 32), 16) % 2 ** 47
  return (): string => {
    counter = (counter + 1) % 2 ** 48
    return prefix + counter.toString(16).padStart(12, '0')
  }
})()

/** The caller's request id when it sent a sane one, else a new one. */
export const requestIdFor = (req: Request): string => {
  const given = req.headers['x-request-id']
  return typeof given === 'string' && ID.test(given) ? given : newRequestId()
}

export const requestIdOf = (req: Request): string => String(req.id)

export const clientIpOf = (req: Request): string | null => req.ip ?? req.socket.remoteAddress ?? null

export const commandMeta = (req: Request, actor: string | null, idempotencyKey: string | null = null): CommandMeta => {
  const requestId = requestIdOf(req)
  const correlation = req.headers['x-correlation-id']
  return {
    actor,
    requestId,
    correlationId: typeof correlation === 'string' && ID.test(correlation) ? correlation : requestId,
    // The request is what caused the events it writes.
    causationId: requestId,
    // Read now, not when an event is encoded: by then the request may have waited for its stream's turn and its
    // client gone, and a closed socket has no address.
    clientIp: clientIpOf(req),
    idempotencyKey,
  }
}
