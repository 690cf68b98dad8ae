// The OpenAPI document's request bodies are checked against the io-ts codecs
// that decode them, so the two cannot drift apart: the members the document
// lists are the members the codec reads, and the ones it marks required are
// the ones the codec refuses to go without. An endpoint whose body is decoded
// by a codec is listed here with it (a new one: add a line).
import * as E from 'fp-ts/Either'
import type * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import { IssueBody } from '../../src/http/admin/api-keys.js'
import { TemplateInput } from '../../src/http/admin/customers.js'
import { SettingsInput } from '../../src/http/admin/products.js'
import { ClientBody, InfoBody, TokenBody } from '../../src/http/babel/router.js'
import { ActivationBody } from '../../src/http/cryptlex/request.js'
import { LicenseUpdateBody } from '../../src/http/dna/router.js'
import { CreateBody, UpdateBody } from '../../src/http/lac/router.js'
import { SettingsBody } from '../../src/http/lac/seats.js'
import { apiModules } from '../../src/http/modules.js'
import { openApiDocument } from '../../src/http/openapi.js'
import { LicenseChange } from '../../src/http/rillsoft/router.js'
import { CustomerProfileInput, ProfileShape } from '../../src/domain/customer/profile.js'
import { OrderTermsInput, TermsShape } from '../../src/domain/order/terms.js'
import { RegistrationInput, RegistrationShape } from '../../src/domain/webhook-endpoint/settings.js'
import { WhatIfBody } from '../../src/http/admin/what-if.js'

/** Codecs with cross-field rules are custom types; the shape each checks first is what the request must look like. */
const shapes = new Map<unknown, t.Mixed>([
  [OrderTermsInput, TermsShape],
  [CustomerProfileInput, ProfileShape],
  [RegistrationInput, RegistrationShape],
])
/** Changes: fields not sent keep their value, so the document requires none of them, whatever the whole needs. */
const changes = new Set(['patch /customers/{id}', 'patch /webhooks/{id}'])

const codecs: Readonly<Record<string, t.Mixed>> = {
  'post /customers': CustomerProfileInput,
  'patch /customers/{id}': CustomerProfileInput,
  'post /webhooks': RegistrationInput,
  'patch /webhooks/{id}': RegistrationInput,
  'post /license-orders': CreateBody,
  'patch /license-orders/{activation_key}': UpdateBody,
  'put /license-orders/{activation_key}/seat-settings': SettingsBody,
  'patch /api/v2/clients/{client_id}/license': LicenseChange,
  'post /api-keys': IssueBody,
  'post /product-templates': TemplateInput,
  'put /products/{product_id}': SettingsInput,
  'post /v1/license/activate': ClientBody,
  'post /v1/license/deactivate': ClientBody,
  'post /v1/license/request': ClientBody,
  'post /v1/license/validate': ClientBody,
  'post /v1/license/release': TokenBody,
  'post /v1/license/heartbeat': TokenBody,
  'post /v1/license/info': InfoBody,
  'post /v3/activations': ActivationBody,
  'patch /v3/activations/{id}': ActivationBody,
  'patch /v1/Licenses/{productId}/{licenseId}': LicenseUpdateBody,
  'post /reports/what-if': WhatIfBody,
}

interface Shape {
  readonly members: readonly string[]
  readonly required: readonly string[]
}

/** The members an object codec reads, and those it cannot go without (it refuses undefined for them). */
const codecShape = (codec: any): Shape => {
  switch (codec._tag) {
    case 'InterfaceType':
    case 'PartialType': {
      const members = Object.keys(codec.props)
      const required = codec._tag === 'PartialType' ? [] : members.filter((name) => E.isLeft((codec.props[name] as t.Mixed).decode(undefined)))
      return { members, required }
    }
    case 'IntersectionType': {
      const shapes = (codec.types as unknown[]).map(codecShape)
      return { members: [...new Set(shapes.flatMap((s) => s.members))], required: [...new Set(shapes.flatMap((s) => s.required))] }
    }
    case 'ExactType':
    case 'RefinementType':
    case 'ReadonlyType':
      return codecShape(codec.type)
    default:
      if (shapes.has(codec)) return codecShape(shapes.get(codec))
      throw new Error(`not an object codec: ${codec.name}`)
  }
}

const document = openApiDocument(apiModules, 'test') as any
const resolve = (schema: any): any => (schema?.$ref === undefined ? schema : resolve(document.components.schemas[schema.$ref.split('/').pop()]))
/** The members a request schema lists, and those it marks required (through $ref and allOf). */
const schemaShape = (given: any): Shape => {
  const schema = resolve(given)
  const parts = [schema, ...((schema.allOf ?? []) as unknown[]).map(schemaShape)]
  return {
    members: [...new Set([...Object.keys(schema.properties ?? {}), ...parts.slice(1).flatMap((s: Shape) => s.members)])],
    required: [...new Set([...((schema.required ?? []) as string[]), ...parts.slice(1).flatMap((s: Shape) => s.required)])],
  }
}
const sorted = ({ members, required }: Shape): Shape => ({ members: [...members].sort(), required: [...required].sort() })

describe('the OpenAPI request bodies and the codecs that decode them', () => {
  it.each(Object.entries(codecs))('%s: the same members, and the same ones required', (operation, codec) => {
    const [method, path] = operation.split(' ') as [string, string]
    const op = document.paths[path]?.[method]
    expect(op, `${operation} is in the document`).toBeDefined()
    for (const media of Object.values(op.requestBody.content) as { schema: unknown }[]) {
      const expected = codecShape(codec)
      expect(sorted(schemaShape(media.schema))).toEqual(sorted(changes.has(operation) ? { ...expected, required: [] } : expected))
    }
  })

  it('lists every operation that takes a JSON object body', () => {
    const withBodies = Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, op]) => op.requestBody !== undefined && resolve(Object.values(op.requestBody.content as Record<string, { schema: unknown }>)[0]!.schema).type !== 'array')
        .map(([method]) => `${method} ${path}`),
    )
    expect(withBodies.sort()).toEqual(Object.keys(codecs).sort())
  })
})
