// Seed 002 (Babel Licensing Service, Licensing API):
//   POST /v1/license/activate    bind a machine to the license (node-locked), counted against activations_allowed
//   POST /v1/license/deactivate  unbind it, within deactivations_allowed
//   POST /v1/license/request     borrow a floating seat; granted: false when none is free
//   POST /v1/license/release     give the seat back (named by its licenseToken)
//   POST /v1/license/heartbeat   keep the seat alive; every answer carries the next deadline
//   POST /v1/license/validate    where a client stands, with a machine-readable code
//   POST /v1/license/info        the license and the tokens issued on it
// userKey is the license order's activation key. Authentication: an API key
// (or the admin token) as Authorization: Bearer or x-api-key; a key scoped to
// a product or a license reaches that product's or that license's only.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import { Router, type Request } from 'express'
import type { Principal } from '../../application/credentials.js'
import type { TokenClaims } from '../../application/license-tokens.js'
import { mayReach } from '../../domain/api-key/access.js'
import { BoundedString } from '../../domain/codecs.js'
import {
  ClientId,
  clientKey,
  ClientName,
  licenseExpiry,
  MachineId,
  noActivationDetails,
  seatSettingsOf,
  standingOf,
  type ExistingOrder,
} from '../../domain/order/index.js'
import { fieldErrors } from '../../domain/validation.js'
import { apiKeyHeader, bearerToken } from '../credentials.js'
import type { HttpDeps } from '../deps.js'
import { endpoint } from '../endpoint.js'
import { jsonBody } from '../json-body.js'
import { reply, type Reply } from '../reply.js'
import { clientIpOf, commandMeta } from '../request-context.js'
import { babelDialect as dialect, babelProblem } from './dialect.js'
import { authProblem, tokenProblem, usageProblem } from './failures.js'
import { INSTANT_MESSAGE, parseInstant } from '../audit-params.js'
import { licenseInfo } from './info.js'
import { counts, duration, licenseView, timestamp } from './view.js'

/** The media types seed 002's clients send (its examples: application/json-patch+json). */
export const BABEL_BODY_TYPES = ['application/json', 'application/json-patch+json', 'text/json', 'application/*+json'] as const

/** A field a client may leave out, send as null or send empty: all mean "not given". */
const optional = <A>(codec: t.Type<A, A, unknown>) =>
  new t.Type<A | null, A | null, unknown>(
    codec.name,
    (u): u is A | null => u === null || codec.is(u),
    (u, c) => (u === undefined || u === null || u === '' ? t.success(null) : codec.validate(u, c)),
    t.identity,
  )

const UserKey = BoundedString(1, 64, 'a license key')
const LicenseToken = BoundedString(1, 16_384, 'a license token')

const ClientBody = t.type({ userKey: UserKey, machineId: MachineId, clientId: ClientId, clientName: optional(ClientName) })
type ClientBody = t.TypeOf<typeof ClientBody>
const TokenBody = t.type({ licenseToken: LicenseToken, machineId: optional(MachineId), clientId: optional(ClientId), clientName: optional(ClientName) })
type TokenBody = t.TypeOf<typeof TokenBody>
/** An instant with a time zone, for `asOf`. */
const AsOf = new t.Type<Date, Date, unknown>(
  'an ISO 8601 instant',
  (u): u is Date => u instanceof Date,
  (u, c) => {
    const at = typeof u === 'string' ? parseInstant(u) : null
    return at === null ? t.failure(u, c, INSTANT_MESSAGE) : t.success(at)
  },
  t.identity,
)

const InfoBody = t.type({
  userKey: UserKey,
  machineId: optional(MachineId),
  clientId: optional(ClientId),
  clientName: optional(ClientName),
  /** Issue 5: the license as it was at this instant (folded from its own stream). */
  asOf: optional(AsOf),
})

const decode = <A>(codec: t.Decoder<unknown, A>, body: unknown): E.Either<Reply, A> =>
  pipe(
    codec.decode(body ?? {}),
    E.mapLeft((errors) => dialect.problem(400, { fields: fieldErrors(errors) })),
  )

export const createBabelRouter = ({ services, idempotency }: HttpDeps): Router => {
  const router = Router()
  const body = jsonBody(dialect, { types: BABEL_BODY_TYPES })
  const { usage } = services

  const authenticate = async (req: Request): Promise<E.Either<Reply, Principal>> =>
    pipe(await services.credentials.authenticate(bearerToken(req) ?? apiKeyHeader(req)), E.mapLeft(authProblem))

  const reachable = async (principal: Principal, order: ExistingOrder): Promise<boolean> => mayReach(principal.scope, await usage.targetOf(order))

  const forbidden = (): Reply => babelProblem(403, 'FORBIDDEN', 'This API key may not act on this license.')

  /** The license a user key names, if the principal may act on it. */
  const licensed = async (principal: Principal, userKey: string): Promise<E.Either<Reply, ExistingOrder>> => {
    const order = await services.orders.findByKey(userKey)
    if (order === null) return E.left(babelProblem(404, 'LICENSE_NOT_FOUND', 'No license has this key.'))
    return (await reachable(principal, order)) ? E.right(order) : E.left(forbidden())
  }

  /** The floating seat a token names: signed by us, a seat token, on a license the principal may act on. */
  const seatOfToken = async (principal: Principal, token: string): Promise<E.Either<Reply, { claims: TokenClaims; order: ExistingOrder }>> => {
    const claims = await usage.verifyToken(token)
    if (E.isLeft(claims)) return E.left(tokenProblem(claims.left))
    if (claims.right.kind !== 'seat') return E.left(tokenProblem({ _tag: 'WrongTokenKind' }))
    const order = await usage.orderOfToken(claims.right)
    if (order === null) return E.left(babelProblem(404, 'LICENSE_NOT_FOUND', 'The license of this token no longer exists.'))
    return (await reachable(principal, order)) ? E.right({ claims: claims.right, order }) : E.left(forbidden())
  }

  const requester = (req: Request, input: ClientBody) => ({
    clientId: input.clientId,
    machineId: input.machineId,
    clientName: input.clientName,
    clientAddr: clientIpOf(req)?.slice(0, 64) ?? null,
  })

  const presenter = (input: TokenBody) => ({ clientId: input.clientId, machineId: input.machineId })

  /** Authenticates, then runs the work (once per Idempotency-Key when it writes). */
  const post = (path: string, work: (req: Request, principal: Principal, idempotencyKey: string | null) => Promise<Reply>, idempotent = true) =>
    router.post(
      path,
      body,
      endpoint(dialect, async (req) => {
        const principal = await authenticate(req)
        if (E.isLeft(principal)) return principal.left
        return idempotent ? idempotency.run(req, dialect, (key) => work(req, principal.right, key)) : work(req, principal.right, null)
      }),
    )

  post('/v1/license/activate', async (req, principal, idempotencyKey) => {
    const input = decode(ClientBody, req.body)
    if (E.isLeft(input)) return input.left
    const order = await licensed(principal, input.right.userKey)
    if (E.isLeft(order)) return order.left
    const outcome = await usage.activate(order.right.orderId, requester(req, input.right), noActivationDetails, commandMeta(req, principal.credentialId, idempotencyKey))
    if (E.isLeft(outcome)) return usageProblem(outcome.left)
    const { order: after, now, activation } = outcome.right
    // Every activation in use: an answer (success: false) with the counts, as the seed's response allows.
    return reply(200, {
      success: activation !== null,
      licenseToken: activation === null ? null : await usage.activationToken(after, activation, now),
      tokenExpireAt: activation === null ? null : timestamp(licenseExpiry(after, now)),
      ...counts(after, now),
      license: licenseView(after, now),
    })
  })

  post('/v1/license/deactivate', async (req, principal, idempotencyKey) => {
    const input = decode(ClientBody, req.body)
    if (E.isLeft(input)) return input.left
    const order = await licensed(principal, input.right.userKey)
    if (E.isLeft(order)) return order.left
    const { clientId, machineId } = input.right
    const outcome = await usage.deactivate(order.right.orderId, { clientId, machineId }, commandMeta(req, principal.credentialId, idempotencyKey))
    if (E.isLeft(outcome)) return usageProblem(outcome.left)
    const { order: after, now } = outcome.right
    return reply(200, { licenseId: after.orderId, ...counts(after, now) })
  })

  post('/v1/license/request', async (req, principal, idempotencyKey) => {
    const input = decode(ClientBody, req.body)
    if (E.isLeft(input)) return input.left
    const order = await licensed(principal, input.right.userKey)
    if (E.isLeft(order)) return order.left
    const outcome = await usage.request(order.right.orderId, requester(req, input.right), commandMeta(req, principal.credentialId, idempotencyKey))
    if (E.isLeft(outcome)) return usageProblem(outcome.left)
    const { order: after, now, seat } = outcome.right
    return reply(200, {
      granted: seat !== null,
      licenseToken: seat === null ? null : await usage.seatToken(after, seat, now),
      tokenExpireAt: seat === null ? null : timestamp(seat.leaseExpiresAt),
      heartbeatInterval: duration(seat?.heartbeatIntervalSeconds ?? seatSettingsOf(after).heartbeatIntervalSeconds),
      ...counts(after, now),
      license: licenseView(after, now),
    })
  })

  post('/v1/license/release', async (req, principal, idempotencyKey) => {
    const input = decode(TokenBody, req.body)
    if (E.isLeft(input)) return input.left
    const held = await seatOfToken(principal, input.right.licenseToken)
    if (E.isLeft(held)) return held.left
    const { claims } = held.right
    const outcome = await usage.release(claims.sub, claims.jti, presenter(input.right), commandMeta(req, principal.credentialId, idempotencyKey))
    if (E.isLeft(outcome)) return usageProblem(outcome.left)
    const { order: after, now } = outcome.right
    return reply(200, { licenseId: after.orderId, ...counts(after, now) })
  })

  // Not kept per Idempotency-Key: a heartbeat is idempotent by nature, and keeping its reply would write one event per heartbeat.
  post(
    '/v1/license/heartbeat',
    async (req, principal) => {
      const input = decode(TokenBody, req.body)
      if (E.isLeft(input)) return input.left
      const held = await seatOfToken(principal, input.right.licenseToken)
      if (E.isLeft(held)) return held.left
      const { claims } = held.right
      const outcome = await usage.heartbeat(claims.sub, claims.jti, presenter(input.right), commandMeta(req, principal.credentialId))
      if (E.isLeft(outcome)) return usageProblem(outcome.left)
      const { order: after, now, seat } = outcome.right
      // A dead seat's deadline is the moment its lease ran out, when the engine knows it.
      const ended = after.usage.lastEnds[clientKey({ clientId: claims.client.id, machineId: claims.machine.id })]
      const deadline = seat?.leaseExpiresAt ?? (ended?.tokenId === claims.jti ? ended.at : null)
      return reply(200, {
        active: seat !== null,
        ...counts(after, now),
        tokenExpireAt: timestamp(deadline),
        heartbeatInterval: duration(seat?.heartbeatIntervalSeconds ?? seatSettingsOf(after).heartbeatIntervalSeconds),
      })
    },
    false,
  )

  post(
    '/v1/license/validate',
    async (req, principal) => {
      const input = decode(ClientBody, req.body)
      if (E.isLeft(input)) return input.left
      const order = await licensed(principal, input.right.userKey)
      if (E.isLeft(order)) return order.left
      const now = services.clock()
      const standing = standingOf(order.right, input.right, now)
      const held = standing.code === 'VALID' ? standing.held : null
      return reply(200, {
        success: held !== null,
        code: standing.code,
        licenseToken:
          held === null
            ? null
            : held.kind === 'seat'
              ? await usage.seatToken(order.right, held.seat, now)
              : await usage.activationToken(order.right, held.activation, now),
        tokenExpireAt: held === null ? null : timestamp(held.kind === 'seat' ? held.seat.leaseExpiresAt : licenseExpiry(order.right, now)),
        ...counts(order.right, now),
        license: licenseView(order.right, now),
      })
    },
    false,
  )

  post(
    '/v1/license/info',
    async (req, principal) => {
      const input = decode(InfoBody, req.body)
      if (E.isLeft(input)) return input.left
      const { userKey, asOf } = input.right
      if (asOf !== null) {
        // The order that had this key then, as it was then; reach is judged by its product then.
        const then = await services.pointInTime.licenseOrderAt(userKey, asOf)
        if (then === null) return babelProblem(404, 'LICENSE_NOT_FOUND', 'No license had this key at that instant.')
        if (!mayReach(principal.scope, { productId: then.template?.productId ?? null, orderId: then.order.orderId })) return forbidden()
        return reply(200, await licenseInfo(usage, then.order, asOf, false))
      }
      const found = await licensed(principal, userKey)
      if (E.isLeft(found)) return found.left
      return reply(200, await licenseInfo(usage, found.right, services.clock()))
    },
    false,
  )

  return router
}
