// Seed 003 (Cryptlex Web API v3, activations):
//   POST   /v3/activations       activate a license `key` on a machine `fingerprint`; 201 {activationToken}
//                                (200 with the same activation when the machine is activated already)
//   GET    /v3/activations/{id}  the activation, shaped as the seed's webhook data
//   PATCH  /v3/activations/{id}  update it (the machine syncs); 200 {activationToken}
//   DELETE /v3/activations/{id}  deactivate it, within deactivations_allowed; 204
// An activation here is seed 002's node-locked activation: a machine bound
// to a license order, counted against its activations_allowed. Its machine
// id is the fingerprint and its client id the license's product id, so both
// APIs see one set of activations. Authentication: Authorization: Bearer
// with an API key (or the admin token); a key scoped to a product or a
// license reaches that product's or that license's activations only (403).
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { Router, type Request } from 'express'
import type { Principal } from '../../application/credentials.js'
import type { Requester } from '../../application/license-usage.js'
import { mayReach, type Target } from '../../domain/api-key/access.js'
import { ownEntry, type Activation, type ExistingOrder } from '../../domain/order/index.js'
import { fieldErrors } from '../../domain/validation.js'
import { bearerToken } from '../credentials.js'
import type { HttpDeps } from '../deps.js'
import { endpoint } from '../endpoint.js'
import { jsonBody } from '../json-body.js'
import { reply, type Reply } from '../reply.js'
import { clientIpOf, commandMeta } from '../request-context.js'
import { cryptlexDialect as dialect, cryptlexProblem, invalid } from './dialect.js'
import { authProblem, usageProblem } from './failures.js'
import { ActivationBody, changesOf } from './request.js'
import { activationView } from './view.js'

/** Room for a 1024-character fingerprint and a good many metadata entries of up to 4096 characters. */
export const CRYPTLEX_BODY_LIMIT = '256kb'

const decode = (body: unknown): E.Either<Reply, ActivationBody> => {
  const given = body === undefined ? {} : body
  if (typeof given !== 'object' || given === null || Array.isArray(given)) return E.left(invalid([{ field: 'body', message: 'must be an object' }]))
  return pipe(
    ActivationBody.decode(given),
    E.mapLeft((errors) => invalid(fieldErrors(errors))),
  )
}

const forbidden = (): Reply => cryptlexProblem(403, 'FORBIDDEN', 'This access token may not act on this license.')
const activationNotFound = (): Reply => cryptlexProblem(404, 'ACTIVATION_NOT_FOUND', 'No activation has this id.')

const productMismatch = (): Reply =>
  cryptlexProblem(400, 'PRODUCT_MISMATCH', 'productId is not the product of this license.', [
    { field: 'productId', message: 'is not the product of this license' },
  ])

export const createCryptlexRouter = ({ services, reads, idempotency }: HttpDeps): Router => {
  const router = Router()
  const body = jsonBody(dialect, { limit: CRYPTLEX_BODY_LIMIT })
  const { usage } = services

  const authenticate = async (req: Request): Promise<E.Either<Reply, Principal>> =>
    pipe(await services.credentials.authenticate(bearerToken(req)), E.mapLeft(authProblem))

  /** Who the license belongs to, if the principal may act on it. */
  const reach = async (principal: Principal, order: ExistingOrder): Promise<E.Either<Reply, Target>> => {
    const target = await usage.targetOf(order)
    return mayReach(principal.scope, target) ? E.right(target) : E.left(forbidden())
  }

  /** The activation an id names (read-your-writes), on a license the principal may act on. */
  const activationById = async (principal: Principal, id: string): Promise<E.Either<Reply, { order: ExistingOrder; activation: Activation; target: Target }>> => {
    await reads.fresh()
    const orderId = reads.activations.orderOf(id)
    const order = orderId === null ? null : reads.licenseOrders.get(orderId)
    if (order === null) return E.left(activationNotFound())
    const target = await reach(principal, order)
    if (E.isLeft(target)) return target
    const activation = ownEntry(order.usage.activations, id)
    return activation === undefined ? E.left(activationNotFound()) : E.right({ order, activation, target: target.right })
  }

  /** Authenticates, then runs the work once per Idempotency-Key. */
  const write = (work: (req: Request, principal: Principal, idempotencyKey: string | null) => Promise<Reply>) =>
    endpoint(dialect, async (req) => {
      const principal = await authenticate(req)
      if (E.isLeft(principal)) return principal.left
      return idempotency.run(req, dialect, (key) => work(req, principal.right, key))
    })

  const meterNames = (input: ActivationBody): string[] => (input.meterAttributes ?? []).map((m) => m.name)

  router.post(
    '/v3/activations',
    body,
    write(async (req, principal, idempotencyKey) => {
      const input = decode(req.body)
      if (E.isLeft(input)) return input.left
      const order = await services.orders.findByKey(input.right.key)
      if (order === null) return cryptlexProblem(404, 'LICENSE_NOT_FOUND', 'No license has this key.')
      const target = await reach(principal, order)
      if (E.isLeft(target)) return target.left
      const productId = target.right.productId
      if (productId === null || input.right.productId !== productId) return productMismatch()
      const requester: Requester = {
        // The machine is its fingerprint; the client, the licensed product: seed 002 sees the same activation.
        clientId: productId,
        machineId: input.right.fingerprint,
        clientName: input.right.hostname.slice(0, 256),
        clientAddr: clientIpOf(req)?.slice(0, 64) ?? null,
      }
      const outcome = await usage.activateWithDetails(order.orderId, requester, changesOf(input.right), commandMeta(req, principal.credentialId, idempotencyKey))
      if (E.isLeft(outcome)) return usageProblem(outcome.left, meterNames(input.right))
      const { order: after, activation, now, created } = outcome.right
      const activationToken = await usage.activationToken(after, activation, now)
      return created
        ? reply(201, { activationToken }, { Location: `/v3/activations/${activation.activationId}` })
        : reply(200, { activationToken })
    }),
  )

  router.get(
    '/v3/activations/:id',
    endpoint(dialect, async (req) => {
      const principal = await authenticate(req)
      if (E.isLeft(principal)) return principal.left
      const found = await activationById(principal.right, String(req.params.id))
      if (E.isLeft(found)) return found.left
      const { order, activation, target } = found.right
      return reply(200, activationView(order, activation, target.productId, services.clock()))
    }),
  )

  router.patch(
    '/v3/activations/:id',
    body,
    write(async (req, principal, idempotencyKey) => {
      const input = decode(req.body)
      if (E.isLeft(input)) return input.left
      const found = await activationById(principal, String(req.params.id))
      if (E.isLeft(found)) return found.left
      const { order, activation, target } = found.right
      if (input.right.key !== order.activationKey) {
        return cryptlexProblem(400, 'LICENSE_KEY_MISMATCH', "key is not the key of this activation's license.", [
          { field: 'key', message: "is not the key of this activation's license" },
        ])
      }
      if (target.productId === null || input.right.productId !== target.productId) return productMismatch()
      const outcome = await usage.updateActivation(order.orderId, activation.activationId, changesOf(input.right), commandMeta(req, principal.credentialId, idempotencyKey))
      if (E.isLeft(outcome)) return usageProblem(outcome.left, meterNames(input.right))
      const { order: after, now } = outcome.right
      const updated = ownEntry(after.usage.activations, activation.activationId)
      if (updated === undefined) return activationNotFound()
      return reply(200, { activationToken: await usage.activationToken(after, updated, now) })
    }),
  )

  router.delete(
    '/v3/activations/:id',
    write(async (req, principal, idempotencyKey) => {
      const found = await activationById(principal, String(req.params.id))
      if (E.isLeft(found)) return found.left
      const { order, activation } = found.right
      const outcome = await usage.deactivate(order.orderId, { activationId: activation.activationId }, commandMeta(req, principal.credentialId, idempotencyKey))
      return E.isLeft(outcome) ? usageProblem(outcome.left) : reply(204)
    }),
  )

  return router
}
