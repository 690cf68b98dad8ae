// Turns io-ts decoding failures into field errors that name the failing field
// the way a client wrote it (`Features[0].count`), with a readable message.
import * as t from 'io-ts'

export interface FieldError {
  readonly field: string
  readonly message: string
}

const tagOf = (type: t.Decoder<unknown, unknown>): string | undefined => (type as { _tag?: string })._tag

const isArrayType = (type: t.Decoder<unknown, unknown>): boolean => {
  const tag = tagOf(type)
  return tag === 'ArrayType' || tag === 'ReadonlyArrayType'
}

const isObjectType = (type: t.Decoder<unknown, unknown>): boolean => {
  const tag = tagOf(type)
  return tag === 'InterfaceType' || tag === 'PartialType' || tag === 'StrictType' || tag === 'ExactType'
}

/** The client-facing path of a failure: object keys joined by dots, array indexes in brackets. */
export const pathOf = (context: t.Context): string => {
  let path = ''
  for (let i = 1; i < context.length; i += 1) {
    const parent = context[i - 1]!.type
    const key = context[i]!.key
    if (isArrayType(parent)) path += `[${key}]`
    else if (isObjectType(parent)) path += path === '' ? key : `.${key}`
    // Unions, intersections and refinements add entries of their own; they are not fields.
  }
  return path
}

const describeExpected = (type: t.Decoder<unknown, unknown>): string => {
  if (tagOf(type) === 'KeyofType') {
    const keys = Object.keys((type as unknown as t.KeyofType<Record<string, unknown>>).keys)
    return `must be one of: ${keys.join(', ')}`
  }
  return `must be ${type.name}`
}

const messageOf = (error: t.ValidationError): string => {
  // A missing field fails inside its codec too; "required" is what the client needs to hear.
  if (error.value === undefined) return 'is required'
  if (error.message !== undefined) return error.message
  // For a union (a nullable field, say) the outermost non-structural type names what was expected.
  const entries = error.context
  for (let i = entries.length - 1; i >= 0; i -= 1) {
    const entry = entries[i]!
    const parent = i > 0 ? entries[i - 1]!.type : undefined
    if (parent !== undefined && (isObjectType(parent) || isArrayType(parent))) return describeExpected(entry.type)
  }
  return describeExpected(entries[entries.length - 1]!.type)
}

/** One error per field (a union reports each of its members; the first message stands). */
export const fieldErrors = (errors: t.Errors): readonly FieldError[] => {
  const byField = new Map<string, string>()
  for (const error of errors) {
    const field = pathOf(error.context)
    if (!byField.has(field)) byField.set(field, messageOf(error))
  }
  return [...byField].map(([field, message]) => ({ field: field === '' ? 'body' : field, message }))
}

// Marker codecs that make a synthetic context read as object keys and array indexes.
const objectMarker = t.type({})
const arrayMarker = t.array(t.unknown)

/**
 * A failure at a path below the current context (`['Features', 0, 'count']`),
 * for cross-field rules checked inside a codec after its shape decoded.
 */
export const failureAt = (
  value: unknown,
  context: t.Context,
  path: ReadonlyArray<string | number>,
  message: string,
): t.Errors => {
  const entries: t.ContextEntry[] = [{ key: '', type: objectMarker, actual: value }]
  path.forEach((segment, i) => {
    const next = path[i + 1]
    const type = next === undefined ? t.unknown : typeof next === 'number' ? arrayMarker : objectMarker
    entries.push({ key: String(segment), type, actual: value })
  })
  return [{ value, context: [...context, ...entries], message }]
}
