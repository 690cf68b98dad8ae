import type { ApiModule } from '../api-module.js'
import { body, idempotencyKey, int, json, nullable, pathParam, ref, str } from '../openapi-helpers.js'

const tag = 'Admin'
const security = [{ bearer: [] }]
const errorBody = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      required: ['status', 'message'],
      properties: {
        status: int,
        message: str,
        fields: { type: 'array', items: { type: 'object', properties: { field: str, message: str } } },
      },
    },
  },
}
const failures = {
  '400': json(ref('AdminError'), 'Invalid request; the failing fields are named.'),
  '401': json(ref('AdminError'), 'Missing, invalid, expired or revoked credential.'),
  '403': json(ref('AdminError'), 'The credential is not an admin credential.'),
}
const paging = [
  { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
  { name: 'offset', in: 'query', required: false, schema: { type: 'integer', minimum: 0, default: 0 } },
]
const list = (item: string) => json({ type: 'object', properties: { items: { type: 'array', items: ref(item) }, limit: int, offset: int } })
const id = pathParam('id', 'Integer id.', { type: 'integer' })
const notFound = { '404': json(ref('AdminError'), 'Not found.') }

const customerRecord = { allOf: [{ type: 'object', properties: { id: int, created_at: str } }, ref('Customer')] }
const templateRecord = { type: 'object', properties: { id: int, name: str, product_id: str, created_at: str } }
const apiKey = {
  type: 'object',
  properties: {
    id: str,
    name: str,
    scope: { oneOf: [{ const: 'admin' }, { type: 'object', properties: { product_id: str } }, { type: 'object', properties: { order_id: str } }] },
    expires_at: nullable(str),
    created_at: str,
    revoked_at: nullable(str),
  },
}

export const adminOpenApi: ApiModule['openapi'] = {
  tags: [{ name: tag, description: "The engine's own admin API: customers, product templates, API keys." }],
  schemas: {
    AdminError: errorBody,
    CustomerRecord: customerRecord,
    ProductTemplate: templateRecord,
    ApiKey: apiKey,
    IssuedApiKey: { allOf: [ref('ApiKey'), { type: 'object', properties: { token: { ...nullable(str), description: 'Shown once; null on an idempotent replay.' } } }] },
  },
  paths: {
    '/customers': {
      post: {
        tags: [tag],
        summary: 'Create a customer.',
        security,
        parameters: [idempotencyKey],
        // The same members as a change, but a new customer needs its name.
        requestBody: body({ allOf: [ref('Customer'), { type: 'object', required: ['name'] }] }),
        responses: { '201': json(ref('CustomerRecord'), 'Created.'), ...failures },
      },
      get: { tags: [tag], summary: 'List customers.', security, parameters: paging, responses: { '200': list('CustomerRecord'), ...failures } },
    },
    '/customers/{id}': {
      get: { tags: [tag], summary: 'Read a customer.', security, parameters: [id], responses: { '200': json(ref('CustomerRecord')), ...failures, ...notFound } },
      patch: {
        tags: [tag],
        summary: 'Change a customer; fields not sent keep their value.',
        security,
        parameters: [id, idempotencyKey],
        requestBody: body(ref('Customer')),
        responses: { '200': json(ref('CustomerRecord')), ...failures, ...notFound },
      },
    },
    '/product-templates': {
      post: {
        tags: [tag],
        summary: 'Create a product template.',
        security,
        parameters: [idempotencyKey],
        requestBody: body({ type: 'object', required: ['name', 'product_id'], properties: { name: str, product_id: { oneOf: [str, int] } } }),
        responses: { '201': json(ref('ProductTemplate'), 'Created.'), ...failures },
      },
      get: { tags: [tag], summary: 'List product templates.', security, parameters: paging, responses: { '200': list('ProductTemplate'), ...failures } },
    },
    '/product-templates/{id}': {
      get: { tags: [tag], summary: 'Read a product template.', security, parameters: [id], responses: { '200': json(ref('ProductTemplate')), ...failures, ...notFound } },
    },
    '/api-keys': {
      post: {
        tags: [tag],
        summary: 'Issue an API key. Its token is shown once; only its hash is stored.',
        security,
        parameters: [idempotencyKey],
        requestBody: body({
          type: 'object',
          required: ['name', 'scope'],
          properties: {
            name: str,
            scope: { oneOf: [{ const: 'admin' }, { type: 'object', properties: { product_id: str } }, { type: 'object', properties: { activation_key: str } }] },
            expires_at: { ...nullable(str), format: 'date-time' },
          },
        }),
        responses: { '201': json(ref('IssuedApiKey'), 'Issued.'), ...failures },
      },
      get: { tags: [tag], summary: 'List API keys (never their secrets).', security, parameters: paging, responses: { '200': list('ApiKey'), ...failures } },
    },
    '/api-keys/{id}': {
      delete: {
        tags: [tag],
        summary: 'Revoke an API key.',
        security,
        parameters: [pathParam('id', 'API key id.'), idempotencyKey],
        responses: { '200': json(ref('ApiKey'), 'Revoked.'), ...failures, ...notFound },
      },
    },
  },
}
