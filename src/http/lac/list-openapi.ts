import type { OpenApiPaths } from '../api-module.js'
import { int, json, pathParam, ref, str } from '../openapi-helpers.js'

const tag = 'License orders (seed 001)'
const security = [{ bearer: [] }]
const nullableStr = { type: ['string', 'null'] }
const errors = { '403': json(ref('LacError'), 'Invalid or expired token provided, or the token may not act on this order.') }
const holder = { type: 'object', properties: { client_id: str, machine_id: str, client_name: nullableStr, client_addr: nullableStr } }

export const licenseListPaths: OpenApiPaths = {
  '/license-orders': {
    get: {
      tags: [tag],
      summary: 'A page of the license orders the token reaches (an admin: all; a product key: its product\'s; a license key: its own), newest first.',
      security,
      parameters: [
        { name: 'q', in: 'query', required: false, schema: { ...str, maxLength: 200 }, description: 'Part of the activation key, customer name, product template name or product id, or an order id.' },
        { name: 'limit', in: 'query', required: false, schema: { ...int, minimum: 1, maximum: 100, default: 25 } },
        { name: 'offset', in: 'query', required: false, schema: { ...int, minimum: 0, default: 0 } },
      ],
      responses: {
        '200': json({
          type: 'object',
          properties: {
            now: { ...str, description: "The server's clock: what in_use and state were judged at." },
            total: { ...int, description: 'How many licenses match, over all pages.' },
            limit: int,
            offset: int,
            items: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  order_id: str,
                  activation_key: str,
                  customer: { type: 'object', properties: { id: int, name: nullableStr } },
                  product_template: { type: 'object', properties: { id: int, name: nullableStr, product_id: nullableStr } },
                  license_type: { enum: ['local', 'network'] },
                  in_use: { ...int, description: 'Activations and live floating seats.' },
                  activations: int,
                  seats: int,
                  allowed: { ...int, description: 'activations_allowed: the places activations and seats share.' },
                  state: { enum: ['active', 'disabled', 'expired'] },
                  creation_time: str,
                },
              },
            },
          },
        }),
        '400': json(ref('LacError'), 'Invalid data: a parameter is named.'),
        ...errors,
      },
    },
  },
  '/license-orders/{activation_key}/holders': {
    get: {
      tags: [tag],
      summary: "Who holds the license now: its activations and the floating seats held (a seat's lease as its own stream says).",
      security,
      parameters: [pathParam('activation_key', 'The license order activation key.')],
      responses: {
        '200': json({
          type: 'object',
          properties: {
            activation_key: str,
            order_id: str,
            allowed: int,
            at: { ...str, description: "The server's clock." },
            email: nullableStr,
            license_data: nullableStr,
            activations: { type: 'array', items: { ...holder, properties: { ...holder.properties, activation_id: str, activated_at: str } } },
            seats: { type: 'array', items: { ...holder, properties: { ...holder.properties, seat_id: str, granted_at: str, lease_expires_at: str } } },
          },
        }),
        ...errors,
        '404': json(ref('LacError'), 'License order activation key does not exist.'),
      },
    },
  },
}
