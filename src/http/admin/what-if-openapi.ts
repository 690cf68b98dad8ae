import type { OpenApiPaths } from '../api-module.js'
import { body, int, json, ref, str } from '../openapi-helpers.js'

const num = { type: 'number' } as const

const policy = {
  type: 'object',
  properties: {
    seats_allowed: { ...int, minimum: 0, description: 'Places allowed (activations_allowed).' },
    lease_seconds: { ...int, minimum: 10, description: 'How long a lease lasts without a heartbeat.' },
    heartbeat_interval_seconds: { ...int, minimum: 5, maximum: 86400, description: 'The interval clients are told to heartbeat at.' },
  },
}

const outcome = {
  type: 'object',
  properties: {
    requests: { ...int, description: 'Recorded seat requests in the period (granted, or denied and recorded).' },
    grants: { ...int, description: 'Requests that left the client holding a seat.' },
    denials: int,
    peak_concurrency: { ...int, description: 'Most places held at once (activations and live seats).' },
    seat_hours: num,
    denied_clients: { type: 'array', items: { type: 'object', properties: { client_id: str, machine_id: str, at: str } } },
    heartbeats_without_seat: { ...int, description: 'Recorded heartbeats of clients that held no seat under this policy.' },
  },
}

const licenseReport = {
  type: 'object',
  required: ['license'],
  properties: {
    license: { type: 'object', properties: { order_id: str, activation_key: str } },
    from: str,
    to: str,
    replayed_actions: int,
    policy: { type: 'object', properties: { recorded: policy, proposed: policy } },
    recorded: outcome,
    proposed: outcome,
  },
}

export const whatIfPaths: OpenApiPaths = {
  '/reports/what-if': {
    post: {
      tags: ['Reports'],
      summary:
        'What-if replay of a seat policy: the seat requests, heartbeats and releases recorded in the period, replayed in memory through the real deciders under the policy in force and a proposed one; nothing is appended. ' +
        'Requests refused within a minute of a recorded denial and heartbeats that renewed nothing are not in the log, so they are not replayed. A product (product_id) replays each of its licenses. Admin, or a key scoped to the license or its product.',
      security: [{ bearer: [] }],
      requestBody: body({
        type: 'object',
        required: ['from', 'to', 'policy'],
        properties: {
          activation_key: { ...str, description: 'The license to replay; or give product_id instead.' },
          product_id: { ...str, description: "A product (a product template's product_id): each of its licenses replayed, the proposal applied to each; or give activation_key instead." },
          from: { ...str, format: 'date-time' },
          to: { ...str, format: 'date-time' },
          policy,
        },
      }),
      responses: {
        '200': json({
          oneOf: [
            licenseReport,
            {
              type: 'object',
              required: ['product_id', 'licenses'],
              description: "A product's: its licenses' figures summed; peak_concurrency the most places held at once across them.",
              properties: { product_id: str, from: str, to: str, replayed_actions: int, recorded: outcome, proposed: outcome, licenses: { type: 'array', items: licenseReport } },
            },
          ],
        }),
        '400': json(ref('AdminError'), 'A field is missing or invalid (activation_key or product_id, one of the two).'),
        '403': json(ref('AdminError'), 'The credential may not read this license (or product).'),
        '404': json(ref('AdminError'), 'No such license, or no license of this product.'),
      },
    },
  },
}
