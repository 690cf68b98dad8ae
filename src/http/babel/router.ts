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
import * as t from 'io-ts'
import { Router, type Request } from 'express'
import { authorize, licenseOf, type License } from '../../application/access.js'
import type { TokenClaims } from '../../application/license-usage.js'
import type { HeartbeatSeat } from '../../domain/order/index.js'
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
import { sendJsonBytes } from '../json-bytes.js'
import { documentedNames, type PropertyShape } from '../property-names.js'
import { reply, type Reply } from '../reply.js'
import { clientIpOf } from '../request-context.js'
import { babelDialect as dialect, babelProblem } from './dialect.js'
import { standingRule } from '../denial-fields.js'
import { babelFailure } from './failures.js'
import { INSTANT_MESSAGE, parseInstant } from '../audit-params.js'
import { encodedLicenseInfo, licenseInfo } from './info.js'
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

export const ClientBody = t.type({ userKey: UserKey, machineId: MachineId, clientId: ClientId, clientName: optional(ClientName) })
type ClientBody = t.TypeOf<typeof ClientBody>
export const TokenBody = t.type({ licenseToken: LicenseToken, machineId: optional(MachineId), clientId: optional(ClientId), clientName: optional(ClientName) })
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

export const InfoBody = t.type({
  userKey: UserKey,
  machineId: optional(MachineId),
  clientId: optional(ClientId),
  clientName: optional(ClientName),
  /** Issue 5: the license as it was at this instant (folded from its own stream). */
  asOf: optional(AsOf),
})

const decodeAsSent = decodeIn(dialect)

/** Every property name of seed 002's bodies: matched without regard to case, as its ASP.NET service binds them. */
const BODY_NAMES: PropertyShape = Object.fromEntries(
  [...Object.keys(ClientBody.props), ...Object.keys(TokenBody.props), ...Object.keys(InfoBody.props)].map((name) => [name, null]),
)

/** A body decoded with its property names as documented; one sent twice in two casings is a 400 naming it. */
const decode = <A>(codec: t.Decoder<unknown, A>, body: unknown): E.Either<Reply, A> => {
  const named = documentedNames(body, BODY_NAMES)
  return E.isLeft(named) ? E.left(dialect.problem(400, { fields: named.left })) : decodeAsSent(codec, named.right)
}

/** What a token presented back names: its seat on its order, and the client and machine presenting it (when given). */
type SeatCommand = Omit<HeartbeatSeat, 'type'>

/** Whether an operation runs once per Idempotency-Key: every write but the heartbeat. */
type Kind = 'write' | 'read'

export const createBabelRouter = ({ services, idempotency, rateLimits }: HttpDeps): Router => {
  const router = Router()
  const body = jsonBody(dialect, { types: BABEL_BODY_TYPES })
  const { usage, orders } = services
  const call = calls({ services, idempotency }, { dialect, credential: (req) => bearerToken(req) ?? apiKeyHeader(req), failure: babelFailure, limit: rateLimits?.babel ?? null })
  const post = (path: string, kind: Kind, work: (call: Call) => Promise<Reply>) => router.post(path, body, call[kind](work))

  /** An operation on the license a user key names: the body decoded, the license reached, then `work`. */
  const onLicense = <A extends { readonly userKey: string }>(path: string, kind: Kind, codec: t.Decoder<unknown, A>, work: (call: Call, input: A, license: License) => Promise<Reply>) =>
    post(path, kind, async (c) => {
      const input = decode(codec, c.req.body ?? {})
      if (E.isLeft(input)) return input.left
      const license = await orders.reach(c.session, c.principal, input.right.userKey)
      return E.isLeft(license) ? babelFailure(license.left) : work(c, input.right, license.right)
    })

  /** An operation on the floating seat a license token names: signed by us, a seat token, on a license the principal may act on. */
  const onSeat = (path: string, kind: Kind, work: (call: Call, held: { readonly claims: TokenClaims; readonly command: SeatCommand }) => Promise<Reply>) =>
    post(path, kind, async (c) => {
      const input = decode(TokenBody, c.req.body ?? {})
      if (E.isLeft(input)) return input.left
      const held = await usage.seatOfToken(c.session, c.principal, input.right.licenseToken)
      if (E.isLeft(held)) return babelFailure(held.left)
      const { claims } = held.right
      return work(c, { claims, command: { orderId: claims.sub, seatId: claims.jti, clientId: input.right.clientId, machineId: input.right.machineId } })
    })

  /** The client a request speaks for, and the address it came from. */
  const requester = (req: Request, input: ClientBody) => ({
    clientId: input.clientId,
    machineId: input.machineId,
    clientName: input.clientName,
    clientAddr: clientIpOf(req)?.slice(0, 64) ?? null,
  })

  onLicense('/v1/license/activate', 'write', ClientBody, async (c, input, { orderId }) => {
    const outcome = await usage.activate(c.session, { type: 'ActivateMachine', orderId, ...requester(c.req, input), details: noActivationDetails }, metaOf(c))
    if (E.isLeft(outcome)) return babelFailure(outcome.left)
    const { order: after, now, activation, denialId } = outcome.right
    // Every activation in use: an answer (success: false) with the counts, as the seed's response allows.
    return reply(200, {
      success: activation !== null,
      licenseToken: activation === null ? null : await usage.activationToken(after, activation, now),
      tokenExpireAt: activation === null ? null : timestamp(licenseExpiry(after, now)),
      ...counts(after, now),
      license: licenseView(after, now),
      // Refused: which denial it was, to ask about (GET /license-orders/{activation_key}/denials/{denialId}).
      ...(activation === null ? { denialId: denialId ?? null, rule: 'activations_allowed' } : {}),
    })
  })

  onLicense('/v1/license/deactivate', 'write', ClientBody, async (c, { clientId, machineId }, { orderId }) => {
    const outcome = await usage.deactivate(c.session, { type: 'DeactivateMachine', orderId, activation: { clientId, machineId } }, metaOf(c))
    if (E.isLeft(outcome)) return babelFailure(outcome.left)
    const { order: after, now } = outcome.right
    return reply(200, { licenseId: after.orderId, ...counts(after, now) })
  })

  onLicense('/v1/license/request', 'write', ClientBody, async (c, input, { orderId }) => {
    const outcome = await usage.request(c.session, { type: 'RequestSeat', orderId, ...requester(c.req, input) }, metaOf(c))
    if (E.isLeft(outcome)) return babelFailure(outcome.left)
    const { order: after, now, seat, denialId } = outcome.right
    return reply(200, {
      granted: seat !== null,
      licenseToken: seat === null ? null : await usage.seatToken(after, seat, now),
      tokenExpireAt: seat === null ? null : timestamp(seat.leaseExpiresAt),
      heartbeatInterval: duration(heartbeatIntervalOf(after, seat)),
      ...counts(after, now),
      license: licenseView(after, now),
      // Not granted: which denial it was, to ask about (GET /license-orders/{activation_key}/denials/{denialId}).
      ...(seat === null ? { denialId: denialId ?? null, rule: 'activations_allowed' } : {}),
    })
  })

  onSeat('/v1/license/release', 'write', async (c, { command }) => {
    const outcome = await usage.release(c.session, { type: 'ReleaseSeat', ...command }, metaOf(c))
    if (E.isLeft(outcome)) return babelFailure(outcome.left)
    const { order: after, now } = outcome.right
    return reply(200, { licenseId: after.orderId, ...counts(after, now) })
  })

  // Not kept per Idempotency-Key: a heartbeat is idempotent by nature, and keeping its reply would write one event per heartbeat.
  onSeat('/v1/license/heartbeat', 'read', async (c, { claims, command }) => {
    const outcome = await usage.heartbeat(c.session, { type: 'HeartbeatSeat', ...command }, metaOf(c))
    if (E.isLeft(outcome)) return babelFailure(outcome.left)
    const { order: after, now, seat } = outcome.right
    return reply(200, {
      active: seat !== null,
      ...counts(after, now),
      tokenExpireAt: timestamp(seatDeadline(after.usage, claims.jti, { clientId: claims.client.id, machineId: claims.machine.id })),
      heartbeatInterval: duration(heartbeatIntervalOf(after, seat)),
    })
  })

  onLicense('/v1/license/validate', 'read', ClientBody, async (c, input, license) => {
    const order = await usage.live(c.session, license.order)
    const now = services.clock()
    const standing = standingOf(order, input, now)
    const held = standing.code === 'VALID' ? standing.held : null
    return reply(200, {
      success: held !== null,
      code: standing.code,
      // The rule behind a code other than VALID, by the name the denials use.
      ...(standing.code === 'VALID' ? {} : { rule: standingRule(standing.code) }),
      licenseToken:
        held === null ? null : held.kind === 'seat' ? await usage.seatToken(order, held.seat, now) : await usage.activationToken(order, held.activation, now),
      tokenExpireAt: held === null ? null : timestamp(held.kind === 'seat' ? held.seat.leaseExpiresAt : licenseExpiry(order, now)),
      ...counts(order, now),
      license: licenseView(order, now),
    })
  })

  post('/v1/license/info', 'read', async (c) => {
    const input = decode(InfoBody, c.req.body ?? {})
    if (E.isLeft(input)) return input.left
    const { userKey, asOf } = input.right
    if (asOf !== null) {
      // The order that had this key then, as it was then; reach is judged by its product then.
      const then = await services.pointInTime.licenseOrderAt(userKey, asOf)
      if (then === null) return babelProblem(404, 'LICENSE_NOT_FOUND', 'No license had this key at that instant.')
      const reached = authorize(c.principal, licenseOf(then.order, then.template))
      return E.isLeft(reached) ? babelFailure(reached.left) : reply(200, await licenseInfo(usage, then.order, asOf, false))
    }
    const license = await orders.reach(c.session, c.principal, userKey)
    if (E.isLeft(license)) return babelFailure(license.left)
    sendJsonBytes(c.res, 200, await encodedLicenseInfo(usage, await usage.live(c.session, license.right.order), services.clock()))
    // Already sent, as the bytes each seat's entry is kept as (info.ts); `endpoint` sends nothing once headers are out.
    return reply(200)
  })

  return router
}
