import type { OpenApiPaths } from '../api-module.js'
import { body, bool, idempotencyKey, int, json, pathParam, ref, str } from '../openapi-helpers.js'

const tag = 'License orders (seed 001)'
const security = [{ bearer: [] }]
const key = pathParam('activation_key', 'The license order activation key.')
const settings = {
  type: 'object',
  properties: {
    heartbeat_interval_seconds: { ...int, minimum: 5, maximum: 86400, description: 'How often a floating client heartbeats (default 60).' },
    lease_seconds: { ...int, description: 'How long a lease lasts without a heartbeat (default: three intervals; at least two and a half, rounded up to a second).' },
    defaults: { ...bool, description: 'true: the order uses the defaults.' },
  },
}
const errors = {
  '403': json(ref('LacError'), 'Invalid or expired token provided, or the token may not act on this order.'),
  '404': json(ref('LacError'), 'License order activation key does not exist.'),
}

export const seatAdminPaths: OpenApiPaths = {
  '/license-orders/{activation_key}/seat-settings': {
    get: {
      tags: [tag],
      summary: "The order's floating seat settings: heartbeat interval and lease.",
      security,
      parameters: [key],
      responses: { '200': json(settings), ...errors },
    },
    put: {
      tags: [tag],
      summary: 'Change the heartbeat interval and lease of the order\'s floating seats; they apply to grants and renewals from now on.',
      security,
      parameters: [key, idempotencyKey],
      requestBody: body({
        type: 'object',
        required: ['heartbeat_interval_seconds'],
        properties: { heartbeat_interval_seconds: settings.properties.heartbeat_interval_seconds, lease_seconds: settings.properties.lease_seconds },
      }),
      responses: { '200': json(settings), '400': json(ref('LacError'), 'Invalid data.'), ...errors },
    },
  },
  '/license-orders/{activation_key}/tokens/{token_id}': {
    delete: {
      tags: [tag],
      summary: "Revoke a license token (a floating seat's or an activation's; its id is the token's jti). Its place is freed; presenting it again is refused as revoked.",
      security,
      parameters: [key, pathParam('token_id', 'The token id (jti).'), idempotencyKey],
      responses: {
        '200': json({ type: 'object', properties: { token_id: str, kind: { enum: ['seat', 'activation'] }, client_id: str, machine_id: str, revoked_at: str } }),
        ...errors,
      },
    },
  },
}
