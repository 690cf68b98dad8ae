// The engine's own endpoints for a license order's seats, beside seed 001's
// (same dialect, same Bearer authentication, same scoping):
//   GET    /license-orders/{activation_key}/seat-settings     heartbeat interval and lease of its floating seats
//   PUT    /license-orders/{activation_key}/seat-settings     change them (the lease defaults to three intervals)
//   DELETE /license-orders/{activation_key}/tokens/{token_id} revoke a seat's or an activation's token (its jti)
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { Router } from 'express'
import { HeartbeatIntervalSeconds, LeaseSeconds, seatSettingsFor, seatSettingsOf, type ExistingOrder } from '../../domain/order/index.js'
import type { HttpDeps } from '../deps.js'
import { credentialsFirst } from '../credentials-first.js'
import { bearerToken } from '../credentials.js'
import { jsonBody } from '../json-body.js'
import { reply } from '../reply.js'
import { licenseEndpoints } from './access.js'
import { lacDialect as dialect } from './dialect.js'
import { lacFailure } from './failures.js'

export const SettingsBody = t.intersection([
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

export const createSeatAdminRouter = (deps: HttpDeps): Router => {
  const router = Router()
  const { usage } = deps.services
  const license = licenseEndpoints(deps)

  router.get('/license-orders/:activation_key/seat-settings', license.read(({ order }) => reply(200, settingsView(order))))

  router.put(
    '/license-orders/:activation_key/seat-settings',
    credentialsFirst(deps, { credential: bearerToken, failure: lacFailure }),
    jsonBody(dialect),
    license.write(SettingsBody, async ({ session, license: { orderId }, input, meta }) => {
      const settings = seatSettingsFor(input.heartbeat_interval_seconds, input.lease_seconds ?? null)
      const changed = await usage.changeSeatSettings(session, { type: 'ChangeSeatSettings', orderId, settings }, meta)
      return E.isLeft(changed) ? lacFailure(changed.left) : reply(200, settingsView(changed.right.order))
    }),
  )

  router.delete(
    '/license-orders/:activation_key/tokens/:token_id',
    license.write(null, async ({ req, session, license: { orderId }, meta }) => {
      const tokenId = String(req.params.token_id)
      const revoked = await usage.revokeToken(session, { type: 'RevokeLicenseToken', orderId, tokenId }, meta)
      if (E.isLeft(revoked)) return lacFailure(revoked.left)
      const token = revoked.right.order.usage.revokedTokens[tokenId]!
      return reply(200, { token_id: token.tokenId, kind: token.kind, client_id: token.clientId, machine_id: token.machineId, revoked_at: token.revokedAt })
    }),
  )

  return router
}
