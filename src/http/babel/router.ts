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
import { authorize, licenseOf, type License } from '../../application/access.js'
import { BoundedString } from '../../domain/codecs.js'
import {
  ClientId,
  ClientName,
  heartbeatIntervalOf,
  licenseExpiry,
  MachineId,
  noActivationDetails,
  seatDeadline,
  standingOf,
} from '../../domain/order/index.js'
import { calls, metaOf, type Call } from '../call.js'
import { apiKeyHeader, bearerToken } from '../credentials.js'
import { decodeIn } from '../decode.js'
import type { HttpDeps } from '../deps.js'
import { jsonBody } from '../json-body.js'
import { reply, type Reply } from '../reply.js'
import { clientIpOf } from '../request-context.js'
import { babelDialect as dialect, babelProblem } from './dialect.js'
import { babelFailure } from './failures.js'
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

const decode = decodeIn(dialect)

export const createBabelRouter = ({ services, idempotency }: HttpDeps): Router => {
  const router = Router()
  const body = jsonBody(dialect, { types: BABEL_BODY_TYPES })
  const { usage, orders } = services

  /** The license a user key names, if the principal may act on it. */
  const licensed = async ({ session, principal }: Call, userKey: string): Promise<E.Either<Reply, License>> =>
    pipe(await orders.reach(session, principal, userKey), E.mapLeft(babelFailure))

  const requester = (req: Request, input: ClientBody) => ({
    clientId: input.clientId,
    machineId: input.machineId,
    clientName: input.clientName,
    clientAddr: clientIpOf(req)?.slice(0, 64) ?? null,
  })

  const presenter = (input: TokenBody) => ({ clientId: input.clientId, machineId: input.machineId })

  const call = calls({ services, idempotency }, { dialect, credential: (req) => bearerToken(req) ?? apiKeyHeader(req), failure: babelFailure })
  const meta = metaOf

  /** Writes run once per Idempotency-Key. */
  const post = (path: string, work: (call: Call) => Promise<Reply>, idempotent = true) =>
    router.post(path, body, idempotent ? call.write(work) : call.read(work))

  post('/v1/license/activate', async (call) => {
    const input = decode(ClientBody, call.req.body ?? {})
    if (E.isLeft(input)) return input.left
    const license = await licensed(call, input.right.userKey)
    if (E.isLeft(license)) return license.left
    const command = { type: 'ActivateMachine' as const, orderId: license.right.orderId, ...requester(call.req, input.right), details: noActivationDetails }
    const outcome = await usage.activate(call.session, command, meta(call))
    if (E.isLeft(outcome)) return babelFailure(outcome.left)
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

  post('/v1/license/deactivate', async (call) => {
    const input = decode(ClientBody, call.req.body ?? {})
    if (E.isLeft(input)) return input.left
    const license = await licensed(call, input.right.userKey)
    if (E.isLeft(license)) return license.left
    const { clientId, machineId } = input.right
    const outcome = await usage.deactivate(call.session, { type: 'DeactivateMachine', orderId: license.right.orderId, activation: { clientId, machineId } }, meta(call))
    if (E.isLeft(outcome)) return babelFailure(outcome.left)
    const { order: after, now } = outcome.right
    return reply(200, { licenseId: after.orderId, ...counts(after, now) })
  })

  post('/v1/license/request', async (call) => {
    const input = decode(ClientBody, call.req.body ?? {})
    if (E.isLeft(input)) return input.left
    const license = await licensed(call, input.right.userKey)
    if (E.isLeft(license)) return license.left
    const outcome = await usage.request(call.session, { type: 'RequestSeat', orderId: license.right.orderId, ...requester(call.req, input.right) }, meta(call))
    if (E.isLeft(outcome)) return babelFailure(outcome.left)
    const { order: after, now, seat } = outcome.right
    return reply(200, {
      granted: seat !== null,
      licenseToken: seat === null ? null : await usage.seatToken(after, seat, now),
      tokenExpireAt: seat === null ? null : timestamp(seat.leaseExpiresAt),
      heartbeatInterval: duration(heartbeatIntervalOf(after, seat)),
      ...counts(after, now),
      license: licenseView(after, now),
    })
  })

  post('/v1/license/release', async (call) => {
    const input = decode(TokenBody, call.req.body ?? {})
    if (E.isLeft(input)) return input.left
    const held = await usage.seatOfToken(call.session, call.principal, input.right.licenseToken)
    if (E.isLeft(held)) return babelFailure(held.left)
    const { claims } = held.right
    const outcome = await usage.release(call.session, { type: 'ReleaseSeat', orderId: claims.sub, seatId: claims.jti, ...presenter(input.right) }, meta(call))
    if (E.isLeft(outcome)) return babelFailure(outcome.left)
    const { order: after, now } = outcome.right
    return reply(200, { licenseId: after.orderId, ...counts(after, now) })
  })

  // Not kept per Idempotency-Key: a heartbeat is idempotent by nature, and keeping its reply would write one event per heartbeat.
  post(
    '/v1/license/heartbeat',
    async (call) => {
      const input = decode(TokenBody, call.req.body ?? {})
      if (E.isLeft(input)) return input.left
      const held = await usage.seatOfToken(call.session, call.principal, input.right.licenseToken)
      if (E.isLeft(held)) return babelFailure(held.left)
      const { claims } = held.right
      const outcome = await usage.heartbeat(call.session, { type: 'HeartbeatSeat', orderId: claims.sub, seatId: claims.jti, ...presenter(input.right) }, meta(call))
      if (E.isLeft(outcome)) return babelFailure(outcome.left)
      const { order: after, now, seat } = outcome.right
      return reply(200, {
        active: seat !== null,
        ...counts(after, now),
        tokenExpireAt: timestamp(seatDeadline(after.usage, claims.jti, { clientId: claims.client.id, machineId: claims.machine.id })),
        heartbeatInterval: duration(heartbeatIntervalOf(after, seat)),
      })
    },
    false,
  )

  post(
    '/v1/license/validate',
    async (call) => {
      const input = decode(ClientBody, call.req.body ?? {})
      if (E.isLeft(input)) return input.left
      const license = await licensed(call, input.right.userKey)
      if (E.isLeft(license)) return license.left
      const { order } = license.right
      const now = services.clock()
      const standing = standingOf(order, input.right, now)
      const held = standing.code === 'VALID' ? standing.held : null
      return reply(200, {
        success: held !== null,
        code: standing.code,
        licenseToken:
          held === null ? null : held.kind === 'seat' ? await usage.seatToken(order, held.seat, now) : await usage.activationToken(order, held.activation, now),
        tokenExpireAt: held === null ? null : timestamp(held.kind === 'seat' ? held.seat.leaseExpiresAt : licenseExpiry(order, now)),
        ...counts(order, now),
        license: licenseView(order, now),
      })
    },
    false,
  )

  post(
    '/v1/license/info',
    async (call) => {
      const input = decode(InfoBody, call.req.body ?? {})
      if (E.isLeft(input)) return input.left
      const { userKey, asOf } = input.right
      if (asOf !== null) {
        // The order that had this key then, as it was then; reach is judged by its product then.
        const then = await services.pointInTime.licenseOrderAt(userKey, asOf)
        if (then === null) return babelProblem(404, 'LICENSE_NOT_FOUND', 'No license had this key at that instant.')
        const reached = authorize(call.principal, licenseOf(then.order, then.template))
        return E.isLeft(reached) ? babelFailure(reached.left) : reply(200, await licenseInfo(usage, then.order, asOf, false))
      }
      const license = await licensed(call, userKey)
      if (E.isLeft(license)) return license.left
      return reply(200, await licenseInfo(usage, license.right.order, services.clock()))
    },
    false,
  )

  return router
}
