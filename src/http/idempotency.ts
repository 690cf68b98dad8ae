// Idempotent writes: a write that carries an Idempotency-Key is done once,
// whichever nodes it is sent to; the same request sent again with the same
// key (a client retrying after a timeout) gets the first reply again and
// changes nothing. The key is claimed in the log before the work and the
// first reply kept there after it (application/idempotency.ts), scoped by a
// hash of the authenticated principal's id and the key (not the header's
// text: `Bearer` and `bearer ` and x-api-key name one principal); the key also goes into the metadata of the
// events the write appended. As the IETF Idempotency-Key draft has it, the same
// key with another request is a 422, and a retry while the first request is
// still at work a 409 (here only once it has waited a while for that work).
import { createHash } from 'node:crypto'
import type { Request } from 'express'
import type { IdempotentWrites, KeptReply } from '../application/idempotency.js'
import { systemMeta } from '../application/metadata.js'
import type { Session } from '../application/session.js'
import type { Principal } from '../application/credentials.js'
import { withLogPosition } from './log-position.js'
import { requestIdOf } from './request-context.js'
import { retryLater, withRequestIdIn, type Dialect, type Reply } from './reply.js'

const KEY = /^[\x21-\x7e]{1,255}$/

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

/** Replies worth replaying: outcomes of the request itself, not of the moment (auth, rate limits, server faults). */
const keeps = (status: number): boolean => status < 500 && status !== 401 && status !== 403 && status !== 429

export interface IdempotentOptions {
  /** What of the reply may be kept; a reply carrying a secret is kept without it. */
  readonly keep?: (reply: Reply) => Reply
}

const replayed = ({ status, headers, body }: KeptReply): Reply => ({
  status,
  ...(body === undefined || body === null ? {} : { body }),
  headers: { ...headers, 'Idempotent-Replayed': 'true' },
})

export const createIdempotency = (writes: IdempotentWrites) => {
  /** Runs `work` once per (principal, key); `work` receives the key to record in its events' metadata. */
  const run = async (
    req: Request,
    session: Session,
    dialect: Dialect,
    principal: Principal,
    work: (idempotencyKey: string | null) => Promise<Reply>,
    options: IdempotentOptions = {},
  ): Promise<Reply> => {
    const key = req.get('idempotency-key')
    if (key === undefined) return work(null)
    if (!KEY.test(key)) {
      return dialect.problem(400, { fields: [{ field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }] })
    }
    // The fingerprint's JSON.stringify meets only bodies the parsers bounded (json-body.ts, and seed 004's
    // own parser, refuse one nested too deep before any work); a route without a parser has no body.
    const use = {
      scope: sha256(`${principal.credentialId}\u0000${key}`),
      fingerprint: sha256(`${req.method}\u0000${req.originalUrl}\u0000${JSON.stringify(req.body ?? null)}`),
    }
    // The reply, first and replayed, carries the log position of the work: a read given it sees what the work wrote.
    const positioned = async (): Promise<Reply> => withLogPosition(await work(key), session.written())
    const kept = (answer: Reply): KeptReply | null => {
      if (!keeps(answer.status)) return null
      const { status, headers, body } = withRequestIdIn(options.keep?.(answer) ?? answer, requestIdOf(req))
      return { status, headers: { ...headers }, body: body ?? null }
    }
    const outcome = await writes.once(session, use, systemMeta('idempotency', requestIdOf(req), requestIdOf(req)), positioned, kept)
    switch (outcome._tag) {
      case 'Done':
        return outcome.value
      case 'Replayed':
        return replayed(outcome.reply)
      case 'KeyReused':
        return dialect.problem(422, { detail: 'this Idempotency-Key was already used for a different request' })
      case 'InProgress':
        return retryLater(dialect.problem(409, { detail: 'a request with this Idempotency-Key is still being processed; try again later' }), outcome.retryAfterSeconds)
    }
  }

  return { run }
}
export type Idempotency = ReturnType<typeof createIdempotency>
