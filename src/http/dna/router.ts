// Seed 004 (softWORKZ software_DNA, "Licenses Update"):
//   PATCH /v1/Licenses/{productId}/{licenseId}  change a license's activation e-mail and/or its license data
// Also reached as /v1/licenses/..., the seed's own curl spelling (routes match
// case-insensitively). Basic authentication with <clientId>:<apiKey>. The body
// is read as JSON whatever its Content-Type, since the seed's curl example
// sends it with -d (form-encoded). 204 without a body on success.
//
// What is checked, in order; the first that fails answers, and nothing is
// changed unless every check passes:
//   1. IP lockout of the request's source address -> 429
//   2. a body that is not JSON -> 400 (counted against the source address)
//   3. Basic authentication -> 401 (counted against the source address)
//   4. IP lockout of the end user's address (UserIp) -> 429
//   5. requests per credential and minute -> 429
//   6. the parameters -> 400 naming each invalid or missing one (counted)
//   7. the product and the license, and the credential's reach -> 404 (counted)
//   8. the product's license-data option, for NewLicenseData -> 403
//   9. a test event for an ACTIVE product -> 409
// The UserIp a body names is the vendor's word about its end user: it is
// believed (looked at and counted) only once the vendor's credential has been
// checked, so that no one can lock an end user out by naming their address
// in requests without credentials.
// Members the seed does not list are refused (400, named).
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import express, { Router, type Request, type Response } from 'express'
import * as O from 'fp-ts/Option'
import * as RNEA from 'fp-ts/ReadonlyNonEmptyArray'
import type { LicenseChange, LicenseUpdate } from '../../application/license-updates.js'
import type { Attempt } from '../../application/lockout.js'
import { ActivationKeyInput } from '../../domain/activation-key/key.js'
import type { ApiKeyScope } from '../../domain/api-key/index.js'
import { canonicalIp } from '../../domain/ip-address.js'
import type { AttemptFailure } from '../../domain/lockout/index.js'
import { ChangeEmail, ChangeLicenseData } from '../../domain/order/index.js'
import { ProductId } from '../../domain/product-template/index.js'
import { fieldErrors } from '../../domain/validation.js'
import { MAX_BODY_DEPTH, nestsDeeperThan } from '../body-limits.js'
import { basicCredentials, logRefusal } from '../credentials.js'
import type { HttpDeps } from '../deps.js'
import { endpoint } from '../endpoint.js'
import { exactly } from '../exact.js'
import { reply, type Reply } from '../reply.js'
import { clientIpOf, commandMeta } from '../request-context.js'
import { dnaDialect as dialect, describeParameters } from './dialect.js'
import { dnaFailure } from './failures.js'
import { createRateLimit } from '../rate-limit.js'

const BODY_LIMIT = '16kb'

/** The seed's parameters, each decoded with its command's own codec. */
export const LicenseUpdateBody = t.intersection([
  t.type({ UserIp: ChangeEmail.props.userIp }),
  t.partial({
    NewEmail: ChangeEmail.props.email,
    NewLicenseData: ChangeLicenseData.props.licenseData,
    Test: ChangeEmail.props.test,
    SendDnaEmail: ChangeEmail.props.sendNotice,
  }),
])

const parseJson = express.json({ limit: BODY_LIMIT, type: () => true })

/** The body as JSON (undefined when there is none), or the reply to a body that is not. */
const readBody = (req: Request, res: Response): Promise<E.Either<Reply, unknown>> =>
  new Promise((resolve) => {
    parseJson(req, res, (error?: unknown) => {
      if (error === undefined || error === null) {
        if (nestsDeeperThan(req.body)) return resolve(E.left(dialect.problem(400, { detail: `The request body nests deeper than ${MAX_BODY_DEPTH} levels.` })))
        return resolve(E.right(req.body))
      }
      const type = (error as { type?: string }).type
      if (type === 'entity.too.large') return resolve(E.left(dialect.problem(413, { detail: `The request body is larger than ${BODY_LIMIT}.` })))
      if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
        return resolve(E.left(dialect.problem(400, { detail: 'The request body must be UTF-8 JSON.' })))
      }
      resolve(E.left(dialect.problem(400, { detail: 'The request body is not valid JSON.' })))
    })
  })

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

/** The end user's address as the body gives it, if it is one: what the lockout counts, even when the rest of the body is invalid. */
const userIpOf = (body: E.Either<Reply, unknown>): string | null =>
  E.isRight(body) && isObject(body.right) && typeof body.right.UserIp === 'string' ? canonicalIp(body.right.UserIp.trim()) : null

/** The path and the body as one license update, or every invalid or missing parameter. */
const decodeUpdate = (req: Request, body: unknown): E.Either<string, LicenseUpdate> => {
  const problems: string[] = []
  const productId = ProductId.decode(String(req.params.productId))
  if (E.isLeft(productId)) problems.push('Invalid ProductId format')
  const licenseId = ActivationKeyInput.decode(String(req.params.licenseId))
  if (E.isLeft(licenseId)) problems.push('Invalid LicenseId format')
  if (!isObject(body)) return E.left([...problems, 'The request body must be a JSON object with UserIp and NewEmail and/or NewLicenseData'].join('; '))
  const unknown = exactly(LicenseUpdateBody, body).unknown
  if (unknown.length > 0) problems.push(`Unknown parameter${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')}`)
  const fields = LicenseUpdateBody.decode(body)
  const changes = E.isLeft(fields) ? O.none : changesOf(fields.right)
  if (E.isLeft(fields)) problems.push(describeParameters(fieldErrors(fields.left)))
  else if (O.isNone(changes)) problems.push('NewEmail or NewLicenseData is required')
  if (E.isLeft(productId) || E.isLeft(licenseId) || O.isNone(changes) || problems.length > 0) return E.left(problems.join('; '))
  return E.right({ productId: productId.right, licenseId: licenseId.right, changes: changes.value })
}

/**
 * The changes the parameters ask for, data first: a product without the
 * license-data option answers 403 even to a test event that an active product
 * would refuse with 409.
 */
const changesOf = ({ UserIp: userIp, NewEmail, NewLicenseData, Test, SendDnaEmail }: t.TypeOf<typeof LicenseUpdateBody>) => {
  const test = Test ?? false
  return RNEA.fromReadonlyArray<LicenseChange>([
    ...(NewLicenseData === undefined ? [] : [{ type: 'ChangeLicenseData' as const, licenseData: NewLicenseData, userIp, test }]),
    ...(NewEmail === undefined ? [] : [{ type: 'ChangeEmail' as const, email: NewEmail, userIp, test, sendNotice: SendDnaEmail ?? true }]),
  ])
}

const tooMany = (seconds: number, detail?: string): Reply => {
  const answer = dialect.problem(429, detail === undefined ? {} : { detail })
  return { ...answer, headers: { 'X-RateLimit-Reset': String(seconds), 'Retry-After': String(seconds) } }
}

export const createDnaRouter = ({ services, reads, idempotency, logger, rateLimit }: HttpDeps): Router => {
  const router = Router()
  const { lockout, clock } = services
  const limitRate = createRateLimit(rateLimit ?? { perMinute: 300 }, clock, logger, 'dna')

  /** A 404 that says which of the two was not found, without telling a scoped key what lies outside its reach. */
  const notFound = async (productId: string, scope: ApiKeyScope): Promise<Reply> => {
    const outOfReach = scope.kind === 'product' && scope.productId !== productId
    await reads.fresh()
    const productKnown = !outOfReach && reads.products.exists(productId)
    return dialect.problem(404, { detail: productKnown ? 'LicenseId not found for this ProductId' : 'ProductId not found' })
  }

  router.patch(
    '/v1/Licenses/:productId/:licenseId',
    endpoint(dialect, services.session, async (req, res, session) => {
      const body = await readBody(req, res)
      const source = clientIpOf(req)
      // Until the credential is checked, only the address the request came from is known for sure.
      const anonymous: Attempt = { userIp: null, sourceAddress: source === null ? null : canonicalIp(source) }

      /** A locked-out address is refused before anything else about the request is looked at, valid or not. */
      const lockedOut = async (attempt: Attempt): Promise<Reply | null> => {
        const until = await lockout.lockedUntil(session, attempt)
        if (until === null) return null
        req.log.info({ ...attempt, until: until.toISOString() }, 'refused: IP lockout')
        const seconds = Math.max(1, Math.ceil((until.getTime() - clock().getTime()) / 1000))
        return tooMany(seconds, `Too many invalid attempts from this IP address - try again in ${seconds} seconds (see "X-RateLimit-Reset").`)
      }
      const refuseAs =
        (attempt: Attempt) =>
        async (answer: Reply, reason: AttemptFailure, actor: string | null): Promise<Reply> => {
          const locked = await lockout.recordFailure(session, attempt, reason, commandMeta(req, actor))
          if (locked.length > 0) req.log.warn({ addresses: locked, reason, policy: lockout.policy }, 'IP lockout')
          return answer
        }
      const sourceLocked = await lockedOut(anonymous)
      if (sourceLocked !== null) return sourceLocked
      if (E.isLeft(body)) return refuseAs(anonymous)(body.left, 'invalid_parameters', null)

      const basic = basicCredentials(req)
      const principal =
        basic === null ? E.left({ _tag: 'MissingCredentials' as const }) : await services.credentials.authenticateBasic(session, basic.clientId, basic.apiKey)
      if (E.isLeft(principal)) {
        logRefusal(req, principal.left)
        return refuseAs(anonymous)(dnaFailure(principal.left), 'invalid_credentials', null)
      }
      const { credentialId, scope } = principal.right

      // Authenticated: the end user's address counts too.
      const attempt: Attempt = { ...anonymous, userIp: userIpOf(body) }
      const userLocked = await lockedOut(attempt)
      if (userLocked !== null) return userLocked
      const refuse = refuseAs(attempt)

      const rate = await limitRate(req, res, credentialId)
      if (rate.limited) return tooMany(rate.resetSeconds)

      return idempotency.run(req, session, dialect, principal.right, async (idempotencyKey) => {
        const update = decodeUpdate(req, body.right)
        if (E.isLeft(update)) return refuse(dialect.problem(400, { detail: update.left }), 'invalid_parameters', credentialId)
        const updated = await services.licenseUpdates.update(session, principal.right, update.right, commandMeta(req, credentialId, idempotencyKey))
        if (E.isRight(updated)) return reply(204)
        const failure = updated.left
        // Not found counts against the address, and says which of the two was not found.
        if (failure._tag === 'LicenseNotFound' || failure._tag === 'OrderNotFound') return refuse(await notFound(update.right.productId, scope), 'not_found', credentialId)
        if (failure._tag === 'ConcurrencyConflict') req.log.error({ failure }, 'license update failed: concurrency conflict after retries')
        return dnaFailure(failure)
      })
    }),
  )

  return router
}
