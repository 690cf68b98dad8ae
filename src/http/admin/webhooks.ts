// Admin API: webhook endpoints and their deliveries (issue 3).
//   POST   /webhooks                  register an endpoint: url, events, optional secret (generated and shown once if absent)
//   GET    /webhooks                  list endpoints (never a secret)
//   GET    /webhooks/{id}             read one
//   PATCH  /webhooks/{id}             change it; fields not sent keep their value; "secret" sets a new one
//   DELETE /webhooks/{id}             delete it; its pending deliveries are cancelled
//   GET    /webhooks/{id}/deliveries  its deliveries, newest first: status, attempts, last error, next attempt
import * as E from 'fp-ts/Either'
import { Router, type Request } from 'express'
import { oneOf } from '../../domain/codecs.js'
import { RegistrationInput, WebhookUrl, type ExistingWebhookEndpoint } from '../../domain/webhook-endpoint/index.js'
import type { Delivery } from '../../webhooks/outbox.js'
import { metaOf } from '../call.js'
import { decodeExactIn } from '../decode.js'
import type { HttpDeps } from '../deps.js'
import { jsonBody } from '../json-body.js'
import { reply, type Reply } from '../reply.js'
import { adminEndpoints } from './auth.js'
import { adminDialect as dialect } from './dialect.js'
import { adminFailure } from './failures.js'
import { pageOf } from './paging.js'
import { byId, find, pagedList, patchById, type ById } from './reads.js'

const endpointBody = (e: ExistingWebhookEndpoint) => ({
  id: e.endpointId,
  url: e.url,
  events: e.events,
  description: e.description,
  enabled: e.enabled,
  created_at: e.createdAt,
  updated_at: e.updatedAt,
})

const instant = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

const deliveryBody = (d: Delivery) => ({
  id: d.deliveryId,
  event: d.event,
  status: d.status,
  attempts: d.attempts,
  response_status: d.responseStatus,
  last_error: d.lastError,
  next_attempt_at: instant(d.nextAttemptAt),
  last_attempt_at: instant(d.lastAttemptAt),
  delivered_at: instant(d.deliveredAt),
  created_at: instant(d.createdAt),
})

const ID = /^[A-Za-z0-9-]{1,64}$/
const idParam = (req: Request): string | null => {
  const text = String(req.params.id)
  return ID.test(text) ? text : null
}

/** A path id that names no endpoint, or one that is gone: the same answer as the decider's. */
const notFound = (endpointId: string): Reply => adminFailure({ _tag: 'WebhookEndpointNotFound', endpointId })

const decode = decodeExactIn(dialect)

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

/** The reply kept for a replayed registration: the same, less a generated secret. */
const withoutSecret = (answer: Reply): Reply => (isObject(answer.body) && 'secret' in answer.body ? { ...answer, body: { ...answer.body, secret: null } } : answer)

const DeliveryStatusInput = oneOf('pending', 'delivered', 'failed', 'cancelled')

export const createWebhooksRouter = ({ services, webhooks, idempotency }: HttpDeps): Router => {
  const router = Router()
  const admin = adminEndpoints({ services, idempotency })
  const body = jsonBody(dialect)

  const endpointById: ById<string, ExistingWebhookEndpoint> = {
    id: idParam,
    get: ({ session }, id) => webhooks.endpoints.get(session, id),
    missing: (req) => notFound(String(req.params.id)),
    body: endpointBody,
  }

  const patchEndpoint = patchById(
    {
      ...endpointById,
      fields: ({ url, events, description, enabled }: ExistingWebhookEndpoint) => ({ url, events, description, enabled }),
      // The whole result is checked as a registration; a secret sent is a new one.
      codec: RegistrationInput,
      change: (call, { endpointId }, registration) => webhooks.endpoints.change(call.session, endpointId, registration, metaOf(call)),
    },
    dialect,
    adminFailure,
  )

  router.post(
    '/webhooks',
    body,
    admin.write(
      async (call) => {
        const registration = decode(RegistrationInput, call.req.body)
        if (E.isLeft(registration)) return registration.left
        const refused = await webhooks.refusedTarget(registration.right.settings.url)
        if (refused !== null) return dialect.problem(400, { fields: [{ field: 'url', message: refused }] })
        const registered = await webhooks.endpoints.register(call.session, registration.right, metaOf(call))
        if (E.isLeft(registered)) return adminFailure(registered.left)
        const { endpoint: created, generatedSecret } = registered.right
        return reply(201, { ...endpointBody(created), secret: generatedSecret }, { Location: `/webhooks/${created.endpointId}` })
      },
      { keep: withoutSecret },
    ),
  )

  router.get(
    '/webhooks',
    admin.read(pagedList(webhooks.fresh, (limit, offset) => webhooks.outbox.endpoints(limit, offset), endpointBody)),
  )

  router.get(
    '/webhooks/:id',
    admin.read(byId(endpointById)),
  )

  router.patch(
    '/webhooks/:id',
    body,
    admin.write(async (call) => {
      // A new URL is a new target: the same policy as at registration.
      const url: unknown = isObject(call.req.body) ? call.req.body.url : undefined
      const refused = WebhookUrl.is(url) ? await webhooks.refusedTarget(url) : null
      if (refused !== null) return dialect.problem(400, { fields: [{ field: 'url', message: refused }] })
      return patchEndpoint(call)
    }),
  )

  router.delete(
    '/webhooks/:id',
    admin.write(async (call) => {
      const id = idParam(call.req)
      if (id === null) return notFound(String(call.req.params.id))
      const removed = await webhooks.endpoints.remove(call.session, id, metaOf(call))
      return E.isLeft(removed) ? adminFailure(removed.left) : reply(204)
    }),
  )

  router.get(
    '/webhooks/:id/deliveries',
    admin.read(async (call) => {
      const { req } = call
      const page = pageOf(req)
      if (E.isLeft(page)) return page.left
      const status = req.query.status === undefined ? E.right(undefined) : DeliveryStatusInput.decode(req.query.status)
      if (E.isLeft(status)) return dialect.problem(400, { fields: [{ field: 'status', message: 'must be one of: pending, delivered, failed, cancelled' }] })
      const found = await find(endpointById, call)
      if (E.isLeft(found)) return found.left
      await webhooks.fresh()
      const items = webhooks.outbox.deliveries(found.right.endpointId, { ...page.right, ...(status.right === undefined ? {} : { status: status.right }) })
      return reply(200, { items: items.map(deliveryBody), ...page.right })
    }),
  )

  return router
}
