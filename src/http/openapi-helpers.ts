// Small builders for the OpenAPI fragments, so each API's description reads
// as its endpoints rather than as JSON plumbing.
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })

export const json = (schema: unknown, description = 'OK') => ({ description, content: { 'application/json': { schema } } })

export const body = (schema: unknown, types: readonly string[] = ['application/json']) => ({
  required: true,
  content: Object.fromEntries(types.map((type) => [type, { schema }])),
})

export const pathParam = (name: string, description: string, schema: unknown = { type: 'string' }) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema,
})

export const header = (name: string, description: string) => ({ name, in: 'header', required: false, description, schema: { type: 'string' } })

export const idempotencyKey = header('Idempotency-Key', 'Sending the same request again with the same key returns the first response and changes nothing.')

export const nullable = (schema: Readonly<Record<string, unknown>>) => ({ ...schema, type: [schema.type, 'null'] })

export const str = { type: 'string' } as const
export const int = { type: 'integer' } as const
export const bool = { type: 'boolean' } as const
/** An integer that may also be sent as a numeric string, as seed 001 allows. */
export const intOrString = { oneOf: [{ type: 'integer' }, { type: 'string', pattern: '^-?\\d+$' }] } as const

/**
 * The 429 of an API limited per credential (rate-limit.ts), added to each of
 * its operations that takes a credential: the response in the API's envelope,
 * with Retry-After.
 */
export const withThrottling = <P extends Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>>(
  paths: P,
  response: Readonly<Record<string, unknown>>,
): P =>
  Object.fromEntries(
    Object.entries(paths).map(([path, operations]) => [
      path,
      Object.fromEntries(
        Object.entries(operations).map(([method, op]) => {
          const secured = Array.isArray(op.security) && op.security.length > 0
          const throttled = {
            ...response,
            description: 'Too many requests with this credential this minute (RILLSOFT_, LAC_ or BABEL_RATE_LIMIT_PER_MINUTE).',
            headers: { 'Retry-After': { description: 'Seconds until the credential may send again.', schema: { type: 'integer', minimum: 1 } } },
          }
          return [method, secured ? { ...op, responses: { ...(op.responses as object), '429': throttled } } : op]
        }),
      ),
    ]),
  ) as P
