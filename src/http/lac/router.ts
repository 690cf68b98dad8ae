// License orders in seed 001's dialect (X-Formation LAC):
//   PATCH /license-orders/{activation_key}  update an order, exactly as the seed documents
//   POST  /license-orders                   create one (same body and rules, plus an optional activation_key)
//   GET   /license-orders/{activation_key}  read one (?asOf=<instant>: as it was then)
//   GET   /license-orders/{activation_key}/history  its events (history.ts)
// Authorization: Bearer <API key or admin token>; a missing, invalid, revoked
// or expired token is 403, as the seed documents.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import { Router, type Request } from 'express'
import { targetOfOrder } from '../../application/access.js'
import type { Principal } from '../../application/credentials.js'
import { ActivationKeyInput } from '../../domain/activation-key/key.js'
import { mayReach, type Target } from '../../domain/api-key/access.js'
import { OrderTermsInput, type ExistingOrder } from '../../domain/order/index.js'
import { fieldErrors } from '../../domain/validation.js'
import type { HttpDeps } from '../deps.js'
import { endpoint } from '../endpoint.js'
import { orderFailure } from '../failures.js'
import { jsonBody } from '../json-body.js'
import { reply, type Reply } from '../reply.js'
import { commandMeta } from '../request-context.js'
import { authenticateLac, forbidden } from './access.js'
import { lacDialect as dialect } from './dialect.js'
import { createLacHistory } from './history.js'
import { licenseOrderView } from './view.js'

const CreateBody = t.intersection([OrderTermsInput, t.partial({ activation_key: ActivationKeyInput })])

export const createLacRouter = (deps: HttpDeps): Router => {
  const { services, reads, idempotency } = deps
  const router = Router()
  const history = createLacHistory(deps)
  const body = jsonBody(dialect)

  const authenticate = (req: Request) => authenticateLac(services, req)
  const may = (principal: Principal, target: Target): boolean => mayReach(principal.scope, target)

  /** The order as the seed shows it, read from the streams the write just changed: the reply shows the write. */
  const presentWritten = async (order: ExistingOrder) => {
    const [customer, template] = await Promise.all([
      services.customers.get(order.terms.customer_id),
      services.productTemplates.get(order.terms.product_template_id),
    ])
    return licenseOrderView(order, customer, template)
  }

  const decodeTerms = <A>(codec: t.Decoder<unknown, A>, input: unknown): E.Either<Reply, A> =>
    pipe(
      codec.decode(input ?? {}),
      E.mapLeft((errors) => dialect.problem(400, { fields: fieldErrors(errors) })),
    )

  router.patch(
    '/license-orders/:activation_key',
    body,
    endpoint(dialect, async (req) => {
      const principal = await authenticate(req)
      if (E.isLeft(principal)) return principal.left
      return idempotency.run(req, dialect, async (idempotencyKey) => {
        const order = await services.orders.findByKey(String(req.params.activation_key))
        if (order === null) return dialect.problem(404)
        if (!may(principal.right, await targetOfOrder(order, services.productTemplates))) return forbidden()
        const terms = decodeTerms(OrderTermsInput, req.body)
        if (E.isLeft(terms)) return terms.left
        // Moving the order to another product needs the right to that product too.
        const movedTo = await services.productTemplates.get(terms.right.product_template_id)
        if (movedTo !== null && !may(principal.right, { productId: movedTo.productId, orderId: order.orderId })) return forbidden()
        const updated = await services.orders.update(order.orderId, terms.right, commandMeta(req, principal.right.credentialId, idempotencyKey))
        if (E.isLeft(updated)) {
          const { status, problem } = orderFailure(updated.left)
          return dialect.problem(status, problem)
        }
        return reply(200, await presentWritten(updated.right))
      })
    }),
  )

  router.post(
    '/license-orders',
    body,
    endpoint(dialect, async (req) => {
      const principal = await authenticate(req)
      if (E.isLeft(principal)) return principal.left
      return idempotency.run(req, dialect, async (idempotencyKey) => {
        const input = decodeTerms(CreateBody, req.body)
        if (E.isLeft(input)) return input.left
        const { activation_key, ...terms } = input.right
        const template = await services.productTemplates.get(terms.product_template_id)
        if (template !== null && !may(principal.right, { productId: template.productId, orderId: null })) return forbidden()
        const created = await services.orders.create(terms, activation_key ?? null, commandMeta(req, principal.right.credentialId, idempotencyKey))
        if (E.isLeft(created)) {
          const { status, problem } = orderFailure(created.left)
          return dialect.problem(status, problem)
        }
        return reply(201, await presentWritten(created.right), { Location: `/license-orders/${encodeURIComponent(created.right.activationKey)}` })
      })
    }),
  )

  router.get(
    '/license-orders/:activation_key',
    endpoint(dialect, async (req) => {
      const principal = await authenticate(req)
      if (E.isLeft(principal)) return principal.left
      if (req.query.asOf !== undefined) return history.asOf(principal.right, String(req.params.activation_key), req.query.asOf)
      await reads.fresh()
      const order = reads.licenseOrders.byActivationKey(String(req.params.activation_key))
      if (order === null) return dialect.problem(404)
      const template = reads.productTemplates.get(order.terms.product_template_id)
      if (!may(principal.right, { productId: template?.productId ?? null, orderId: order.orderId })) return forbidden()
      return reply(200, licenseOrderView(order, reads.customers.get(order.terms.customer_id), template))
    }),
  )

  router.get(
    '/license-orders/:activation_key/history',
    endpoint(dialect, async (req) => {
      const principal = await authenticate(req)
      if (E.isLeft(principal)) return principal.left
      return history.history(req, principal.right)
    }),
  )

  return router
}
