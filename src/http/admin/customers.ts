// Admin API: customers and product templates.
//   POST /customers, GET /customers, GET /customers/{id}, PATCH /customers/{id}
//   POST /product-templates, GET /product-templates, GET /product-templates/{id}
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { Router, type Request } from 'express'
import type { ExistingCustomer, ExistingProductTemplate } from '../../application/customers.js'
import type { ConcurrencyConflict } from '../../application/command-handler.js'
import { NonEmptyString } from '../../domain/codecs.js'
import { CustomerProfileInput, ProductIdInput, type CustomerError, type ProductTemplateError } from '../../domain/index.js'
import { fieldErrors } from '../../domain/validation.js'
import type { HttpDeps } from '../deps.js'
import { jsonBody } from '../json-body.js'
import { customerView } from '../lac/view.js'
import { reply, type Reply } from '../reply.js'
import { commandMeta } from '../request-context.js'
import { adminEndpoints } from './auth.js'
import { adminDialect as dialect } from './dialect.js'
import { pageOf } from './paging.js'

const customerBody = (c: ExistingCustomer) => ({ id: c.customerId, ...customerView(c), created_at: c.createdAt })
const templateBody = (p: ExistingProductTemplate) => ({ id: p.templateId, name: p.name, product_id: p.productId, created_at: p.createdAt })

const ID = /^[1-9]\d{0,14}$/
const idParam = (req: Request): number | null => {
  const text = String(req.params.id)
  return ID.test(text) ? Number(text) : null
}

const invalid = (errors: t.Errors): Reply => dialect.problem(400, { fields: fieldErrors(errors) })

const failed = (failure: CustomerError | ProductTemplateError | ConcurrencyConflict): Reply => {
  switch (failure._tag) {
    case 'CustomerNotFound':
      return dialect.problem(404, { detail: `customer ${failure.customerId} does not exist` })
    case 'ConcurrencyConflict':
      return dialect.problem(409, { detail: 'the resource changed while this request was being decided; retry it' })
    default:
      return dialect.problem(409, { detail: failure._tag })
  }
}

const TemplateInput = t.type({ name: NonEmptyString, product_id: ProductIdInput })

export const createCustomersRouter = ({ services, reads, idempotency }: HttpDeps): Router => {
  const router = Router()
  const admin = adminEndpoints(services.credentials, idempotency)
  const body = jsonBody(dialect)

  router.post(
    '/customers',
    body,
    admin.write(async (req, principal, idempotencyKey) => {
      const profile = CustomerProfileInput.decode(req.body ?? {})
      if (E.isLeft(profile)) return invalid(profile.left)
      const created = await services.customers.create(profile.right, commandMeta(req, principal.credentialId, idempotencyKey))
      return E.isLeft(created)
        ? failed(created.left)
        : reply(201, customerBody(created.right), { Location: `/customers/${created.right.customerId}` })
    }),
  )

  router.get(
    '/customers',
    admin.read(async (req) => {
      const page = pageOf(req)
      if (E.isLeft(page)) return page.left
      await reads.fresh()
      return reply(200, { items: reads.customers.list(page.right.limit, page.right.offset).map(customerBody), ...page.right })
    }),
  )

  router.get(
    '/customers/:id',
    admin.read(async (req) => {
      const id = idParam(req)
      const customer = id === null ? null : await services.customers.get(id)
      return customer === null ? dialect.problem(404, { detail: 'no such customer' }) : reply(200, customerBody(customer))
    }),
  )

  router.patch(
    '/customers/:id',
    body,
    admin.write(async (req, principal, idempotencyKey) => {
      const id = idParam(req)
      const customer = id === null ? null : await services.customers.get(id)
      if (customer === null) return dialect.problem(404, { detail: 'no such customer' })
      // Fields not sent keep their value.
      const merged = typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? { ...customer.profile, ...req.body } : req.body
      const profile = CustomerProfileInput.decode(merged)
      if (E.isLeft(profile)) return invalid(profile.left)
      const updated = await services.customers.update(customer.customerId, profile.right, commandMeta(req, principal.credentialId, idempotencyKey))
      return E.isLeft(updated) ? failed(updated.left) : reply(200, customerBody(updated.right))
    }),
  )

  router.post(
    '/product-templates',
    body,
    admin.write(async (req, principal, idempotencyKey) => {
      const input = TemplateInput.decode(req.body ?? {})
      if (E.isLeft(input)) return invalid(input.left)
      const created = await services.productTemplates.create(
        { name: input.right.name, productId: input.right.product_id },
        commandMeta(req, principal.credentialId, idempotencyKey),
      )
      return E.isLeft(created)
        ? failed(created.left)
        : reply(201, templateBody(created.right), { Location: `/product-templates/${created.right.templateId}` })
    }),
  )

  router.get(
    '/product-templates',
    admin.read(async (req) => {
      const page = pageOf(req)
      if (E.isLeft(page)) return page.left
      await reads.fresh()
      return reply(200, { items: reads.productTemplates.list(page.right.limit, page.right.offset).map(templateBody), ...page.right })
    }),
  )

  router.get(
    '/product-templates/:id',
    admin.read(async (req) => {
      const id = idParam(req)
      const template = id === null ? null : await services.productTemplates.get(id)
      return template === null ? dialect.problem(404, { detail: 'no such product template' }) : reply(200, templateBody(template))
    }),
  )

  return router
}
