// Admin API: customers and product templates.
//   POST /customers, GET /customers, GET /customers/{id}, PATCH /customers/{id}
//   POST /product-templates, GET /product-templates, GET /product-templates/{id}
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { Router, type Request } from 'express'
import type { ExistingCustomer, ExistingProductTemplate } from '../../application/customers.js'
import { CreateCustomer, CreateProductTemplate } from '../../domain/index.js'
import { customerView } from '../../views/license-order.js'
import { metaOf } from '../call.js'
import { decodeExactIn } from '../decode.js'
import type { HttpDeps } from '../deps.js'
import { jsonBody } from '../json-body.js'
import { reply } from '../reply.js'
import { adminEndpoints } from './auth.js'
import { adminDialect as dialect } from './dialect.js'
import { adminFailure } from './failures.js'
import { byId, pagedList, patchById, type ById } from './reads.js'

const customerBody = (c: ExistingCustomer) => ({ id: c.customerId, ...customerView(c), created_at: c.createdAt })
const templateBody = (p: ExistingProductTemplate) => ({ id: p.templateId, name: p.name, product_id: p.productId, created_at: p.createdAt })

const ID = /^[1-9]\d{0,14}$/
const idParam = (req: Request): number | null => {
  const text = String(req.params.id)
  return ID.test(text) ? Number(text) : null
}

const decode = decodeExactIn(dialect)

/** A customer's profile, decoded with the customer commands' own codec for it. */
const Profile = CreateCustomer.props.profile
/** A template as the admin API names its fields, decoded with CreateProductTemplate's own codecs. */
export const TemplateInput = t.type({ name: CreateProductTemplate.props.name, product_id: CreateProductTemplate.props.productId })

export const createCustomersRouter = ({ services, reads, idempotency }: HttpDeps): Router => {
  const router = Router()
  const admin = adminEndpoints({ services, idempotency })
  const body = jsonBody(dialect)
  const { customers, productTemplates } = services

  const customerById: ById<number, ExistingCustomer> = {
    id: idParam,
    get: ({ session }, id) => customers.get(session, id),
    missing: () => dialect.problem(404, { detail: 'no such customer' }),
    body: customerBody,
  }

  router.post(
    '/customers',
    body,
    admin.write(async (call) => {
      const profile = decode(Profile, call.req.body ?? {})
      if (E.isLeft(profile)) return profile.left
      const created = await customers.create(call.session, { type: 'CreateCustomer', profile: profile.right }, metaOf(call))
      return E.isLeft(created)
        ? adminFailure(created.left)
        : reply(201, customerBody(created.right), { Location: `/customers/${created.right.customerId}` })
    }),
  )

  router.get(
    '/customers',
    admin.read(pagedList(reads.fresh, (limit, offset) => reads.customers.list(limit, offset), customerBody)),
  )

  router.get(
    '/customers/:id',
    admin.read(byId(customerById)),
  )

  router.patch(
    '/customers/:id',
    body,
    admin.write(
      patchById(
        {
          ...customerById,
          fields: (customer) => customer.profile,
          codec: Profile,
          change: (call, { customerId }, profile) => customers.update(call.session, { type: 'UpdateCustomer', customerId, profile }, metaOf(call)),
        },
        dialect,
        adminFailure,
      ),
    ),
  )

  router.post(
    '/product-templates',
    body,
    admin.write(async (call) => {
      const input = decode(TemplateInput, call.req.body ?? {})
      if (E.isLeft(input)) return input.left
      const command = { type: 'CreateProductTemplate' as const, name: input.right.name, productId: input.right.product_id }
      const created = await productTemplates.create(call.session, command, metaOf(call))
      return E.isLeft(created)
        ? adminFailure(created.left)
        : reply(201, templateBody(created.right), { Location: `/product-templates/${created.right.templateId}` })
    }),
  )

  router.get(
    '/product-templates',
    admin.read(pagedList(reads.fresh, (limit, offset) => reads.productTemplates.list(limit, offset), templateBody)),
  )

  router.get(
    '/product-templates/:id',
    admin.read(byId({ id: idParam, get: ({ session }, id) => productTemplates.get(session, id), missing: () => dialect.problem(404, { detail: 'no such product template' }), body: templateBody })),
  )

  return router
}
