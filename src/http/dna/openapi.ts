import type { ApiModule } from '../api-module.js'
import { body, bool, idempotencyKey, json, pathParam, ref, str } from '../openapi-helpers.js'

const tag = 'Licenses Update (seed 004)'
const message = (description: string) => json(ref('DnaError'), description)
const rateLimitReset = {
  'X-RateLimit-Reset': { description: 'Seconds until the limit resets or the IP lockout ends.', schema: { type: 'integer' } },
  'Retry-After': { description: 'The same, in the standard header.', schema: { type: 'integer' } },
}

export const dnaOpenApi: ApiModule['openapi'] = {
  tags: [{ name: tag, description: 'softWORKZ software_DNA: change the activation e-mail or the license data of a license.' }],
  schemas: {
    DnaError: { type: 'object', required: ['Message'], properties: { Message: str } },
    LicenseUpdate: {
      type: 'object',
      required: ['UserIp'],
      description: 'NewEmail, NewLicenseData or both. All fields must be valid for anything to change.',
      properties: {
        NewEmail: { ...str, format: 'email', description: 'The new activation e-mail of the license.' },
        NewLicenseData: { ...str, maxLength: 200, description: 'The new license data (needs the product\'s license-data option).' },
        UserIp: { ...str, description: "The end user's IPv4 or IPv6 address, for the IP lockout." },
        Test: { ...bool, default: false, description: 'A test event: applied for a product in test, refused (409) for an active product.' },
        SendDnaEmail: { ...bool, default: true, description: 'On an e-mail change, notify the old and the new address.' },
      },
    },
  },
  paths: {
    '/v1/Licenses/{productId}/{licenseId}': {
      patch: {
        tags: [tag],
        summary: "Update a license's activation e-mail and/or license data. Also reached as /v1/licenses/...; the body is read as JSON whatever its Content-Type.",
        security: [{ basic: [] }],
        parameters: [
          pathParam('productId', 'The product (the product_id of the product templates).'),
          pathParam('licenseId', "The license's activation code."),
          idempotencyKey,
        ],
        requestBody: body(ref('LicenseUpdate')),
        responses: {
          '204': { description: 'The License was updated.' },
          '400': message('One of the parameters was invalid or missing; the message names it.'),
          '401': message('Basic Authentication failed.'),
          '403': message('The license-data option is not enabled for this product; the license was not updated.'),
          '404': message('The productId and/or the licenseId was not found.'),
          '409': message('A test event for an ACTIVE product: received, but the license was not updated.'),
          '413': message('The request body is too large.'),
          '429': { ...message('Too many requests for this credential, or too many invalid attempts from this IP address (IP lockout).'), headers: rateLimitReset },
          '500': message('An internal error.'),
        },
      },
    },
  },
}
