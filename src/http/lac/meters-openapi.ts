import type { OpenApiPaths } from '../api-module.js'
import { body, idempotencyKey, int, json, pathParam, ref, str } from '../openapi-helpers.js'

const tag = 'License orders (seed 001)'
const security = [{ bearer: [] }]
const key = pathParam('activation_key', 'The license order activation key.')
const definition = {
  type: 'object',
  required: ['name', 'allowed_uses'],
  properties: {
    name: { ...str, minLength: 1, maxLength: 256, description: "The meter attribute's name, as seed 003's meterAttributes name it." },
    allowed_uses: { ...int, minimum: 0, description: 'The uses the license allows; its uses never go above them (lowering them below the uses counted refuses further increments).' },
  },
}
const counted = { ...definition, properties: { ...definition.properties, uses: { ...int, description: 'The uses counted on the license (over all its activations, past and present).' } } }
const errors = {
  '403': json(ref('LacError'), 'Invalid or expired token provided, or the token may not act on this order.'),
  '404': json(ref('LacError'), 'License order activation key does not exist.'),
}

export const meterAdminPaths: OpenApiPaths = {
  '/license-orders/{activation_key}/meter-attributes': {
    get: {
      tags: [tag],
      summary: "The license's meter attributes (seed 003), their allowed uses and the uses counted.",
      security,
      parameters: [key],
      responses: { '200': json({ type: 'array', items: counted }), ...errors },
    },
    put: {
      tags: [tag],
      summary:
        "Define the license's meter attributes: the whole list (at most 100, each name once) replaces the last. An attribute left out keeps its uses but takes no more increments.",
      security,
      parameters: [key, idempotencyKey],
      requestBody: body({ type: 'array', items: definition }),
      responses: { '200': json({ type: 'array', items: counted }), '400': json(ref('LacError'), 'Invalid data.'), ...errors },
    },
  },
}
