import { auditFilterParameters } from '../audit-openapi.js'
import { AUDIT_PAGE } from '../audit-params.js'
import type { ApiModule } from '../api-module.js'
import { body, bool, header, idempotencyKey, int, intOrString, json, nullable, pathParam, ref, str } from '../openapi-helpers.js'

const errorBody = {
  type: 'object',
  required: ['detail'],
  properties: { detail: str, errors: { type: 'object', additionalProperties: { type: 'array', items: str } } },
}

const hostIdInput = {
  type: 'object',
  required: ['name', 'min_amount', 'max_amount'],
  properties: { name: str, min_amount: intOrString, max_amount: intOrString },
}

const featureInput = {
  type: 'object',
  required: ['name', 'version', 'expiration_type', 'issued_type', 'maintenance_type'],
  properties: {
    name: str,
    version: str,
    expiration_type: { enum: ['fixed', 'days_from_activation', 'no_expiration'] },
    expiration_date: { ...nullable(str), format: 'date', description: 'Required if expiration_type is fixed.' },
    days_from_activation: { ...intOrString, description: 'Required if expiration_type is days_from_activation.' },
    issued_type: { enum: ['fixed', 'not_issued', 'activation_time'] },
    issued_date: { ...nullable(str), format: 'date', description: 'Required if issued_type is fixed.' },
    options: nullable(str),
    additional_settings: nullable(str),
    enabled: bool,
    count: { ...intOrString, description: 'Required if license_type is network.' },
    maintenance_type: { enum: ['fixed', 'days_from_activation', 'no_maintenance'] },
    maintenance_date: { ...nullable(str), format: 'date', description: 'Required if maintenance_type is fixed.' },
    maintenance_days_from_activation: { ...intOrString, description: 'Required if maintenance_type is days_from_activation.' },
    comment: nullable(str),
  },
}

const orderInput = {
  type: 'object',
  required: [
    'customer_id',
    'product_template_id',
    'license_type',
    'licensee_type',
    'hostid_match_rate',
    'min_hostids',
    'activations_allowed',
    'enabled',
    'removal',
    'Hostids',
    'Features',
  ],
  properties: {
    customer_id: intOrString,
    product_template_id: intOrString,
    license_type: { enum: ['local', 'network'] },
    licensee_type: { enum: ['fixed', 'customer', 'not_specified'] },
    licensee: { ...nullable(str), description: 'Required if licensee_type is fixed.' },
    hostid_match_rate: { ...intOrString, description: '0 to 100.' },
    min_hostids: intOrString,
    activations_allowed: intOrString,
    enabled: bool,
    description: nullable(str),
    settings_description: nullable(str),
    removal: bool,
    deactivations_allowed: { ...intOrString, description: 'Omitted or null: deactivations are not limited.' },
    Hostids: { type: 'array', items: hostIdInput },
    Features: { type: 'array', items: featureInput },
  },
}

const strOrNull = nullable(str)

const customer = {
  type: 'object',
  properties: {
    name: str,
    description: strOrNull,
    phone_number: strOrNull,
    fax_number: strOrNull,
    street: strOrNull,
    city: strOrNull,
    country: strOrNull,
    zip_code: strOrNull,
    state: strOrNull,
    Contacts: { type: 'array', items: { type: 'object', properties: { name: str, email: str } } },
    CustomTags: { type: 'array', items: { type: 'object', properties: { tag_name: str, value: str } } },
  },
}

const order = {
  type: 'object',
  properties: {
    customer: ref('Customer'),
    product_template: { type: 'object', properties: { id: str, name: str, product_id: str } },
    activation_key: str,
    creation_time: { type: 'string', description: 'YYYY-MM-DD HH:MM:SS, UTC.' },
    license_type: str,
    licensee_type: str,
    licensee: strOrNull,
    hostid_match_rate: str,
    min_hostids: str,
    activations_allowed: str,
    activated_licenses_count: int,
    enabled: bool,
    description: strOrNull,
    settings_description: strOrNull,
    removal: bool,
    removal_request_time: strOrNull,
    removal_confirmation_time: strOrNull,
    deactivations_allowed: strOrNull,
    deactivations_left: nullable(int),
    Hostids: { type: 'array', items: { type: 'object', properties: { name: str, min_amount: str, max_amount: str } } },
    Features: { type: 'array', items: { type: 'object' } },
  },
}

const key = pathParam('activation_key', 'The license order activation key.')
const asOf = {
  name: 'asOf',
  in: 'query',
  required: false,
  description:
    'An ISO 8601 instant with a time zone: the order as it was then (terms, key, customer and product template), ' +
    'folded from its streams up to that instant. The key is the one the order had then.',
  schema: { type: 'string', format: 'date-time' },
}
const asOfUse = {
  type: 'object',
  description: 'Only with asOf: what seed 001 does not show, as it was at that instant.',
  properties: {
    at: { type: 'string', format: 'date-time' },
    email: nullable(str),
    license_data: nullable(str),
    activations: {
      type: 'array',
      items: {
        type: 'object',
        properties: { activation_id: str, client_id: str, machine_id: str, client_name: nullable(str), client_addr: nullable(str), activated_at: str },
      },
    },
    seats: {
      type: 'array',
      description: 'Floating seats held at that instant (a lease that had run out holds nothing).',
      items: {
        type: 'object',
        properties: {
          seat_id: str,
          client_id: str,
          machine_id: str,
          client_name: nullable(str),
          client_addr: nullable(str),
          granted_at: str,
          lease_expires_at: str,
        },
      },
    },
  },
}
const historyEntry = {
  allOf: [
    ref('AuditEntry'),
    {
      type: 'object',
      properties: { summary: { type: 'string', description: 'The entry for a person: "activations_allowed changed from 10 to 12 by key abc (203.0.113.7)".' } },
    },
  ],
}
const errors = {
  '400': json(ref('LacError'), 'Invalid data.'),
  '403': json(ref('LacError'), 'Invalid or expired token provided.'),
}

export const lacOpenApi: ApiModule['openapi'] = {
  tags: [{ name: 'License orders (seed 001)', description: 'X-Formation License Activation Center: license orders.' }],
  schemas: { LacError: errorBody, LicenseOrderInput: orderInput, LicenseOrder: order, Customer: customer },
  paths: {
    '/license-orders': {
      post: {
        tags: ['License orders (seed 001)'],
        summary: 'Create a license order (same body and rules as the update, plus an optional activation_key).',
        security: [{ bearer: [] }],
        parameters: [idempotencyKey],
        requestBody: body({ allOf: [ref('LicenseOrderInput'), { type: 'object', properties: { activation_key: str } }] }),
        responses: { '201': json(ref('LicenseOrder'), 'License order created.'), ...errors, '409': json(ref('LacError'), 'The activation key is in use.') },
      },
    },
    '/license-orders/{activation_key}': {
      get: {
        tags: ['License orders (seed 001)'],
        summary: 'Read a license order; with asOf, as it was at that instant (plus, under as_of, its e-mail, activations and the seats held then).',
        security: [{ bearer: [] }],
        parameters: [key, asOf],
        responses: {
          '200': json({ allOf: [ref('LicenseOrder'), { type: 'object', required: [], properties: { as_of: asOfUse } }] }),
          '400': json(ref('LacError'), 'asOf is not an instant.'),
          '403': errors['403'],
          '404': json(ref('LacError'), 'License order activation key does not exist (at asOf: no order had this key then).'),
        },
      },
      patch: {
        tags: ['License orders (seed 001)'],
        summary: 'Update a license order.',
        security: [{ bearer: [] }],
        parameters: [key, idempotencyKey, header('Authorization', 'Bearer <token>')],
        requestBody: body(ref('LicenseOrderInput')),
        responses: {
          '200': json(ref('LicenseOrder'), 'License order updated.'),
          ...errors,
          '404': json(ref('LacError'), 'License order activation key does not exist.'),
        },
      },
    },
    '/license-orders/{activation_key}/history': {
      get: {
        tags: ['License orders (seed 001)'],
        summary:
          "The license's events, newest first (order=asc: oldest first), each with who, when, from where, what changed and a sentence for a person. " +
          'The key may be one the order had in the past. Admin, a key scoped to its product, or a key scoped to this license.',
        security: [{ bearer: [] }],
        parameters: [
          key,
          ...auditFilterParameters,
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: AUDIT_PAGE.maxLimit, default: AUDIT_PAGE.defaultLimit } },
        ],
        responses: {
          '200': json({
            type: 'object',
            properties: {
              activation_key: str,
              order_id: str,
              current_activation_key: str,
              items: { type: 'array', items: historyEntry },
              next_cursor: { ...nullable(str), description: 'null at the end.' },
            },
          }),
          ...errors,
          '404': json(ref('LacError'), 'No license order has (or had) this activation key.'),
        },
      },
    },
  },
}
