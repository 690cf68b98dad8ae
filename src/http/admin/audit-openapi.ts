// The OpenAPI description of the audit endpoints, in the admin dialect, and
// the audit entry every history reply and export is made of.
import type { ApiModule } from '../api-module.js'
import { AUDIT_PAGE } from '../audit-params.js'
import { CSV_COLUMNS } from '../audit-view.js'
import { auditFilterParameters, instant, query } from '../audit-openapi.js'
import { int, json, nullable, ref, str } from '../openapi-helpers.js'

const tag = 'Audit'
const security = [{ bearer: [] }]

const subjectParameters = [
  query('license', 'A license: its activation key (also one it had in the past) or its order id.'),
  query('customer_id', 'Only events concerning this customer.', { type: 'integer', minimum: 1 }),
  query('product_id', 'Only events concerning this product (a product template\'s product_id).'),
]

export const pageParameters = [
  ...subjectParameters,
  ...auditFilterParameters,
  query('limit', 'Page size.', { type: 'integer', minimum: 1, maximum: AUDIT_PAGE.maxLimit, default: AUDIT_PAGE.defaultLimit }),
]

const exportParameters = [
  ...subjectParameters,
  ...auditFilterParameters,
  query('limit', 'At most this many events (default: all).', { type: 'integer', minimum: 1 }),
]

const change = {
  type: 'object',
  required: ['field', 'old', 'new'],
  properties: {
    field: { type: 'string', description: 'The path of the field in the license order, e.g. terms.activations_allowed or terms.Features[0].count.' },
    old: { description: 'The value before; null when there was none.' },
    new: { description: 'The value after; null when there is none.' },
  },
}

const entry = {
  type: 'object',
  // Every member but `changes`, which only a change of an existing license order has.
  required: ['position', 'recorded_at', 'type', 'schema_version', 'stream', 'revision', 'event_id', 'actor', 'client_ip', 'correlation_id', 'causation_id', 'request_id', 'idempotency_key', 'concerns', 'data'],
  properties: {
    position: { type: 'string', description: 'The global position in the log (a decimal integer).' },
    recorded_at: { ...instant, description: 'When the event store recorded the event.' },
    type: str,
    schema_version: { ...int, description: 'The schema version the event was written at; data is shown at the current version.' },
    stream: str,
    revision: int,
    event_id: str,
    actor: { ...nullable(str), description: 'The credential id that caused the event.' },
    client_ip: nullable(str),
    correlation_id: str,
    causation_id: nullable(str),
    request_id: nullable(str),
    idempotency_key: nullable(str),
    concerns: {
      type: 'object',
      description: 'The license orders, customers and products the event concerns (for an order\'s event: as the order stood before and after it).',
      properties: { order_ids: { type: 'array', items: str }, customer_ids: { type: 'array', items: int }, product_ids: { type: 'array', items: str } },
    },
    changes: { type: 'array', items: ref('AuditChange'), description: 'For a change of an existing license order: what it changed. Absent otherwise.' },
    data: { type: 'object', description: 'The event data (fields holding secrets are "[redacted]").' },
  },
}

const failures = {
  '400': json(ref('AdminError'), 'Invalid parameters; each is named.'),
  '401': json(ref('AdminError'), 'Missing, invalid, expired or revoked credential.'),
  '403': json(ref('AdminError'), 'The credential may not read the license or product named.'),
}

export const auditOpenApi: ApiModule['openapi'] = {
  tags: [{ name: tag, description: 'The event log: who changed what, when and from where.' }],
  schemas: { AuditEntry: entry, AuditChange: change },
  paths: {
    '/audit/events': {
      get: {
        tags: [tag],
        summary: 'The event log, filtered, by cursor. Admin, or a product/license-scoped key (sees its own events only).',
        security,
        parameters: pageParameters,
        responses: {
          '200': json({
            type: 'object',
            properties: { items: { type: 'array', items: ref('AuditEntry') }, next_cursor: { ...nullable(str), description: 'null at the end.' } },
          }),
          ...failures,
        },
      },
    },
    '/audit/events.ndjson': {
      get: {
        tags: [tag],
        summary: 'The same query exported as NDJSON (one AuditEntry per line), streamed.',
        security,
        parameters: [
          ...exportParameters,
          query(
            'chain',
            'true: the whole log with its hash chain and signed checkpoints instead (admin credential, no other parameter), which `licensing verify-export` checks offline with the JWKS alone: a header line, then one line per position ({position, event | trimmed, digest, link}) and each checkpoint ({checkpoint: {position, link, signed_at, jws}}) after the position it signs. See README, History.',
            { type: 'boolean', default: false },
          ),
        ],
        responses: { '200': { description: 'One AuditEntry per line (with chain=true: the chained log, see the parameter).', content: { 'application/x-ndjson': { schema: ref('AuditEntry') } } }, ...failures },
      },
    },
    '/audit/events.csv': {
      get: {
        tags: [tag],
        summary: 'The same query exported as CSV (RFC 4180, with a header row), streamed.',
        security,
        parameters: exportParameters,
        responses: {
          '200': {
            description: `Columns: ${CSV_COLUMNS.join(', ')}. Id lists are space-separated; changes and data are JSON.`,
            content: { 'text/csv': { schema: str } },
          },
          ...failures,
        },
      },
    },
  },
}
