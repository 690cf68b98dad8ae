// The engine's own endpoints for a license order's seats, beside seed 001's
// (same dialect, same Bearer authentication, same scoping):
//   GET    /license-orders/{activation_key}/seat-settings     heartbeat interval and lease of its floating seats
//   PUT    /license-orders/{activation_key}/seat-settings     change them (the lease defaults to three intervals)
//   DELETE /license-orders/{activation_key}/tokens/{token_id} revoke a seat's or an activation's token (its jti)
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import { Router, type Request } from 'express'
import type { UsageFailure } from '../../application/license-usage.js'
import {
  DEFAULT_LEASE_INTERVALS,
  HeartbeatIntervalSeconds,
  LeaseSeconds,
  seatSettingsOf,
  type ExistingOrder,
} from '../../domain/order/index.js'
import { fieldErrors } from '../../domain/validation.js'
import type { HttpDeps } from '../deps.js'
import { endpoint } from '../endpoint.js'
import { jsonBody } from '../json-body.js'
import { reply, type Reply } from '../reply.js'
import { commandMeta } from '../request-context.js'
import { reachableOrder } from './access.js'
import { lacDialect as dialect } from './dialect.js'

const SettingsBody = t.intersection([
  t.type({ heartbeat_interval_seconds: HeartbeatIntervalSeconds }),
  t.partial({ lease_seconds: t.union([LeaseSeconds, t.null]) }),
])

const settingsView = (order: ExistingOrder) => {
  const settings = seatSettingsOf(order)
  return {
    heartbeat_interval_seconds: settings.heartbeatIntervalSeconds,
    lease_seconds: settings.leaseSeconds,
    defaults: order.usage.seatSettings === null,
  }
}

const failed = (failure: UsageFailure): Reply => {
  switch (failure._tag) {
    case 'OrderNotFound':
      return dialect.problem(404)
    case 'LeaseTooShort':
      return dialect.problem(400, { fields: [{ field: 'lease_seconds', message: `must be at least ${failure.minimum} (two heartbeat intervals)` }] })
    case 'TokenNotFound':
      return dialect.problem(404, { detail: 'This license order has no such token.' })
    case 'ConcurrencyConflict':
      return dialect.problem(409, { detail: 'the license changed while this request was being decided; retry it' })
    default:
      return dialect.problem(409, { detail: failure._tag })
  }
}

export const createSeatAdminRouter = ({ services, idempotency }: HttpDeps): Router => {
  const router = Router()
  const { usage } = services

  const reachable = (req: Request) => reachableOrder(services, req)

  router.get(
    '/license-orders/:activation_key/seat-settings',
    endpoint(dialect, async (req) => {
      const found = await reachable(req)
      return E.isLeft(found) ? found.left : reply(200, settingsView(found.right.order))
    }),
  )

  router.put(
    '/license-orders/:activation_key/seat-settings',
    jsonBody(dialect),
    endpoint(dialect, async (req) => {
      const found = await reachable(req)
      if (E.isLeft(found)) return found.left
      return idempotency.run(req, dialect, async (idempotencyKey) => {
        const input = pipe(
          SettingsBody.decode(req.body ?? {}),
          E.mapLeft((errors) => dialect.problem(400, { fields: fieldErrors(errors) })),
        )
        if (E.isLeft(input)) return input.left
        const interval = input.right.heartbeat_interval_seconds
        const settings = { heartbeatIntervalSeconds: interval, leaseSeconds: input.right.lease_seconds ?? interval * DEFAULT_LEASE_INTERVALS }
        const changed = await usage.changeSeatSettings(found.right.order.orderId, settings, commandMeta(req, found.right.principal.credentialId, idempotencyKey))
        return E.isLeft(changed) ? failed(changed.left) : reply(200, settingsView(changed.right.order))
      })
    }),
  )

  router.delete(
    '/license-orders/:activation_key/tokens/:token_id',
    endpoint(dialect, async (req) => {
      const found = await reachable(req)
      if (E.isLeft(found)) return found.left
      return idempotency.run(req, dialect, async (idempotencyKey) => {
        const tokenId = String(req.params.token_id)
        const revoked = await usage.revokeToken(found.right.order.orderId, tokenId, commandMeta(req, found.right.principal.credentialId, idempotencyKey))
        if (E.isLeft(revoked)) return failed(revoked.left)
        const token = revoked.right.order.usage.revokedTokens[tokenId]!
        return reply(200, { token_id: token.tokenId, kind: token.kind, client_id: token.clientId, machine_id: token.machineId, revoked_at: token.revokedAt })
      })
    }),
  )

  return router
}
