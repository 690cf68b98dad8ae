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
import { decodeIn } from '../decode.js'
import type { HttpDeps } from '../deps.js'
import { jsonBody } from '../json-body.js'
import { reply } from '../reply.js'
import { adminEndpoints } from './auth.js'
import { adminDialect as dialect } from './dialect.js'
import { adminFailure } from './failures.js'
import { pageOf } from './paging.js'

const customerBody = (c: ExistingCustomer) => ({ id: c.customerId, ...customerView(c), created_at: c.createdAt })
const templateBody = (p: ExistingProductTemplate) => ({ id: p.templateId, name: p.name, product_id: p.productId, created_at: p.createdAt })

const ID = /^[1-9]\d{0,14}$/
const idParam = (req: Request): number | null => {
  const text = String(req.params.id)
  return ID.test(text) ? Number(text) : null
}

const decode = decodeIn(dialect)

/** A customer's profile, decoded with the customer commands' own codec for it. */
const Profile = CreateCustomer.props.profile
/** A template as the admin API names its fields, decoded with CreateProductTemplate's own codecs. */
const TemplateInput = t.type({ name: CreateProductTemplate.props.name, product_id: CreateProductTemplate.props.productId })

export const createCustomersRouter = ({ services, reads, idempotency }: HttpDeps): Router => {
  const router = Router()
  const admin = adminEndpoints({ services, idempotency })
  const body = jsonBody(dialect)
  const { customers, productTemplates } = services

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
    admin.read(async ({ req }) => {
      const page = pageOf(req)
      if (E.isLeft(page)) return page.left
      await reads.fresh()
      return reply(200, { items: reads.customers.list(page.right.limit, page.right.offset).map(customerBody), ...page.right })
    }),
  )

  router.get(
    '/customers/:id',
    admin.read(async ({ req, session }) => {
      const id = idParam(req)
      const customer = id === null ? null : await customers.get(session, id)
      return customer === null ? dialect.problem(404, { detail: 'no such customer' }) : reply(200, customerBody(customer))
    }),
  )

  router.patch(
    '/customers/:id',
    body,
    admin.write(async (call) => {
      const { req, session } = call
      const id = idParam(req)
      const customer = id === null ? null : await customers.get(session, id)
      if (customer === null) return dialect.problem(404, { detail: 'no such customer' })
      // Fields not sent keep their value.
      const merged = typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? { ...customer.profile, ...req.body } : req.body
      const profile = decode(Profile, merged)
      if (E.isLeft(profile)) return profile.left
      const updated = await customers.update(session, { type: 'UpdateCustomer', customerId: customer.customerId, profile: profile.right }, metaOf(call))
      return E.isLeft(updated) ? adminFailure(updated.left) : reply(200, customerBody(updated.right))
    }),
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
    admin.read(async ({ req }) => {
      const page = pageOf(req)
      if (E.isLeft(page)) return page.left
      await reads.fresh()
      return reply(200, { items: reads.productTemplates.list(page.right.limit, page.right.offset).map(templateBody), ...page.right })
    }),
  )

  router.get(
    '/product-templates/:id',
    admin.read(async ({ req, session }) => {
      const id = idParam(req)
      const template = id === null ? null : await productTemplates.get(session, id)
      return template === null ? dialect.problem(404, { detail: 'no such product template' }) : reply(200, templateBody(template))
    }),
  )

  return router
}
