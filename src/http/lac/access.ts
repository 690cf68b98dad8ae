// Who may act on a license order, in seed 001's dialect: a missing, invalid,
// revoked or expired token is 403 (as the seed documents), an unknown key
// 404, a token scoped elsewhere 403.
import * as E from 'fp-ts/Either'
import type { Request } from 'express'
import { targetOfOrder } from '../../application/access.js'
import type { Principal } from '../../application/credentials.js'
import type { Services } from '../../application/services.js'
import { mayReach } from '../../domain/api-key/access.js'
import type { ExistingOrder } from '../../domain/order/index.js'
import { bearerToken } from '../credentials.js'
import { authFailureDetail } from '../failures.js'
import type { Reply } from '../reply.js'
import { lacDialect as dialect } from './dialect.js'

export const authenticateLac = async (services: Services, req: Request): Promise<E.Either<Reply, Principal>> => {
  const principal = await services.credentials.authenticate(bearerToken(req))
  return E.isLeft(principal)
    ? E.left(dialect.problem(403, { detail: `Invalid or expired token provided: ${authFailureDetail(principal.left)}.` }))
    : principal
}

export const forbidden = (): Reply => dialect.problem(403, { detail: 'This token may not act on this license order.' })

/** The order of the path's activation key, if the request's token may act on it. */
export const reachableOrder = async (
  services: Services,
  req: Request,
): Promise<E.Either<Reply, { readonly principal: Principal; readonly order: ExistingOrder }>> => {
  const principal = await authenticateLac(services, req)
  if (E.isLeft(principal)) return principal
  const order = await services.orders.findByKey(String(req.params.activation_key))
  if (order === null) return E.left(dialect.problem(404))
  if (!mayReach(principal.right.scope, await targetOfOrder(order, services.productTemplates))) return E.left(forbidden())
  return E.right({ principal: principal.right, order })
}
