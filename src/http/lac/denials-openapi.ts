import type { OpenApiPaths } from '../api-module.js'
import { int, json, nullable, pathParam, ref, str } from '../openapi-helpers.js'

const tag = 'License orders (seed 001)'
const security = [{ bearer: [] }]
const key = pathParam('activation_key', 'The license order activation key.')
const errors = {
  '403': json(ref('LacError'), 'Invalid or expired token provided, or the token may not act on this order.'),
  '404': json(ref('LacError'), 'License order activation key (or denial) does not exist.'),
}

const holder = {
  type: 'object',
  properties: {
    kind: { type: 'string', enum: ['seat', 'activation'] },
    id: { ...str, description: "The seat's or the activation's id (its token's jti)." },
    client_id: str,
    machine_id: str,
    client_name: nullable(str),
    since: { ...str, description: 'Granted or activated at.' },
    lease_expires_at: { ...nullable(str), description: "A seat's lease as the order recorded it; null for an activation." },
  },
}

const denial = {
  type: 'object',
  properties: {
    denial_id: { ...str, description: "The id the refused client was answered with (seed 002's denialId, seed 003's X-Denial-Id header)." },
    asked: { type: 'string', enum: ['seat', 'activation'], description: "What was refused: a floating seat (seed 002's request) or a new activation (seed 002's activate, seed 003's POST /v3/activations)." },
    at: str,
    client_id: str,
    machine_id: str,
    client_name: nullable(str),
    rule: { ...str, description: 'The rule that refused it: activations_allowed (every place taken).' },
    places_taken: int,
    places_allowed: int,
    decided_on_revision: { ...nullable(int), description: "The order stream's revision the decision was made on; null for denials recorded before it was." },
    revision: { ...int, description: "The denial's own revision in the order's stream." },
    position: { ...str, description: "The denial's position in the log." },
    held_by: { type: 'array', items: holder, description: 'Who held the places then, folded from the log (the state the decision was made on).' },
  },
}

export const denialPaths: OpenApiPaths = {
  '/license-orders/{activation_key}/denials': {
    get: {
      tags: [tag],
      summary: "Why was I denied? The license's denials, newest first: the rule, and who held the places then.",
      security,
      parameters: [key],
      responses: { '200': json({ type: 'object', properties: { order_id: str, items: { type: 'array', items: denial } } }), ...errors },
    },
  },
  '/license-orders/{activation_key}/denials/{denial_id}': {
    get: {
      tags: [tag],
      summary: 'One denial, by the id the refused client was answered with.',
      security,
      parameters: [key, pathParam('denial_id', 'The denial id a refused request was answered with.')],
      responses: { '200': json(denial), ...errors },
    },
  },
}
