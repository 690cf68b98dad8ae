// What every operation of the document gets without its fragment writing it
// out, so that an endpoint added later (by any API module) is complete too:
//   - an operationId (its method and path in camelCase) unless it names one;
//   - `required` on every object of a response that lists none: every member
//     the engine answers with is always there (null when it has no value);
//     a response schema whose members may be absent says which are required.
//     Schemas a request body also uses keep what they say (a request's
//     members are optional unless listed);
//   - the failures any operation may answer, in its API's own envelope:
//     500, and 503 with Retry-After (the store or the read models unavailable
//     for now, or a log position this node has not reached); with a body, 413
//     and 415; with an Idempotency-Key, 409 (still running) and 422 (reused);
//   - the seeds' examples (seed-examples.ts).
import type { OpenApiOperation, OpenApiPaths } from './api-module.js'
import { withSeedExamples } from './seed-examples.js'

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

/** `get /license-orders/{activation_key}/history` -> getLicenseOrdersByActivationKeyHistory */
export const operationIdOf = (method: string, path: string): string => {
  const words = path
    .split('/')
    .filter((segment) => segment !== '')
    .flatMap((segment) => {
      const param = /^\{(.+)\}$/.exec(segment)
      return param === null ? segment.split(/[^A-Za-z0-9]+/) : ['by', ...param[1]!.split(/[^A-Za-z0-9]+/)]
    })
    .filter((word) => word !== '')
  return [method.toLowerCase(), ...words.map((word) => word[0]!.toUpperCase() + word.slice(1))].join('')
}

/** Every `#/components/schemas/X` a value refers to, directly. */
const refsIn = (value: unknown): string[] => [...JSON.stringify(value ?? null).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!)

/** The schemas a request (body or parameter) uses, directly or through other schemas. */
export const requestSchemas = (paths: OpenApiPaths, schemas: Readonly<Record<string, unknown>>): Set<string> => {
  const found = new Set<string>()
  const pending = Object.values(paths).flatMap((operations) => Object.values(operations).flatMap((op) => [...refsIn(op.requestBody), ...refsIn(op.parameters)]))
  while (pending.length > 0) {
    const name = pending.pop()!
    if (found.has(name)) continue
    found.add(name)
    pending.push(...refsIn(schemas[name]))
  }
  return found
}

/** The schema with `required` on each object that lists none: all its members. */
export const requireAll = (schema: unknown): unknown => {
  if (Array.isArray(schema)) return schema.map(requireAll)
  if (!isObject(schema)) return schema
  const out: Json = {}
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && isObject(value)) out[key] = Object.fromEntries(Object.entries(value).map(([name, member]) => [name, requireAll(member)]))
    else if (key === 'items' || key === 'additionalProperties' || key === 'allOf' || key === 'oneOf' || key === 'anyOf') out[key] = requireAll(value)
    else out[key] = value
  }
  if (isObject(schema.properties) && schema.required === undefined && Object.keys(schema.properties).length > 0) out.required = Object.keys(schema.properties)
  return out
}

const responsesRequiringAll = (responses: unknown): unknown =>
  isObject(responses)
    ? Object.fromEntries(
        Object.entries(responses).map(([status, response]) => [
          status,
          isObject(response) && isObject(response.content)
            ? {
                ...response,
                content: Object.fromEntries(Object.entries(response.content).map(([type, media]) => [type, isObject(media) ? { ...media, schema: requireAll(media.schema) } : media])),
              }
            : response,
        ]),
      )
    : responses

export interface DialectErrors {
  /** The component schema of the API's error envelope. */
  readonly schema: string
  /** Its media type (application/json unless the API says otherwise). */
  readonly mediaType?: string
}

const failure = (errors: DialectErrors, description: string, headers?: Json) => ({
  description,
  ...(headers === undefined ? {} : { headers }),
  content: { [errors.mediaType ?? 'application/json']: { schema: { $ref: `#/components/schemas/${errors.schema}` } } },
})
const retryAfter = { 'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'string', pattern: '^\\d+$' } } }

const takesIdempotencyKey = (op: OpenApiOperation): boolean =>
  Array.isArray(op.parameters) && op.parameters.some((p: unknown) => isObject(p) && p.in === 'header' && String(p.name).toLowerCase() === 'idempotency-key')

/** The failures any operation of an API may answer, in its envelope (what the operation documents itself wins). */
export const commonFailures = (errors: DialectErrors, op: OpenApiOperation) => ({
  ...(op.requestBody === undefined
    ? {}
    : {
        '413': failure(errors, 'The request body is too large.'),
        '415': failure(errors, 'The request body is not of a content type this endpoint reads, or not UTF-8.'),
      }),
  ...(takesIdempotencyKey(op)
    ? {
        '409': failure(errors, 'A request with this Idempotency-Key is still being processed: try again after Retry-After.', retryAfter),
        '422': failure(errors, 'This Idempotency-Key was already used for a different request.'),
      }
    : {}),
  '500': failure(errors, 'Something unexpected failed; the request id (X-Request-Id) names it in the log. Nothing was written.'),
  '503': failure(errors, 'Unavailable for now (the event store, the read models catching up, or a log position not reached): try again after Retry-After.', retryAfter),
})

/** One API's paths, finished. */
export const finishPaths = (paths: OpenApiPaths, errors: DialectErrors | null): OpenApiPaths =>
  Object.fromEntries(
    Object.entries(paths).map(([path, operations]) => [
      path,
      Object.fromEntries(
        Object.entries(operations).map(([method, op]): [string, OpenApiOperation] => [
          method,
          withSeedExamples(method, path, {
            operationId: operationIdOf(method, path),
            ...op,
            responses: { ...(errors === null ? {} : commonFailures(errors, op)), ...(responsesRequiringAll(op.responses) as Json) },
          }),
        ]),
      ),
    ]),
  )

/** Component schemas used by responses only get `required` everywhere; those a request uses keep what they say. */
export const finishSchemas = (schemas: Readonly<Record<string, unknown>>, usedByRequests: ReadonlySet<string>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, usedByRequests.has(name) ? schema : requireAll(schema)]))
