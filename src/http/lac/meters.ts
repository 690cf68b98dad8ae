// The engine's own endpoints for a license order's meter attributes (seed
// 003's meterAttributes), beside seed 001's, in its dialect, with the same
// Bearer authentication and scoping:
//   GET /license-orders/{activation_key}/meter-attributes  the attributes, their allowed uses and the uses counted
//   PUT /license-orders/{activation_key}/meter-attributes  define them: the whole list, [{"name", "allowed_uses"}]
// A seed 003 increment of an attribute the license does not define is refused.
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { Router } from 'express'
import { AllowedUses, MeterName, type ExistingOrder } from '../../domain/order/index.js'
import { failureAt } from '../../domain/validation.js'
import type { HttpDeps } from '../deps.js'
import { credentialsFirst } from '../credentials-first.js'
import { bearerToken } from '../credentials.js'
import { jsonBody } from '../json-body.js'
import { reply } from '../reply.js'
import { licenseEndpoints } from './access.js'
import { lacDialect as dialect } from './dialect.js'
import { lacFailure } from './failures.js'

const MAX_ATTRIBUTES = 100

const Definitions = t.array(t.type({ name: MeterName, allowed_uses: AllowedUses }))

/** At most 100 attributes, each name once. */
const DefinitionsBody = new t.Type<t.TypeOf<typeof Definitions>, unknown, unknown>(
  'meter attribute definitions',
  Definitions.is,
  (u, c) => {
    // The list itself stands in the context, so failures are named as its items ("[1].name").
    const context: t.Context = [...c.slice(0, -1), { ...c[c.length - 1]!, type: Definitions }]
    const decoded = Definitions.validate(u, context)
    if (E.isLeft(decoded)) return decoded
    if (decoded.right.length > MAX_ATTRIBUTES) return t.failures(failureAt(u, c, [], `must list at most ${MAX_ATTRIBUTES} attributes`))
    const seen = new Set<string>()
    for (const [index, { name }] of decoded.right.entries()) {
      if (seen.has(name)) return t.failure(name, [...context, { key: String(index), type: Definitions.type, actual: u }, { key: 'name', type: MeterName, actual: name }], 'is listed twice')
      seen.add(name)
    }
    return decoded
  },
  t.identity,
)

const metersView = (order: ExistingOrder) =>
  Object.entries(order.usage.meters ?? {})
    .filter(([, meter]) => meter.allowedUses !== null)
    .map(([name, meter]) => ({ name, allowed_uses: meter.allowedUses, uses: meter.uses }))

export const createMeterAdminRouter = (deps: HttpDeps): Router => {
  const router = Router()
  const { usage } = deps.services
  const license = licenseEndpoints(deps)

  router.get('/license-orders/:activation_key/meter-attributes', license.read(({ order }) => reply(200, metersView(order))))

  router.put(
    '/license-orders/:activation_key/meter-attributes',
    credentialsFirst(deps, { credential: bearerToken, failure: lacFailure }),
    jsonBody(dialect),
    license.write(DefinitionsBody, async ({ session, license: { orderId }, input, meta }) => {
      const attributes = input.map(({ name, allowed_uses }) => ({ name, allowedUses: allowed_uses }))
      const defined = await usage.defineMeterAttributes(session, { type: 'DefineMeterAttributes', orderId, attributes }, meta)
      return E.isLeft(defined) ? lacFailure(defined.left) : reply(200, metersView(defined.right.order))
    }),
  )

  return router
}
