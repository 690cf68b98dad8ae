import type { ApiModule } from '../api-module.js'
import { body, idempotencyKey, json, pathParam, ref, str } from '../openapi-helpers.js'

const envelope = {
  type: 'object',
  required: ['status', 'code', 'message', 'details'],
  properties: { status: { enum: ['success', 'error'] }, code: { type: 'integer' }, message: str, details: {} },
}

export const rillsoftOpenApi: ApiModule['openapi'] = {
  tags: [{ name: 'Client license (seed 000)', description: 'RillSoft Integration Server v2.' }],
  schemas: { RillsoftEnvelope: envelope },
  paths: {
    '/api/v2/clients/{client_id}/license': {
      patch: {
        tags: ['Client license (seed 000)'],
        summary: "Update a client's license serial number and/or activation key. The client is a customer; its license is its oldest license order.",
        security: [{ bearer: [] }],
        parameters: [pathParam('client_id', 'Client ID (the customer id).', { type: 'integer' }), idempotencyKey],
        requestBody: body({ type: 'object', properties: { serialNumber: str, activationKey: str } }),
        responses: Object.fromEntries(
          [
            ['200', 'Successful operation'],
            ['400', 'Invalid request or missing required parameters; an activationKey already in use by another license (details says so)'],
            ['401', 'Authentication error (JWT token missing/invalid)'],
            ['403', 'Access denied (insufficient permissions)'],
            ['404', 'Resource not found'],
            ['500', 'Internal server error'],
          ].map(([code, description]) => [code, json(ref('RillsoftEnvelope'), description)]),
        ),
      },
    },
  },
}
