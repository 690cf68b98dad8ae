// The OpenAPI description of the webhook admin endpoints, in the admin
// dialect (its AdminError schema), and of the body every delivery carries.
import { ALL_EVENTS, WEBHOOK_EVENT_NAMES, WEBHOOK_EVENTS } from '../../domain/webhook-endpoint/catalogue.js'
import type { ApiModule } from '../api-module.js'
import { body, bool, idempotencyKey, int, json, nullable, pathParam, ref, str } from '../openapi-helpers.js'

const tag = 'Webhooks'
const security = [{ bearer: [] }]
const failures = {
  '400': json(ref('AdminError'), 'Invalid request; the failing fields are named.'),
  '401': json(ref('AdminError'), 'Missing, invalid, expired or revoked credential.'),
  '403': json(ref('AdminError'), 'The credential is not an admin credential.'),
}
const notFound = { '404': json(ref('AdminError'), 'No such webhook endpoint (or it was deleted).') }
const paging = [
  { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
  { name: 'offset', in: 'query', required: false, schema: { type: 'integer', minimum: 0, default: 0 } },
]
const list = (item: string) => json({ type: 'object', properties: { items: { type: 'array', items: ref(item) }, limit: int, offset: int } })
const id = pathParam('id', 'Webhook endpoint id.')
const instant = { type: 'string', format: 'date-time' }

const eventNames = {
  type: 'array',
  minItems: 1,
  uniqueItems: true,
  items: { enum: [...WEBHOOK_EVENT_NAMES, ALL_EVENTS] },
  description: `Events to deliver, from the catalogue, or ["${ALL_EVENTS}"] alone for every event (including ones added later). ${Object.entries(WEBHOOK_EVENTS)
    .map(([name, what]) => `${name}: ${what}`)
    .join(' ')}`,
}

const settingsProperties = {
  url: { type: 'string', format: 'uri', maxLength: 2048, description: 'http or https, without credentials.' },
  events: eventNames,
  description: nullable({ type: 'string', maxLength: 1024 }),
  enabled: { ...bool, description: 'Default true. A disabled endpoint gets no new deliveries; its pending ones wait until it is enabled again.' },
  secret: {
    type: 'string',
    minLength: 16,
    maxLength: 256,
    description: 'The HMAC-SHA256 signing secret. Omitted at registration: one is generated and shown once in the reply. Never shown afterwards.',
  },
}

const webhookEndpoint = {
  type: 'object',
  properties: {
    id: str,
    url: str,
    events: { type: 'array', items: str },
    description: nullable(str),
    enabled: bool,
    created_at: instant,
    updated_at: instant,
  },
}

const delivery = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'Sent as webhook-id; the same on every attempt.' },
    event: str,
    status: { enum: ['pending', 'delivered', 'failed', 'cancelled'] },
    attempts: int,
    response_status: { ...nullable(int), description: "The receiver's status on the last attempt; null when it did not answer." },
    last_error: nullable(str),
    next_attempt_at: { ...nullable(str), format: 'date-time', description: 'null once delivered, failed or cancelled.' },
    last_attempt_at: { ...nullable(str), format: 'date-time' },
    delivered_at: { ...nullable(str), format: 'date-time' },
    created_at: { ...instant, description: 'When the event was recorded (the body\'s triggeredAt).' },
  },
}

const payload = {
  type: 'object',
  required: ['event', 'data', 'triggeredAt'],
  description:
    'The body of every delivery, POSTed as application/json with the Standard Webhooks headers webhook-id, webhook-timestamp and ' +
    'webhook-signature: v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<raw body>")> (the key: a whsec_<base64> ' +
    "secret's decoded bytes, any other secret's UTF-8 bytes), and webhook-event.",
  properties: {
    event: { enum: WEBHOOK_EVENT_NAMES },
    data: { type: 'object', description: 'license-order.*: the order as seed 001 shows it (LicenseOrder), as it was at the event.' },
    triggeredAt: instant,
  },
}

const signed = (name: string, description: string, pattern?: string) => ({ name, in: 'header', required: true, description, schema: { type: 'string', ...(pattern === undefined ? {} : { pattern }) } })

export const webhooksOpenApi: ApiModule['openapi'] = {
  webhooks: {
    delivery: {
      post: {
        tags: [tag],
        operationId: 'deliverWebhook',
        summary: 'What the engine POSTs to a registered endpoint: one event, signed as Standard Webhooks says.',
        security: [],
        parameters: [
          signed('webhook-id', 'The delivery id: the same on every attempt (de-duplicate on it).'),
          signed('webhook-timestamp', 'Seconds since the epoch when this attempt was signed.', '^\\d+$'),
          signed('webhook-signature', 'v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<raw body>">.', '^v1,[A-Za-z0-9+/]+=*$'),
          signed('webhook-event', 'The event name, as in the body.'),
        ],
        requestBody: { required: true, content: { 'application/json': { schema: ref('WebhookPayload') } } },
        responses: {
          '200': { description: 'Any 2xx: received. Anything else, or no answer in time, is a failed attempt, retried with backoff.' },
        },
      },
    },
  },
  tags: [{ name: tag, description: 'Webhook endpoints: registration and deliveries (signed, retried, at least once).' }],
  schemas: {
    WebhookEndpoint: webhookEndpoint,
    WebhookEndpointInput: { type: 'object', required: ['url', 'events'], properties: settingsProperties },
    RegisteredWebhookEndpoint: {
      allOf: [
        ref('WebhookEndpoint'),
        { type: 'object', properties: { secret: { ...nullable(str), description: 'The generated secret, shown this once; null when the client chose it, and on an idempotent replay.' } } },
      ],
    },
    WebhookDelivery: delivery,
    WebhookPayload: payload,
  },
  paths: {
    '/webhooks': {
      post: {
        tags: [tag],
        summary: 'Register a webhook endpoint.',
        security,
        parameters: [idempotencyKey],
        requestBody: body(ref('WebhookEndpointInput')),
        responses: { '201': json(ref('RegisteredWebhookEndpoint'), 'Registered.'), ...failures },
      },
      get: { tags: [tag], summary: 'List webhook endpoints (never their secrets).', security, parameters: paging, responses: { '200': list('WebhookEndpoint'), ...failures } },
    },
    '/webhooks/{id}': {
      get: { tags: [tag], summary: 'Read a webhook endpoint.', security, parameters: [id], responses: { '200': json(ref('WebhookEndpoint')), ...failures, ...notFound } },
      patch: {
        tags: [tag],
        summary: 'Change a webhook endpoint; fields not sent keep their value. "secret" replaces the signing secret; "enabled": false disables it.',
        security,
        parameters: [id, idempotencyKey],
        requestBody: body({ type: 'object', properties: settingsProperties }),
        responses: { '200': json(ref('WebhookEndpoint')), ...failures, ...notFound },
      },
      delete: {
        tags: [tag],
        summary: 'Delete a webhook endpoint; its pending deliveries are cancelled.',
        security,
        parameters: [id, idempotencyKey],
        responses: { '204': { description: 'Deleted.' }, ...failures, ...notFound },
      },
    },
    '/webhooks/{id}/deliveries': {
      get: {
        tags: [tag],
        summary: "A webhook endpoint's deliveries, newest first.",
        security,
        parameters: [
          id,
          ...paging,
          { name: 'status', in: 'query', required: false, schema: { enum: ['pending', 'delivered', 'failed', 'cancelled'] } },
        ],
        responses: { '200': list('WebhookDelivery'), ...failures, ...notFound },
      },
    },
  },
}
