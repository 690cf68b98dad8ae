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
    ProductActivationKey: {
      type: 'object',
      required: ['product_id', 'alg', 'kid', 'public_key_pem', 'jwk'],
      description:
        "The public half of the product's RSA key pair, which signs seed 003's activation tokens (RS256): embed it in the app to verify " +
        'activationToken offline. Made the first time it is needed and never changed; its private key is kept sealed with the engine secret key.',
      properties: {
        product_id: str,
        alg: { const: 'RS256' },
        kid: { ...str, description: "RFC 7638 thumbprint; the tokens' kid." },
        public_key_pem: { ...str, description: 'SPKI PEM (-----BEGIN PUBLIC KEY-----).' },
        jwk: { type: 'object', required: ['kty', 'n', 'e'], properties: { kty: { const: 'RSA' }, n: str, e: str, kid: str, alg: { const: 'RS256' }, use: { const: 'sig' } } },
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
    '/products/{product_id}/activation-key': {
      get: {
        tags: [tag],
        summary: "Read the public key that verifies the product's seed 003 activation tokens (PEM and JWK); made on first read if the product has none yet.",
        security,
        parameters: [productId],
        responses: { '200': json(ref('ProductActivationKey')), ...failures },
      },
    },
  },
}
