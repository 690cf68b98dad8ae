// Who may act on a license order, in seed 001's dialect: a missing, invalid,
// revoked or expired token is 403 (as the seed documents), an unknown key
// 404, a token scoped elsewhere 403 (lac/failures.ts).
import * as E from 'fp-ts/Either'
import { identity, pipe } from 'fp-ts/function'
import type { Request, RequestHandler } from 'express'
import type { License } from '../../application/access.js'
import type { Principal } from '../../application/credentials.js'
import type { CommandMeta } from '../../application/metadata.js'
import type { Services } from '../../application/services.js'
import type { Session } from '../../application/session.js'
import { bearerToken } from '../credentials.js'
import type { HttpDeps } from '../deps.js'
import { endpoint } from '../endpoint.js'
import type { Reply } from '../reply.js'
import { commandMeta } from '../request-context.js'
import { lacDialect as dialect } from './dialect.js'
import { lacFailure } from './failures.js'

export const authenticateLac = async (services: Services, session: Session, req: Request): Promise<E.Either<Reply, Principal>> =>
  pipe(await services.credentials.authenticate(session, bearerToken(req)), E.mapLeft(lacFailure))

export interface Reached {
  readonly principal: Principal
  readonly license: License
}

/** The license of the path's activation key, if the request's token may act on it. */
export const reachableLicense = async (services: Services, session: Session, req: Request): Promise<E.Either<Reply, Reached>> => {
  const principal = await authenticateLac(services, session, req)
  if (E.isLeft(principal)) return principal
  return pipe(
    await services.orders.reach(session, principal.right, String(req.params.activation_key)),
    E.bimap(lacFailure, (license) => ({ principal: principal.right, license })),
  )
}

/**
 * Endpoints on the license of the path's activation key: the token is checked
 * and the license reached first; a write then runs once per Idempotency-Key,
 * in the request's session, with the metadata its events carry.
 */
export const licenseEndpoints = ({ services, idempotency }: Pick<HttpDeps, 'services' | 'idempotency'>) => ({
  read: (handler: (license: License) => Reply): RequestHandler =>
    endpoint(dialect, async (req) =>
      pipe(
        await reachableLicense(services, services.session(), req),
        E.match(identity, ({ license }) => handler(license)),
      ),
    ),
  write: (handler: (req: Request, session: Session, license: License, meta: CommandMeta) => Promise<Reply>): RequestHandler =>
    endpoint(dialect, async (req) => {
      const session = services.session()
      const found = await reachableLicense(services, session, req)
      if (E.isLeft(found)) return found.left
      const { principal, license } = found.right
      return idempotency.run(req, dialect, (idempotencyKey) => handler(req, session, license, commandMeta(req, principal.credentialId, idempotencyKey)))
    }),
})
