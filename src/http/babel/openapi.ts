import type { ApiModule } from '../api-module.js'
import { body, bool, header, int, json, nullable, ref, str } from '../openapi-helpers.js'
import { PROBLEM_JSON } from './dialect.js'
import { BABEL_BODY_TYPES } from './router.js'

const tag = 'Floating licensing (seed 002)'
const security = [{ bearer: [] }, { apiKey: [] }]

const timestamp = { ...nullable({ type: 'object' }), properties: { seconds: { type: 'integer', format: 'int64' }, nanos: int }, description: 'null: none (no expiry).' }
const durationSchema = { type: 'object', properties: { seconds: { type: 'integer', format: 'int64' }, nanos: int } }
const counts = {
  activeClientCount: { ...int, description: 'Places taken now: node-locked activations plus live floating seats.' },
  maxClientCount: { ...int, description: "The order's activations_allowed." },
}

const problem = (description: string) => ({ description, content: { [PROBLEM_JSON]: { schema: ref('BabelProblem') } } })

const problemDetails = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  description:
    'RFC 7807 problem details, as ASP.NET Core writes them, with a machine-readable code. ' +
    'Codes: VALIDATION_FAILED (errors names each field), INVALID_LICENSE_TOKEN, MISSING_CREDENTIALS, INVALID_CREDENTIALS (also for a revoked or expired key), ' +
    'FORBIDDEN (the API key may not reach this license), LICENSE_NOT_FOUND (unknown userKey), LICENSE_DISABLED (the order is not enabled), ' +
    'LICENSE_EXPIRED, TOKEN_REVOKED, CLIENT_MISMATCH (the token was issued to another client or machine), NOT_ACTIVATED, DEACTIVATION_LIMIT_REACHED, ' +
    'CONFLICT, UNSUPPORTED_MEDIA_TYPE, PAYLOAD_TOO_LARGE, NOT_FOUND, METHOD_NOT_ALLOWED, INTERNAL_ERROR.',
  properties: {
    rule: { ...str, description: 'A refusal by a rule names it (enabled, expiration, token_revoked, token_client, deactivations_allowed, ...), as GET /license-orders/{key}/denials does.' },
    type: str,
    title: str,
    status: int,
    detail: str,
    code: str,
    errors: { type: 'object', additionalProperties: { type: 'array', items: str } },
    traceId: { ...nullable(str), description: 'The request id (X-Request-Id).' },
  },
}

const license = {
  type: 'object',
  properties: {
    licenseId: { ...str, description: 'The license order id.' },
    licensingMode: {
      type: 'integer',
      enum: [0, 1, 2],
      description: "0 File, 1 Activation, 2 Floating. From the order's license_type: local -> 1 (node-locked), network -> 2 (floating).",
    },
    expireAt: { ...timestamp, description: "When the license expires: the latest expiry of its enabled features (fixed dates are valid through that day, UTC; days_from_activation count from the license's first activation or seat grant). null: it does not expire." },
    supportExpireAt: { ...timestamp, description: "When support ends: the latest maintenance end of its enabled features; null: none." },
    licenseKey: { type: 'array', items: int, description: 'The user key (activation key), as UTF-8 bytes.' },
  },
}

const clientRequest = {
  type: 'object',
  required: ['userKey', 'machineId', 'clientId'],
  properties: {
    userKey: { ...str, description: "The license order's activation key." },
    machineId: { ...str, maxLength: 1024 },
    clientId: { ...str, maxLength: 256 },
    clientName: { ...nullable(str), maxLength: 256 },
  },
}

const infoRequest = {
  type: 'object',
  required: ['userKey'],
  properties: {
    ...clientRequest.properties,
    machineId: nullable(str),
    clientId: nullable(str),
    asOf: {
      ...nullable(str),
      format: 'date-time',
      description:
        "The license as it was at this instant (ISO 8601 with a time zone): its terms, activations and the seats held then, and by whom, folded from the license's own events. Tokens are listed without being signed again (token null).",
    },
  },
}

const tokenRequest = {
  type: 'object',
  required: ['licenseToken'],
  properties: {
    licenseToken: { ...str, description: 'The token the seat was granted with (an Ed25519 JWT; verify it with /.well-known/jwks.json).' },
    machineId: { ...nullable(str), description: "When given, must be the token's machine." },
    clientId: { ...nullable(str), description: "When given, must be the token's client." },
    clientName: nullable(str),
  },
}

/**
 * A reply that carries a token exactly when `flag` is true: a string then, null otherwise, written as two
 * shapes so that a client generated from this document types licenseToken as a string where it is there.
 */
/** An answer with a token when `flag` is true and none when it is false; `refusal`: the members only a refusal has (the rule, the denial). */
const withToken = (flag: string, description: string, properties: Readonly<Record<string, unknown>>, refusal: Readonly<Record<string, unknown>> = {}) => ({
  oneOf: [
    { type: 'object', properties: { [flag]: { const: true }, licenseToken: { ...str, description }, ...properties } },
    { type: 'object', properties: { [flag]: { const: false }, licenseToken: { type: 'null' }, ...properties, ...refusal } },
  ],
})

const licenseProperties = { tokenExpireAt: timestamp, ...counts, license: ref('BabelLicense') }
const licenseResponse = withToken('success', 'An Ed25519 JWT carrying the license, client, machine, expiry and features.', licenseProperties, {
  denialId: { ...nullable(str), description: 'The denial, which GET /license-orders/{activation_key}/denials/{denial_id} explains (the rule, the places held and by whom then).' },
  rule: { ...str, description: 'The rule that refused it (activations_allowed: every place taken).' },
})

const operation = (summary: string, requestSchema: string, response: unknown, extra: Record<string, unknown> = {}, withIdempotency = true) => ({
  tags: [tag],
  summary,
  security,
  parameters: withIdempotency
    ? [header('Idempotency-Key', 'Sending the same request again with the same key returns the first response and changes nothing.')]
    : [],
  requestBody: body(ref(requestSchema), BABEL_BODY_TYPES),
  responses: {
    '200': json(response),
    '400': problem('Invalid request: VALIDATION_FAILED names the fields; INVALID_LICENSE_TOKEN for a forged, altered or foreign token.'),
    '401': problem('Missing, invalid, expired or revoked API key.'),
    '403': problem('FORBIDDEN: the API key may not act on this license.'),
    '413': problem('The body is too large.'),
    '415': problem('The body is not JSON.'),
    ...extra,
  },
})

const notFound = { '404': problem('LICENSE_NOT_FOUND: no license has this userKey.') }

export const babelOpenApi: ApiModule['openapi'] = {
  tags: [
    {
      name: tag,
      description:
        "Babel Licensing Service's Licensing API. userKey is a license order's activation key; node-locked activations and floating seats " +
        "share the order's activations_allowed. Seats hold a lease (by default three heartbeat intervals of 60 s); a seat whose lease ran out is dead.",
    },
  ],
  schemas: {
    BabelProblem: problemDetails,
    BabelLicense: license,
    BabelClientRequest: clientRequest,
    BabelTokenRequest: tokenRequest,
    BabelInfoRequest: infoRequest,
  },
  paths: {
    '/v1/license/activate': {
      post: operation(
        'Activate the license on a machine (node-locked). The same client and machine again get the same activation. success: false when every place is taken.',
        'BabelClientRequest',
        licenseResponse,
        { ...notFound, '403': problem('FORBIDDEN, LICENSE_DISABLED or LICENSE_EXPIRED.') },
      ),
    },
    '/v1/license/deactivate': {
      post: operation(
        "Deactivate the license on a machine; counted against the order's deactivations_allowed (null: unlimited).",
        'BabelClientRequest',
        { type: 'object', properties: { licenseId: str, ...counts } },
        {
          '404': problem('LICENSE_NOT_FOUND, or NOT_ACTIVATED: this client is not activated on this machine.'),
          '403': problem('DEACTIVATION_LIMIT_REACHED: no deactivations left (Babel raises a limit as PermissionDenied); FORBIDDEN; LICENSE_DISABLED; LICENSE_EXPIRED.'),
        },
      ),
    },
    '/v1/license/request': {
      post: operation(
        'Borrow a floating seat. A client that holds one asking again keeps the same seat. No seat free is granted: false (not an error).',
        'BabelClientRequest',
        withToken('granted', 'Names the seat for release and heartbeat.', {
          tokenExpireAt: { ...timestamp, description: 'When the lease runs out unless heartbeats renew it; null when not granted.' },
          heartbeatInterval: { ...durationSchema, description: 'How often to heartbeat.' },
          ...counts,
          license: ref('BabelLicense'),
        }, {
          denialId: { ...nullable(str), description: 'The denial, which GET /license-orders/{activation_key}/denials/{denial_id} explains (the rule, the seats held and by whom then).' },
          rule: { ...str, description: 'The rule that refused it (activations_allowed: every place taken).' },
        }),
        { ...notFound, '403': problem('FORBIDDEN, LICENSE_DISABLED or LICENSE_EXPIRED.') },
      ),
    },
    '/v1/license/release': {
      post: operation(
        'Give a floating seat back. Releasing a seat already released or expired changes nothing.',
        'BabelTokenRequest',
        { type: 'object', properties: { licenseId: str, ...counts } },
        { ...notFound, '403': problem('FORBIDDEN, TOKEN_REVOKED or CLIENT_MISMATCH.') },
      ),
    },
    '/v1/license/heartbeat': {
      post: operation(
        'Keep a floating seat alive. active: false when the seat is dead (its lease ran out, or it was released). tokenExpireAt is the next deadline.',
        'BabelTokenRequest',
        {
          type: 'object',
          properties: {
            active: bool,
            ...counts,
            tokenExpireAt: { ...timestamp, description: 'The deadline: the lease ends then unless a heartbeat comes first. For a dead seat, when it died (or null).' },
            heartbeatInterval: durationSchema,
          },
        },
        { ...notFound, '403': problem('FORBIDDEN, LICENSE_DISABLED, LICENSE_EXPIRED, TOKEN_REVOKED or CLIENT_MISMATCH.') },
        false,
      ),
    },
    '/v1/license/validate': {
      post: operation(
        "Where a client stands on the license. code: VALID, DISABLED, EXPIRED, HEARTBEAT_DEAD (its seat's lease ran out), TOKEN_REVOKED, FINGERPRINT_MISMATCH (the client holds the license on another machine), NO_SEAT (floating) or NOT_ACTIVATED (node-locked).",
        'BabelClientRequest',
        withToken('success', 'The token the client holds the license with (its seat or activation).', { ...licenseProperties, code: str }, {
          rule: { ...str, description: 'The rule behind a code other than VALID (enabled, expiration, lease, token_revoked, activation_fingerprint, seat_required, activation_required).' },
        }),
        notFound,
        false,
      ),
    },
    '/v1/license/info': {
      post: operation(
        'The license and its tokens: every activation, every live seat, and revoked tokens (revoked: true, token null). revoked at the license level: the order is disabled.',
        'BabelInfoRequest',
        {
          type: 'object',
          properties: {
            licenseTokens: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  token: nullable(str),
                  licenseId: str,
                  revoked: bool,
                  clientId: str,
                  clientAddr: nullable(str),
                  clientName: nullable(str),
                  machineId: str,
                  issuedAt: timestamp,
                  expireAt: timestamp,
                  lastHearbeat: { ...timestamp, description: 'The last lease renewal written (heartbeats that renew nothing are not recorded); null for activations.' },
                },
              },
            },
            licenseId: str,
            ...counts,
            licensingMode: license.properties.licensingMode,
            revoked: bool,
            issuedAt: timestamp,
            expireAt: timestamp,
            supportExpireAt: timestamp,
          },
        },
        notFound,
        false,
      ),
    },
  },
}
