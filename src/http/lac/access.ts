// Seed 001's endpoints and who may act through them: a Bearer token, where a
// missing, invalid, revoked or expired one is 403 (as the seed documents), an
// unknown key 404, a token scoped elsewhere 403 (lac/failures.ts).
import * as E from 'fp-ts/Either'
import { identity, pipe } from 'fp-ts/function'
import type { Request, RequestHandler } from 'express'
import type * as t from 'io-ts'
import type { License } from '../../application/access.js'
import type { CommandMeta } from '../../application/metadata.js'
import type { Session } from '../../application/session.js'
import { calls, metaOf, type Call } from '../call.js'
import { bearerToken } from '../credentials.js'
import { decodeIn } from '../decode.js'
import type { HttpDeps } from '../deps.js'
import type { Reply } from '../reply.js'
import { lacDialect as dialect } from './dialect.js'
import { lacFailure } from './failures.js'

export interface LicenseWrite<A> {
  readonly req: Request
  readonly session: Session
  readonly license: License
  /** What the request sent, decoded. */
  readonly input: A
  /** The metadata the write's events carry. */
  readonly meta: CommandMeta
}

// Seed 001's service (Django REST framework) ignores members it does not declare: they are dropped, never stored.
const decode = decodeIn(dialect)

/** Seed 001's endpoints: the Bearer token is checked first; a write then runs once per Idempotency-Key. */
export const lacCalls = (deps: Pick<HttpDeps, 'services' | 'idempotency' | 'rateLimits'>) =>
  calls(deps, { dialect, credential: bearerToken, failure: lacFailure, limit: deps.rateLimits?.lac ?? null })

/** The license of the path's activation key, if the call's principal may act on it. */
const reachableLicense = async ({ services }: Pick<HttpDeps, 'services'>, { req, session, principal }: Call): Promise<E.Either<Reply, License>> =>
  pipe(await services.orders.reach(session, principal, String(req.params.activation_key)), E.mapLeft(lacFailure))

/**
 * Endpoints on the license of the path's activation key: the token is checked
 * and the license reached before the Idempotency-Key is looked at; a write
 * then runs once per key, with the metadata its events carry.
 */
export const licenseEndpoints = (deps: Pick<HttpDeps, 'services' | 'idempotency' | 'rateLimits'>) => {
  const call = lacCalls(deps)
  return {
    read: (handler: (license: License) => Reply): RequestHandler =>
      call.read(async (c) => pipe(await reachableLicense(deps, c), E.match(identity, handler))),
    /** `body`: the codec of what the request sends, if it sends anything. */
    write: <A>(body: t.Decoder<unknown, A> | null, handler: (write: LicenseWrite<A>) => Promise<Reply>): RequestHandler =>
      call.read(async (c) => {
        const license = await reachableLicense(deps, c)
        if (E.isLeft(license)) return license.left
        return deps.idempotency.run(c.req, c.session, dialect, c.principal, async (idempotencyKey) => {
          const input = body === null ? E.right(undefined as A) : decode(body, c.req.body ?? {})
          if (E.isLeft(input)) return input.left
          return handler({ req: c.req, session: c.session, license: license.right, input: input.right, meta: metaOf({ ...c, idempotencyKey }) })
        })
      }),
  }
}
