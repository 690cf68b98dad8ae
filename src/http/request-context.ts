// Who is asking and in answer to what: the request id, correlation id and
// client address that go into every event's metadata and every log line.
import type { Request } from 'express'
import { v4 as uuid } from 'uuid'
import type {} from 'pino-http'
import type { CommandMeta } from '../application/metadata.js'

const ID = /^[A-Za-z0-9._:-]{1,128}$/

/** The caller's request id when it sent a sane one, else a new one. */
export const requestIdFor = (req: Request): string => {
  const given = req.get('x-request-id')
  return given !== undefined && ID.test(given) ? given : uuid()
}

export { requestScope, type RequestScope } from '../logger.js'

export const requestIdOf = (req: Request): string => String(req.id)

export const clientIpOf = (req: Request): string | null => req.ip ?? req.socket.remoteAddress ?? null

export const commandMeta = (req: Request, actor: string | null, idempotencyKey: string | null = null): CommandMeta => {
  const requestId = requestIdOf(req)
  const correlation = req.get('x-correlation-id')
  return {
    actor,
    requestId,
    correlationId: correlation !== undefined && ID.test(correlation) ? correlation : requestId,
    // The request is what caused the events it writes.
    causationId: requestId,
    clientIp: clientIpOf(req),
    idempotencyKey,
  }
}
