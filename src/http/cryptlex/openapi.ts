import type { ApiModule } from '../api-module.js'
import { body, bool, idempotencyKey, int, json, nullable, pathParam, ref, str } from '../openapi-helpers.js'

const tag = 'Activations (seed 003)'
/** The license key in the body authenticates (Cryptlex's `security: [{}]`); a vendor's Bearer key works too. */
const openSecurity = [{}, { bearer: [] }]
const security = [{ bearer: [] }]
const error = (description: string) => json(ref('CryptlexError'), description)
const id = pathParam('id', 'Unique identifier for the activation.')
const text = (min: number, max: number, description?: string) => ({ ...str, minLength: min, maxLength: max, ...(description === undefined ? {} : { description }) })
const int64 = { type: 'integer', format: 'int64' } as const
const time = { ...nullable(str), format: 'date-time' }

const errorSchema = {
  type: 'object',
  required: ['message'],
  additionalProperties: false,
  description:
    "Every error, as Cryptlex's HttpErrorResponseDto: a message and a code. Codes: VALIDATION_FAILED (400; the message names each field), " +
    'INVALID_LICENSE_KEY (400: no license has this key; PATCH: not the key of the activation\'s license), INVALID_PRODUCT_ID (400), ' +
    'ACTIVATION_LIMIT_REACHED (400), REVOKED_LICENSE (400: the license is disabled), LICENSE_EXPIRED (400), INVALID_ACTIVATION_FINGERPRINT (400, PATCH), ' +
    'METER_ATTRIBUTE_NOT_FOUND, METER_ATTRIBUTE_USES_BELOW_ZERO, METER_ATTRIBUTE_USES_LIMIT_REACHED (400), ACTIVATION_NOT_FOUND (404), ' +
    'DEACTIVATION_LIMIT_REACHED (409), CONFLICT (409), TOO_MANY_REQUESTS (429); with a vendor Bearer key: MISSING_ACCESS_TOKEN, INVALID_ACCESS_TOKEN ' +
    '(also for a revoked or expired key) (401), FORBIDDEN (403); and PAYLOAD_TOO_LARGE (413), UNSUPPORTED_MEDIA_TYPE (415), UNPROCESSABLE (422), ' +
    'NOT_FOUND, METHOD_NOT_ALLOWED, INTERNAL_ERROR, SERVICE_UNAVAILABLE. A refusal by a rule names it in the X-Denial-Rule header ' +
    '(activations_allowed, enabled, expiration, meter_allowed_uses, ...), and a recorded denial its id in X-Denial-Id, which ' +
    'GET /license-orders/{key}/denials resolves: the body stays as Cryptlex defines it.',
  properties: { message: str, code: nullable(str) },
}

const rateHeaders = {
  'X-Rate-Limit-Limit': { description: 'The window of the rate limit (e.g. 5s). Requests without a vendor credential only.', schema: str },
  'X-Rate-Limit-Remaining': { description: 'Requests left in the window (the tighter of the source address and the license key).', schema: str },
  'X-Rate-Limit-Reset': { description: 'When the window resets (UTC date-time).', schema: str },
}

const request = {
  type: 'object',
  required: ['os', 'fingerprint', 'hostname', 'userHash', 'productId', 'accountId', 'key'],
  description:
    'The seed documents one schema, and POST and PATCH both take it: the required fields are required on PATCH too. Property names are matched ' +
    'without regard to case (Key, Os, Fingerprint, as the sample client sends them); one sent twice in two casings is a 400. A field sent as null is taken as not sent; ' +
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
    appVersion: text(0, 256, "Sent by Cryptlex's own clients (its sample's ActivationRequest), not in the seed's schema: accepted, never kept."),
    clientVersion: text(0, 256, 'As appVersion: accepted, never kept.'),
    email: text(0, 256, 'As appVersion: accepted, never kept.'),
    password: text(0, 256, 'As appVersion: accepted, never kept (nor logged).'),
    deviceId: { ...str, format: 'uuid' },
    deviceChallenge: text(1, 256),
    deviceChallengeSignature: text(1, 1024),
  },
}

const activation = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'createdAt', 'updatedAt', 'os', 'hostname', 'location', 'container', 'offline', 'productId', 'licenseId', 'lastSyncedAt', 'meterAttributes', 'metadata'],
  description:
    "Cryptlex's ActivationDto (the seed's webhook data). location holds the address the activation came from (\"\" when none); organization and user, " +
    "which the engine does not keep, are left out; a metadata entry's id is the activation id and its index, its times the activation's last update. " +
    'An activation made through seed 002 has no details: os null, hostname its client name, container false.',
  properties: {
    id: str,
    createdAt: { ...str, format: 'date-time' },
    updatedAt: { ...str, format: 'date-time' },
    os: nullable(str),
    osVersion: nullable(str),
    hostname: str,
    location: { type: 'object', required: ['ipAddress'], additionalProperties: false, properties: { ipAddress: str } },
    vmName: nullable(str),
    container: bool,
    appVersion: { ...nullable(str), description: 'The release version.' },
    releaseVersion: nullable(str),
    releaseChannel: nullable(str),
    releasePlatform: nullable(str),
    offline: { ...bool, const: false },
    productId: nullable(str),
    expiresAt: { ...time, description: 'When the license expires; null: never.' },
    licenseId: { ...str, description: 'The license order id.' },
    lastSyncedAt: { ...str, format: 'date-time', description: 'The last update that changed something (syncs that change nothing are not recorded).' },
    meterAttributes: { type: 'array', items: { type: 'object', properties: { name: str, uses: int } }, description: 'The uses this activation made.' },
    leaseExpiresAt: { type: 'null' },
    userId: nullable(str),
    metadata: {
      type: 'array',
      items: { type: 'object', required: ['id', 'createdAt', 'updatedAt', 'key'], properties: { id: str, createdAt: { ...str, format: 'date-time' }, updatedAt: { ...str, format: 'date-time' }, key: str, value: str } },
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
        "An RS256 JWT signed with the product's RSA key (GET /products/{product_id}/activation-key gives its public key, PEM and JWK), with the claims of " +
        "Cryptlex's activation payload: aid (activation id), os, fp (fingerprint), fms (exact), eat (license expiry, 0: never), iat, pid (product id), " +
        'orv (0), lid (license id), key (license key), name, email, company, type (node-locked), suspended (false), fc (0), ls (per-machine), ld (0), ' +
        'ssgpeat (0), leat (0), aco (allowed clock offset, 3600 s), ssi (0), pmd, lmd, umd (empty), amd (the activation metadata), ' +
        "lma (the license's meter attributes: name, allowedUses, totalUses), ama (this activation's: name, uses).",
    },
  },
}

const limited = (description: string) => ({ ...error(description), headers: rateHeaders })
const vendorOnly = {
  '401': error('With a vendor Bearer key: missing, invalid, expired or revoked.'),
  '403': error('FORBIDDEN: the vendor key may not reach this license.'),
}
const bodyFaults = {
  '413': error('The body is too large.'),
  '415': error('The body is not JSON.'),
  '422': error('The Idempotency-Key was used for another request (vendor Bearer calls only).'),
  '429': limited('TOO_MANY_REQUESTS: over the limit per source address or per license key (requests without a vendor credential).'),
}

export const cryptlexOpenApi: ApiModule['openapi'] = {
  tags: [
    {
      name: tag,
      description:
        "Cryptlex Web API v3's activations, as Cryptlex's clients speak them. An activation is a machine bound to a license order, counted against its " +
        "activations_allowed with seed 002's activations and live seats; seed 002 sees it with clientId = the product id and machineId = the fingerprint. " +
        'POST, PATCH and DELETE need no credential (the license key in the body, or the activation id, authenticates), rate limited per source address and ' +
        'license key; a vendor Bearer key (API key or admin token) works on every endpoint.',
    },
  ],
  schemas: { CryptlexError: errorSchema, CryptlexActivationRequest: request, CryptlexActivation: activation, CryptlexActivationToken: tokenResponse },
  paths: {
    '/v3/activations': {
      post: {
        tags: [tag],
        summary: 'Activate a license key on a machine. The same fingerprint on the same license is the same activation, updated with what was sent.',
        security: openSecurity,
        parameters: [idempotencyKey],
        requestBody: body(ref('CryptlexActivationRequest')),
        responses: {
          '200': { ...json(ref('CryptlexActivationToken'), 'Activated (Location names a new activation).'), headers: { Location: { description: 'A new activation.', schema: str }, ...rateHeaders } },
          '400': error('VALIDATION_FAILED, INVALID_LICENSE_KEY, INVALID_PRODUCT_ID, ACTIVATION_LIMIT_REACHED, REVOKED_LICENSE, LICENSE_EXPIRED, METER_ATTRIBUTE_*.'),
          ...vendorOnly,
          '409': error('CONFLICT.'),
          ...bodyFaults,
        },
      },
    },
    '/v3/activations/{id}': {
      get: {
        tags: [tag],
        summary: 'Retrieve an activation (a vendor Bearer key).',
        security,
        parameters: [id],
        responses: { '200': json(ref('CryptlexActivation')), ...vendorOnly, '404': error('ACTIVATION_NOT_FOUND.') },
      },
      patch: {
        tags: [tag],
        summary: 'Update an activation: the fields sent replace the recorded ones, fields not sent are left unchanged, meter attributes move by their increments.',
        description: "Triggers webhook activation.updated (when something changed). key must be the key of the activation's license.",
        security: openSecurity,
        parameters: [id, idempotencyKey],
        requestBody: body(ref('CryptlexActivationRequest')),
        responses: {
          '200': { ...json(ref('CryptlexActivationToken')), headers: rateHeaders },
          '400': error('VALIDATION_FAILED, INVALID_LICENSE_KEY, INVALID_PRODUCT_ID, INVALID_ACTIVATION_FINGERPRINT, REVOKED_LICENSE, LICENSE_EXPIRED, METER_ATTRIBUTE_*.'),
          ...vendorOnly,
          '404': error('ACTIVATION_NOT_FOUND.'),
          '409': error('CONFLICT.'),
          ...bodyFaults,
        },
      },
      delete: {
        tags: [tag],
        summary: "Deactivate: the machine is unbound from the license, counted against the order's deactivations_allowed (null: unlimited). The activation id authorizes it.",
        security: openSecurity,
        parameters: [id, idempotencyKey],
        responses: {
          '204': { description: 'Deactivated.', headers: rateHeaders },
          ...vendorOnly,
          '404': error('ACTIVATION_NOT_FOUND.'),
          '409': error('DEACTIVATION_LIMIT_REACHED or CONFLICT.'),
          '429': bodyFaults['429'],
        },
      },
    },
  },
}
