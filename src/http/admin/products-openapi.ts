import type { ApiModule } from '../api-module.js'
import { body, bool, idempotencyKey, int, json, nullable, pathParam, ref, str } from '../openapi-helpers.js'

const tag = 'Admin'
const security = [{ bearer: [] }]
const productId = pathParam('product_id', 'The product_id of product templates.')
const failures = {
  '400': json(ref('AdminError'), 'Invalid request; the failing fields are named.'),
  '401': json(ref('AdminError'), 'Missing, invalid, expired or revoked credential.'),
  '403': json(ref('AdminError'), 'The credential is not an admin credential.'),
  '404': json(ref('AdminError'), 'No product template has this product_id.'),
}

export const productsOpenApi: ApiModule['openapi'] = {
  schemas: {
    ProductSettings: {
      type: 'object',
      required: ['status', 'license_data_enabled'],
      properties: {
        status: { enum: ['test', 'active'], description: 'test: test events (seed 004) are applied; active: they are refused with 409.' },
        license_data_enabled: { ...bool, description: "Whether seed 004 may change a license's data (otherwise 403)." },
      },
    },
    Product: {
      type: 'object',
      properties: {
        product_id: str,
        status: { enum: ['test', 'active'] },
        license_data_enabled: bool,
        configured_at: { ...nullable(str), description: 'null: never configured; the defaults apply (active, no license data).' },
        product_template_ids: { type: 'array', items: int },
      },
    },
  },
  paths: {
    '/products/{product_id}': {
      get: {
        tags: [tag],
        summary: "Read a product's settings for seed 004 (the defaults when never configured: active, license data off).",
        security,
        parameters: [productId],
        responses: { '200': json(ref('Product')), ...failures },
      },
      put: {
        tags: [tag],
        summary: "Set a product's status (test or active) and its license-data option.",
        security,
        parameters: [productId, idempotencyKey],
        requestBody: body(ref('ProductSettings')),
        responses: { '200': json(ref('Product')), ...failures },
      },
    },
  },
}
