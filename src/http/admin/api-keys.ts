// Admin API: API keys.
//   POST /api-keys          issue a key with a scope: "admin", {"product_id"} or {"activation_key"}; the token is shown once
//   GET  /api-keys          list keys (never a secret)
//   DELETE /api-keys/{id}   revoke a key
// A replayed POST (same Idempotency-Key) answers with the same key but no
// token: the secret is never stored, not even in the idempotency record.
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { Router } from 'express'
import { ActivationKeyInput } from '../../domain/activation-key/key.js'
import { Instant, NonEmptyString } from '../../domain/codecs.js'
import type { ApiKeyScope, ExistingApiKey } from '../../domain/api-key/index.js'
import { ProductIdInput } from '../../domain/product-template/index.js'
import type { ListedApiKey } from '../../projections/api-keys.js'
import { metaOf } from '../call.js'
import { decodeExactIn } from '../decode.js'
import type { HttpDeps } from '../deps.js'
import { jsonBody } from '../json-body.js'
import { reply, type Reply } from '../reply.js'
import { adminEndpoints } from './auth.js'
import { adminDialect as dialect } from './dialect.js'
import { adminFailure } from './failures.js'
import { pagedList } from './reads.js'

const decode = decodeExactIn(dialect)

const ScopeInput = new t.Type<
  { readonly kind: 'admin' } | { readonly kind: 'product'; readonly productId: string } | { readonly kind: 'activation_key'; readonly key: string },
  unknown,
  unknown
>(
  'ScopeInput',
  (_u): _u is never => false,
  (u, c) => {
    if (u === 'admin') return t.success({ kind: 'admin' })
    if (typeof u === 'object' && u !== null && 'product_id' in u) {
      const id = ProductIdInput.decode((u as { product_id: unknown }).product_id)
      if (E.isRight(id)) return t.success({ kind: 'product', productId: id.right })
    }
    if (typeof u === 'object' && u !== null && 'activation_key' in u) {
      const key = ActivationKeyInput.decode((u as { activation_key: unknown }).activation_key)
      if (E.isRight(key)) return t.success({ kind: 'activation_key', key: key.right })
    }
    return t.failure(u, c, 'must be "admin", {"product_id": "<product>"} or {"activation_key": "<key>"}')
  },
  t.identity,
)

export const IssueBody = t.intersection([
  t.type({ name: NonEmptyString, scope: ScopeInput }),
  t.partial({ expires_at: t.union([Instant, t.null]) }),
])

const scopeBody = (scope: ApiKeyScope) => {
  switch (scope.kind) {
    case 'admin':
      return 'admin'
    case 'product':
      return { product_id: scope.productId }
    case 'license':
      return { order_id: scope.orderId }
  }
}

const keyBody = (key: ListedApiKey | ExistingApiKey) => ({
  id: key.keyId,
  name: key.name,
  scope: scopeBody(key.scope),
  expires_at: key.expiresAt,
  created_at: key.createdAt,
  revoked_at: key.revokedAt,
})

/** The reply kept for replays: the same, less the secret. */
const withoutToken = (answer: Reply): Reply =>
  typeof answer.body === 'object' && answer.body !== null && 'token' in answer.body ? { ...answer, body: { ...answer.body, token: null } } : answer

export const createApiKeysRouter = ({ services, reads, idempotency }: HttpDeps): Router => {
  const router = Router()
  const admin = adminEndpoints({ services, idempotency })

  router.post(
    '/api-keys',
    jsonBody(dialect),
    admin.write(
      async (call) => {
        const input = decode(IssueBody, call.req.body ?? {})
        if (E.isLeft(input)) return input.left
        const { name, scope, expires_at } = input.right
        let resolved: ApiKeyScope
        if (scope.kind === 'activation_key') {
          const order = await services.orders.findByKey(call.session, scope.key)
          if (order === null) return dialect.problem(400, { fields: [{ field: 'scope.activation_key', message: 'no license order has this key' }] })
          resolved = { kind: 'license', orderId: order.orderId }
        } else {
          resolved = scope
        }
        const issued = await services.credentials.issue(call.session, { name, scope: resolved, expiresAt: expires_at ?? null }, metaOf(call))
        return E.isLeft(issued) ? adminFailure(issued.left) : reply(201, { ...keyBody(issued.right.key), token: issued.right.token })
      },
      { keep: withoutToken },
    ),
  )

  router.get(
    '/api-keys',
    admin.read(pagedList(reads.fresh, (limit, offset) => reads.apiKeys.list(limit, offset), keyBody)),
  )

  router.delete(
    '/api-keys/:id',
    admin.write(async (call) => {
      const revoked = await services.credentials.revoke(call.session, String(call.req.params.id), metaOf(call))
      return E.isLeft(revoked) ? adminFailure(revoked.left) : reply(200, keyBody(revoked.right))
    }),
  )

  return router
}
