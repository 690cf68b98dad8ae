// The OpenAPI description of the token keys (/.well-known/jwks.json).
import type { ApiModule } from '../api-module.js'
import { json, str } from '../openapi-helpers.js'

export const wellKnownOpenApi: ApiModule['openapi'] = {
  tags: [{ name: 'Token keys', description: 'The public keys that verify license tokens offline.' }],
  schemas: {
    Jwks: {
      type: 'object',
      properties: {
        keys: {
          type: 'array',
          items: {
            type: 'object',
            properties: { kty: { const: 'OKP' }, crv: { const: 'Ed25519' }, x: str, kid: { ...str, description: 'RFC 7638 JWK thumbprint.' }, alg: { const: 'EdDSA' }, use: { const: 'sig' } },
          },
        },
      },
    },
  },
  paths: {
    '/.well-known/jwks.json': {
      get: {
        tags: ['Token keys'],
        operationId: 'getJwks',
        summary: 'The JWK set of the Ed25519 keys license tokens are signed with (no credential needed).',
        security: [],
        responses: { '200': json({ $ref: '#/components/schemas/Jwks' }) },
      },
    },
  },
}
