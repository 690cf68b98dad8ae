// Seed 000 (RillSoft Integration Server v2):
//   PATCH /api/v2/clients/{client_id}/license  change a client's license serial number and/or activation key
// A client is a customer (client_id is the customer's id); the client's
// license is the customer's first license order (the oldest one). Both body
// fields are optional, but at least one must be given; the two changes are
// one atomic change of the order.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import { Router } from 'express'
import { targetOfOrder } from '../../application/access.js'
import { ActivationKeyInput } from '../../domain/activation-key/key.js'
import { mayReach } from '../../domain/api-key/access.js'
import { SerialNumber } from '../../domain/order/index.js'
import { fieldErrors } from '../../domain/validation.js'
import { bearerToken } from '../credentials.js'
import type { HttpDeps } from '../deps.js'
import { endpoint } from '../endpoint.js'
import { orderFailure } from '../failures.js'
import { jsonBody } from '../json-body.js'
import { commandMeta } from '../request-context.js'
import { rillsoftDialect as dialect, rillsoftSuccess } from './dialect.js'

const LicenseChange = t.partial({ serialNumber: SerialNumber, activationKey: ActivationKeyInput })

const CLIENT_ID = /^[1-9]\d{0,14}$/

export const createRillsoftRouter = ({ services, reads, idempotency }: HttpDeps): Router => {
  const router = Router()

  router.patch(
    '/api/v2/clients/:client_id/license',
    jsonBody(dialect),
    endpoint(dialect, async (req) => {
      const token = bearerToken(req)
      if (token === null) return dialect.problem(401, { detail: 'JWT token not found' })
      const principal = await services.credentials.authenticate(token)
      if (E.isLeft(principal)) return dialect.problem(401, { detail: 'JWT token is invalid, expired or revoked' })

      return idempotency.run(req, dialect, async (idempotencyKey) => {
        const clientIdText = String(req.params.client_id)
        if (!CLIENT_ID.test(clientIdText)) {
          return dialect.problem(400, { fields: [{ field: 'client_id', message: 'must be a positive integer' }] })
        }
        const change = pipe(
          LicenseChange.decode(req.body ?? {}),
          E.mapLeft((errors) => dialect.problem(400, { fields: fieldErrors(errors) })),
        )
        if (E.isLeft(change)) return change.left
        const { serialNumber, activationKey } = change.right
        if (serialNumber === undefined && activationKey === undefined) {
          return dialect.problem(400, { fields: [{ field: 'body', message: 'must contain serialNumber, activationKey or both' }] })
        }

        const clientId = Number(clientIdText)
        await reads.fresh()
        if ((await services.customers.get(clientId)) === null) return dialect.problem(404, { detail: `Client ${clientId} was not found` })
        const [orderId] = reads.licenseOrders.orderIdsOfCustomer(clientId)
        const order = orderId === undefined ? null : await services.orders.get(orderId)
        if (order === null) return dialect.problem(404, { detail: `Client ${clientId} has no license` })
        if (!mayReach(principal.right.scope, await targetOfOrder(order, services.productTemplates))) return dialect.problem(403)

        const changed = await services.orders.changeIdentity(
          order.orderId,
          { ...(serialNumber === undefined ? {} : { serialNumber }), ...(activationKey === undefined ? {} : { activationKey }) },
          commandMeta(req, principal.right.credentialId, idempotencyKey),
        )
        if (E.isLeft(changed)) {
          const { status, problem } = orderFailure(changed.left)
          return dialect.problem(status, problem)
        }
        return rillsoftSuccess
      })
    }),
  )

  return router
}
