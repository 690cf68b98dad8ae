// Seed 003 (Cryptlex Web API v3, activations), as Cryptlex's own clients
// speak it (its official OpenAPI document and sample activation client):
//   POST   /v3/activations       activate a license `key` on a machine `fingerprint`; 200 {activationToken}
//   PATCH  /v3/activations/{id}  update it (the machine syncs, meters move); 200 {activationToken}
//   DELETE /v3/activations/{id}  deactivate it, within deactivations_allowed; 204
//   GET    /v3/activations/{id}  the activation (ActivationDto); vendor credential only
// POST, PATCH and DELETE need no vendor credential (the document's
// `security: [{}]`): the license key in the body authenticates (PATCH: it
// must be the key of the activation's license), and DELETE is authorized by
// the activation id, which only the activated machine was given. Those
// requests are rate limited per source address and license key. A vendor's
// Bearer key still works on every endpoint (tooling), within its scope.
// An activation is seed 002's node-locked activation (machine id = the
// fingerprint, client id = the product id), so both APIs see one set.
// activationToken: an RS256 JWT signed with the product's RSA key, with
// Cryptlex's claims (activation-token.ts).
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { Router, type RequestHandler } from 'express'
import { authorize, liveLicense, type License } from '../../application/access.js'
import type { Principal } from '../../application/credentials.js'
import { ownEntry, type ActivateMachineWithDetails, type Activation, type ExistingOrder } from '../../domain/order/index.js'
import { fieldErrors } from '../../domain/validation.js'
import { calls, metaOf, type Call } from '../call.js'
import { bearerToken } from '../credentials.js'
import type { HttpDeps } from '../deps.js'
import { endpoint } from '../endpoint.js'
import { jsonBody } from '../json-body.js'
import { documentedNames } from '../property-names.js'
import { reply, type Reply } from '../reply.js'
import { clientIpOf } from '../request-context.js'
import { signActivationToken, activationClaims } from './activation-token.js'
import { cryptlexDialect as dialect, cryptlexProblem, invalid } from './dialect.js'
import { activationNotFound, cryptlexFailure, invalidLicenseKey, invalidProductId } from './failures.js'
import { createActivationRateLimit, DEFAULT_ACTIVATION_RATE_LIMITS, type RateVerdict } from './rate-limit.js'
import { ACTIVATION_BODY_NAMES, ActivationBody, changesOf } from './request.js'
import { activationView } from '../../views/activation.js'

/** Room for a 1024-character fingerprint and a good many metadata entries of up to 4096 characters. */
export const CRYPTLEX_BODY_LIMIT = '256kb'

/**
 * Who sends a request without a vendor credential: whoever holds the license
 * key (or the activation id). Its scope reaches no license by itself; what it
 * may act on is the license its key names, decided per request below.
 */
const KEY_HOLDER: Principal = { credentialId: 'license-key', scope: { kind: 'license', orderId: '' } }
const isKeyHolder = (c: Call): boolean => c.principal === KEY_HOLDER

const decode = (body: unknown): E.Either<Reply, ActivationBody> => {
  const given = body === undefined ? {} : body
  if (typeof given !== 'object' || given === null || Array.isArray(given)) return E.left(invalid([{ field: 'body', message: 'must be an object' }]))
  return pipe(
    documentedNames(given, ACTIVATION_BODY_NAMES),
    E.mapLeft(invalid),
    E.chain((named) => pipe(ActivationBody.decode(named), E.mapLeft((errors) => invalid(fieldErrors(errors))))),
  )
}

const meterNames = (input: ActivationBody): string[] => (input.meterAttributes ?? []).map((m) => m.name)

const tooMany = (verdict: RateVerdict): Reply => ({ ...cryptlexProblem(429, 'TOO_MANY_REQUESTS', 'Too many requests; try again after X-Rate-Limit-Reset.'), headers: verdict.headers })
const withRate = (answer: Reply, verdict: RateVerdict | null): Reply => (verdict === null ? answer : { ...answer, headers: { ...verdict.headers, ...answer.headers } })

export const createCryptlexRouter = ({ services, reads, idempotency, logger, activationRateLimits, rateLimit }: HttpDeps): Router => {
  const router = Router()
  const body = jsonBody(dialect, { limit: CRYPTLEX_BODY_LIMIT })
  const { usage, orders, productKeys } = services
  const rate = createActivationRateLimit(
    activationRateLimits ?? DEFAULT_ACTIVATION_RATE_LIMITS,
    // A store made per limit only: a single shared store takes one window (the last limit to start sets it), and these
    // windows are seconds long where the other APIs' are a minute, so with one they count in this process instead.
    typeof rateLimit?.store === 'function' ? rateLimit.store : null,
    services.clock,
    logger,
  )

  /** The license the body's key names: reached by the vendor key's scope, or by holding the key. */
  const licenseOfKey = async (c: Call, key: string): Promise<E.Either<Reply, License>> => {
    if (!isKeyHolder(c)) return pipe(await orders.reach(c.session, c.principal, key), E.mapLeft(cryptlexFailure))
    const order = await orders.findByKey(c.session, key)
    return order === null ? E.left(invalidLicenseKey()) : E.right(await liveLicense(c.session, order))
  }

  /** The activation an id names (read-your-writes), on a license the caller may act on. */
  const activationById = async (c: Call, id: string): Promise<E.Either<Reply, { license: License; activation: Activation }>> => {
    await reads.fresh()
    const orderId = reads.activations.orderOf(id)
    const order = orderId === null ? null : reads.licenseOrders.get(orderId)
    if (order === null) return E.left(activationNotFound())
    const live = await liveLicense(c.session, order)
    // A key holder reaches the activation by its id (and, on PATCH, the license's key); a vendor key by its scope.
    const license = isKeyHolder(c) ? E.right(live) : authorize(c.principal, live)
    if (E.isLeft(license)) return E.left(cryptlexFailure(license.left))
    const activation = ownEntry(order.usage.activations, id)
    return activation === undefined ? E.left(activationNotFound()) : E.right({ license: license.right, activation })
  }

  /** The product's key must be the license's product, as the request names it. */
  const productNamed = (input: ActivationBody, license: License): E.Either<Reply, string> =>
    license.productId !== null && input.productId === license.productId ? E.right(license.productId) : E.left(invalidProductId())

  const tokenFor = async (c: Call, order: ExistingOrder, activation: Activation, productId: string, now: Date): Promise<E.Either<Reply, string>> => {
    const key = await productKeys.keyOf(c.session, productId, metaOf(c))
    if (E.isLeft(key)) return E.left(key.left instanceof Error ? dialect.problem(500) : cryptlexFailure(key.left))
    return E.right(await signActivationToken(key.right, activationClaims(order, activation, productId, now)))
  }

  const vendor = calls({ services, idempotency }, { dialect, credential: bearerToken, failure: cryptlexFailure })

  /**
   * A write as Cryptlex's clients send it: without Authorization, rate limited
   * per source address (and, once its body is read, per license key); with
   * Authorization, a vendor's call as every other API's.
   */
  const open =
    (work: (c: Call, counted: (key: string) => Promise<RateVerdict | null>) => Promise<Reply>): RequestHandler =>
    (req, res, next) => {
      if (req.get('authorization') !== undefined) return vendor.write((c) => work(c, async () => null))(req, res, next)
      return endpoint(dialect, services.session, async (req, res, session) => {
        const c: Call = { req, res, session, principal: KEY_HOLDER, idempotencyKey: null }
        const counts = rate(req, res)
        let verdict = await counts.address()
        if (verdict.limited) return tooMany(verdict)
        const counted = async (key: string) => (verdict = await counts.key(key))
        const answer = await work(c, counted)
        return withRate(answer, verdict)
      })(req, res, next)
    }

  /**
   * Counts the key the body names (in any casing, even when the rest of the
   * body is invalid: a refused request counts too), then works; a key over its
   * limit is refused before any look-up.
   */
  const keyed = async (counted: (key: string) => Promise<RateVerdict | null>, body: unknown, work: () => Promise<Reply>): Promise<Reply> => {
    const named = documentedNames(body, ACTIVATION_BODY_NAMES)
    const key = E.isRight(named) ? (named.right as { key?: unknown } | undefined)?.key : undefined
    const verdict = typeof key === 'string' ? await counted(key) : null
    return verdict?.limited === true ? tooMany(verdict) : work()
  }

  router.post(
    '/v3/activations',
    body,
    open(async (c, counted) =>
      keyed(counted, c.req.body, async () => {
        const input = decode(c.req.body)
        if (E.isLeft(input)) return input.left
        const license = await licenseOfKey(c, input.right.key)
        if (E.isLeft(license)) return license.left
        const productId = productNamed(input.right, license.right)
        if (E.isLeft(productId)) return productId.left
        const command: ActivateMachineWithDetails = {
          type: 'ActivateMachineWithDetails',
          orderId: license.right.orderId,
          // The machine is its fingerprint; the client, the licensed product: seed 002 sees the same activation.
          clientId: productId.right,
          machineId: input.right.fingerprint,
          clientName: input.right.hostname.slice(0, 256),
          clientAddr: clientIpOf(c.req)?.slice(0, 64) ?? null,
          changes: changesOf(input.right),
        }
        const outcome = await usage.activateWithDetails(c.session, command, metaOf(c))
        if (E.isLeft(outcome)) return cryptlexFailure(outcome.left, meterNames(input.right))
        const { order: after, activation, now, created } = outcome.right
        const token = await tokenFor(c, after, activation, productId.right, now)
        if (E.isLeft(token)) return token.left
        // The document lists 200 only; a new activation's id is also in Location (and in the token's aid).
        return reply(200, { activationToken: token.right }, created ? { Location: `/v3/activations/${activation.activationId}` } : {})
      }),
    ),
  )

  router.get(
    '/v3/activations/:id',
    vendor.read(async (c) => {
      const found = await activationById(c, String(c.req.params.id))
      if (E.isLeft(found)) return found.left
      const { license, activation } = found.right
      return reply(200, activationView(license.order, activation, license.productId, services.clock()))
    }),
  )

  router.patch(
    '/v3/activations/:id',
    body,
    open(async (c, counted) =>
      keyed(counted, c.req.body, async () => {
        const input = decode(c.req.body)
        if (E.isLeft(input)) return input.left
        const found = await activationById(c, String(c.req.params.id))
        if (E.isLeft(found)) return found.left
        const { license, activation } = found.right
        if (input.right.key !== license.order.activationKey) return invalidLicenseKey()
        const productId = productNamed(input.right, license)
        if (E.isLeft(productId)) return productId.left
        const { activationId } = activation
        const outcome = await usage.updateActivation(c.session, { type: 'UpdateActivation', orderId: license.orderId, activationId, changes: changesOf(input.right) }, metaOf(c))
        if (E.isLeft(outcome)) return cryptlexFailure(outcome.left, meterNames(input.right))
        const { order: after, now } = outcome.right
        const updated = ownEntry(after.usage.activations, activationId)
        if (updated === undefined) return activationNotFound()
        const token = await tokenFor(c, after, updated, productId.right, now)
        return E.isLeft(token) ? token.left : reply(200, { activationToken: token.right })
      }),
    ),
  )

  router.delete(
    '/v3/activations/:id',
    open(async (c) => {
      const found = await activationById(c, String(c.req.params.id))
      if (E.isLeft(found)) return found.left
      const { license, activation } = found.right
      const outcome = await usage.deactivate(c.session, { type: 'DeactivateMachine', orderId: license.orderId, activation: { activationId: activation.activationId } }, metaOf(c))
      return E.isLeft(outcome) ? cryptlexFailure(outcome.left) : reply(204)
    }),
  )

  return router
}
