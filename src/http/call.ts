// One request's work, as every API hands it on: the request, its session (so
// each stream it needs is read once, application/session.ts), the principal
// its credential names, and the Idempotency-Key its events record. `calls`
// builds the endpoints of one API: authenticate, count the request against the
// credential's rate limit, then run the work, once per Idempotency-Key when it writes.
import * as E from 'fp-ts/Either'
import type { Request, RequestHandler, Response } from 'express'
import type { Principal } from '../application/credentials.js'
import type { Failure } from '../application/failures.js'
import type { CommandMeta } from '../application/metadata.js'
import type { Session } from '../application/session.js'
import { logRefusal } from './credentials.js'
import type { HttpDeps } from './deps.js'
import { authenticatedBefore } from './credentials-first.js'
import { endpoint } from './endpoint.js'
import type { IdempotentOptions } from './idempotency.js'
import { throttled, type RateLimiter } from './rate-limit.js'
import type { Dialect, Reply } from './reply.js'
import { commandMeta } from './request-context.js'

export interface Call {
  readonly req: Request
  /** For answers written piece by piece (exports); any other answer is the Reply the work returns. */
  readonly res: Response
  readonly session: Session
  readonly principal: Principal
  readonly idempotencyKey: string | null
}

/** The metadata the call's events carry. */
export const metaOf = ({ req, principal, idempotencyKey }: Call): CommandMeta => commandMeta(req, principal.credentialId, idempotencyKey)

export interface CallsOptions {
  readonly dialect: Dialect
  /** The credential as this API carries it. */
  readonly credential: (req: Request) => string | null
  /** This API's failure map. */
  readonly failure: (failure: Failure) => Reply
  /** What the principal must reach before any work (the admin API: admin resources). */
  readonly allowed?: (principal: Principal) => E.Either<Failure, unknown>
  /** This API's requests per credential (429 in its dialect past the limit); null or absent: none. */
  readonly limit?: RateLimiter | null
}

export const calls = ({ services, idempotency }: Pick<HttpDeps, 'services' | 'idempotency'>, options: CallsOptions) => {
  const { dialect, credential, failure } = options
  const run =
    (work: (call: Call) => Promise<Reply>, idempotent: false | IdempotentOptions): RequestHandler =>
    endpoint(dialect, services.session, async (req, res, session) => {
      // Checked already, before the body was read (credentials-first.ts), where the API does it that way.
      const before = authenticatedBefore(res)
      const principal = before !== undefined ? E.right(before) : await services.credentials.authenticate(session, credential(req))
      if (E.isLeft(principal)) {
        logRefusal(req, principal.left)
        return failure(principal.left)
      }
      const allowed = options.allowed?.(principal.right) ?? E.right(null)
      if (E.isLeft(allowed)) return failure(allowed.left)
      // No limit, no wait (a heartbeat under no limit goes on in the same turn).
      if (options.limit != null) {
        const rate = await options.limit(req, res, principal.right.credentialId)
        if (rate.limited) return throttled(dialect, rate)
      }
      const go = (idempotencyKey: string | null): Promise<Reply> => work({ req, res, session, principal: principal.right, idempotencyKey })
      return idempotent === false ? go(null) : idempotency.run(req, session, dialect, principal.right, go, idempotent)
    })
  return {
    /** Writes nothing, or nothing worth keeping per Idempotency-Key. */
    read: (work: (call: Call) => Promise<Reply>): RequestHandler => run(work, false),
    /** Runs once per Idempotency-Key. */
    write: (work: (call: Call) => Promise<Reply>, options: IdempotentOptions = {}): RequestHandler => run(work, options),
  }
}
