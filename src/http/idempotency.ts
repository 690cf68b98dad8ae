// Idempotent writes: a write that carries an Idempotency-Key is answered once;
// the same request sent again with the same key (a client retrying after a
// timeout) gets the first reply again and changes nothing. The first reply is
// kept in the log, scoped by credential and key; the key also goes into the
// metadata of the events the write appended.
import { createHash } from 'node:crypto'
import * as E from 'fp-ts/Either'
import type { Request } from 'express'
import { IdempotencyAggregate } from '../application/aggregates.js'
import type { CommandHandler } from '../application/command-handler.js'
import { createKeyedLock } from '../application/keyed-lock.js'
import { systemMeta } from '../application/metadata.js'
import { idempotencyStream } from '../domain/idempotency/index.js'
import { presentedCredential } from './credentials.js'
import { requestIdOf } from './request-context.js'
import type { Dialect, Reply } from './reply.js'

const KEY = /^[\x21-\x7e]{1,255}$/

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

/** Replies worth replaying: outcomes of the request itself, not of the moment (auth, rate limits, server faults). */
const keeps = (status: number): boolean => status < 500 && status !== 401 && status !== 403 && status !== 429

export interface IdempotentOptions {
  /** What of the reply may be kept; a reply carrying a secret is kept without it. */
  readonly keep?: (reply: Reply) => Reply
}

export const createIdempotency = (handler: CommandHandler) => {
  const lock = createKeyedLock()

  /** Runs `work` once per (credential, key); `work` receives the key to record in its events' metadata. */
  const run = async (
    req: Request,
    dialect: Dialect,
    work: (idempotencyKey: string | null) => Promise<Reply>,
    options: IdempotentOptions = {},
  ): Promise<Reply> => {
    const key = req.get('idempotency-key')
    if (key === undefined) return work(null)
    if (!KEY.test(key)) {
      return dialect.problem(400, { fields: [{ field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }] })
    }
    const scope = sha256(`${presentedCredential(req)}\u0000${key}`)
    const fingerprint = sha256(`${req.method}\u0000${req.originalUrl}\u0000${JSON.stringify(req.body ?? null)}`)
    const stream = idempotencyStream(scope)
    return lock.run(scope, async () => {
      const { state: first } = await handler.load(IdempotencyAggregate, stream)
      if (first !== null) {
        if (first.fingerprint !== fingerprint) {
          return dialect.problem(422, { detail: 'this Idempotency-Key was already used for a different request' })
        }
        return {
          status: first.status,
          ...(first.body === undefined || first.body === null ? {} : { body: first.body }),
          headers: { ...first.headers, 'Idempotent-Replayed': 'true' },
        }
      }
      const answer = await work(key)
      if (keeps(answer.status)) {
        const kept = options.keep?.(answer) ?? answer
        const recorded = await handler.handle(
          IdempotencyAggregate,
          { type: 'RecordReply', scope, fingerprint, status: kept.status, headers: { ...kept.headers }, body: kept.body ?? null },
          {},
          systemMeta('idempotency', requestIdOf(req), requestIdOf(req)),
        )
        if (E.isLeft(recorded)) throw new Error(`could not record the reply for an idempotency key: ${recorded.left._tag}`)
      }
      return answer
    })
  }

  return { run }
}
export type Idempotency = ReturnType<typeof createIdempotency>
