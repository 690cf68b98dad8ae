import type { ApiModule } from '../api-module.js'
import { body, bool, idempotencyKey, int, json, nullable, pathParam, ref, str } from '../openapi-helpers.js'

const tag = 'Activations (seed 003)'
const security = [{ bearer: [] }]
const error = (description: string) => json(ref('CryptlexError'), description)
const id = pathParam('id', 'Unique identifier for the activation.')
const text = (min: number, max: number, description?: string) => ({ ...str, minLength: min, maxLength: max, ...(description === undefined ? {} : { description }) })
const int64 = { type: 'integer', format: 'int64' } as const
const time = { ...nullable(str), format: 'date-time' }

const errorSchema = {
  type: 'object',
  required: ['code', 'message'],
  description:
    'Every error: a machine-readable code and a message. Codes: VALIDATION_FAILED (400; `errors` names each field), PRODUCT_MISMATCH (400, productId), ' +
    'LICENSE_KEY_MISMATCH (400, PATCH: key is not the license of the activation), METER_ATTRIBUTE_NOT_DEFINED (400), METER_ATTRIBUTE_USES_BELOW_ZERO (400), ' +
    'MISSING_ACCESS_TOKEN, INVALID_ACCESS_TOKEN (also for a revoked or expired token) (401), FORBIDDEN (403: the token may not reach this license; ' +
    'out-of-scope licenses and activations are 403, not 404), LICENSE_DISABLED, LICENSE_EXPIRED (403), LICENSE_NOT_FOUND, ACTIVATION_NOT_FOUND (404), ' +
    'ACTIVATION_LIMIT_REACHED, DEACTIVATION_LIMIT_REACHED, METER_ATTRIBUTE_USES_LIMIT_REACHED, FINGERPRINT_MISMATCH, CONFLICT (409), ' +
    'PAYLOAD_TOO_LARGE (413), UNSUPPORTED_MEDIA_TYPE (415), UNPROCESSABLE (422: an Idempotency-Key reused for another request), NOT_FOUND, METHOD_NOT_ALLOWED, INTERNAL_ERROR.',
  properties: {
    code: str,
    message: str,
    rule: { ...str, description: 'A refusal by a rule names it (activations_allowed, enabled, expiration, meter_allowed_uses, ...), as GET /license-orders/{key}/denials does.' },
    errors: { type: 'array', items: { type: 'object', required: ['field', 'message'], properties: { field: str, message: str } } },
  },
}

const request = {
  type: 'object',
  required: ['os', 'fingerprint', 'hostname', 'userHash', 'productId', 'accountId', 'key'],
  description:
    'The seed documents one schema, and POST and PATCH both take it: the required fields are required on PATCH too. A field sent as null is taken as not sent; ' +
    'on PATCH, a field not sent keeps its value. fingerprint is the machine (it must be the activation\'s own on PATCH), key the license order\'s activation key, ' +
    "productId the product_id of the license's product template. deviceChallenge and deviceChallengeSignature are validated, not kept. " +
    'Integers beyond 2^53 keep a double\'s precision.',
  properties: {
    os: { enum: ['windows', 'linux', 'macos', 'android', 'ios'], description: 'Name of the operating system.' },
    osVersion: text(0, 256),
    fingerprint: text(64, 1024, 'Fingerprint of the machine: the machine the activation is bound to (seed 002 machineId).'),
    vmName: text(0, 256),
    container: bool,
    hostname: text(1, 1024, "Name of the host machine (its first 256 characters are seed 002's clientName)."),
    userHash: text(1, 256),
    productId: text(1, 256, "The license's product: the product_id of its product template."),
    accountId: text(0, 256, 'Recorded as sent.'),
    releaseVersion: { ...text(0, 256), pattern: '^(\\d+\\.\\d+(\\.\\d+){0,2})?$', description: 'x.x, x.x.x or x.x.x.x.' },
    releaseChannel: text(0, 256),
    releasePlatform: text(0, 256),
    releasePublishedAt: { ...str, format: 'date-time' },
    key: text(1, 256, "License key: the license order's activation key."),
    userId: text(0, 256),
    leaseDuration: { ...int64, minimum: -1, maximum: 2 ** 63, description: 'Recorded as sent; activations here are node-locked and hold no lease.' },
    metadata: { type: 'array', items: { type: 'object', required: ['key', 'value'], properties: { key: text(1, 256), value: text(0, 4096) } }, description: 'Replaces the metadata when sent.' },
    meterAttributes: {
      type: 'array',
      description:
        "Increments of the license's meter attributes (defined with PUT /license-orders/{activation_key}/meter-attributes), all applied or none: " +
        "the license's uses never go above the allowed uses, the activation's never below zero.",
      items: { type: 'object', required: ['name', 'usesIncrement'], properties: { name: text(1, 256), usesIncrement: { ...int64, description: 'Positive or negative.' } } },
    },
    deviceId: { ...str, format: 'uuid' },
    deviceChallenge: text(1, 256),
    deviceChallengeSignature: text(1, 1024),
  },
}

const activation = {
  type: 'object',
  description:
    "Seed 003's activation object, as its webhook data shows it. location, organization and user, and the ids and times of metadata entries, are null: " +
    'the engine does not keep them. An activation made through seed 002 has null details.',
  properties: {
    id: str,
    createdAt: { ...str, format: 'date-time' },
    updatedAt: { ...str, format: 'date-time' },
    os: nullable(str),
    osVersion: nullable(str),
    hostname: nullable(str),
    location: { type: 'null' },
    vmName: nullable(str),
    container: nullable(bool),
    appVersion: { ...nullable(str), description: 'The release version.' },
    releaseVersion: nullable(str),
    releaseChannel: nullable(str),
    releasePlatform: nullable(str),
    offline: { ...bool, const: false },
    productId: nullable(str),
    expiresAt: { ...time, description: 'When the license expires; null: never.' },
    licenseId: { ...str, description: 'The license order id.' },
    lastSyncedAt: { ...time, description: 'The last update that changed something (syncs that change nothing are not recorded).' },
    meterAttributes: { type: 'array', items: { type: 'object', properties: { name: str, uses: int } }, description: 'The uses this activation made.' },
    leaseExpiresAt: { type: 'null' },
    organization: { type: 'null' },
    userId: nullable(str),
    user: { type: 'null' },
    metadata: {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'null' }, createdAt: { type: 'null' }, updatedAt: { type: 'null' }, key: str, value: str } },
    },
  },
}

const tokenResponse = {
  type: 'object',
  required: ['activationToken'],
  properties: {
    activationToken: {
      ...str,
      description:
        'An Ed25519 JWT (EdDSA) carrying the license (id, mode, expiry, support expiry), the client (the product id) and machine (the fingerprint), ' +
        'its expiry (the license\'s; none when the license does not expire) and the features; jti is the activation id. Verify it with /.well-known/jwks.json.',
    },
  },
}

const common = {
  '401': error('Missing, invalid, expired or revoked access token.'),
  '403': error('FORBIDDEN: the token may not reach this license; LICENSE_DISABLED; LICENSE_EXPIRED.'),
}
const writes = {
  '400': error('VALIDATION_FAILED (errors names each field), PRODUCT_MISMATCH, METER_ATTRIBUTE_NOT_DEFINED, METER_ATTRIBUTE_USES_BELOW_ZERO.'),
  ...common,
  '409': error('ACTIVATION_LIMIT_REACHED, METER_ATTRIBUTE_USES_LIMIT_REACHED, FINGERPRINT_MISMATCH or CONFLICT.'),
  '413': error('The body is too large.'),
  '415': error('The body is not JSON.'),
  '422': error('The Idempotency-Key was used for another request.'),
}

export const cryptlexOpenApi: ApiModule['openapi'] = {
  tags: [
    {
      name: tag,
      description:
        "Cryptlex Web API v3's activations. An activation is a machine bound to a license order, counted against its activations_allowed with seed 002's " +
        'activations and live seats; seed 002 sees it with clientId = the product id and machineId = the fingerprint. Authorization: Bearer <API key or admin token>.',
    },
  ],
  schemas: { CryptlexError: errorSchema, CryptlexActivationRequest: request, CryptlexActivation: activation, CryptlexActivationToken: tokenResponse },
  paths: {
    '/v3/activations': {
      post: {
        tags: [tag],
        summary: 'Activate a license key on a machine. The same fingerprint on the same license is the same activation: 200, updated with what was sent.',
        security,
        parameters: [idempotencyKey],
        requestBody: body(ref('CryptlexActivationRequest')),
        responses: {
          '201': { ...json(ref('CryptlexActivationToken'), 'Created.'), headers: { Location: { description: 'The activation.', schema: str } } },
          '200': json(ref('CryptlexActivationToken'), 'The machine was activated already: the same activation.'),
          ...writes,
          '404': error('LICENSE_NOT_FOUND: no license has this key.'),
        },
      },
    },
    '/v3/activations/{id}': {
      get: {
        tags: [tag],
        summary: 'Retrieve an activation.',
        security,
        parameters: [id],
        responses: { '200': json(ref('CryptlexActivation')), ...common, '404': error('ACTIVATION_NOT_FOUND.') },
      },
      patch: {
        tags: [tag],
        summary: 'Update an activation: the fields sent replace the recorded ones, fields not sent are left unchanged, meter attributes move by their increments.',
        description: 'Triggers webhook activation.updated (when something changed).',
        security,
        parameters: [id, idempotencyKey],
        requestBody: body(ref('CryptlexActivationRequest')),
        responses: {
          '200': json(ref('CryptlexActivationToken')),
          ...writes,
          '400': error('VALIDATION_FAILED, PRODUCT_MISMATCH, LICENSE_KEY_MISMATCH, METER_ATTRIBUTE_NOT_DEFINED, METER_ATTRIBUTE_USES_BELOW_ZERO.'),
          '404': error('ACTIVATION_NOT_FOUND.'),
        },
      },
      delete: {
        tags: [tag],
        summary: "Deactivate: the machine is unbound from the license, counted against the order's deactivations_allowed (null: unlimited).",
        security,
        parameters: [id, idempotencyKey],
        responses: {
          '204': { description: 'Deactivated.' },
          ...common,
          '404': error('ACTIVATION_NOT_FOUND.'),
          '409': error('DEACTIVATION_LIMIT_REACHED or CONFLICT.'),
        },
      },
    },
  },
}
