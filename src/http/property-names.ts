// Request property names matched without regard to case, as the ASP.NET
// services behind seeds 002 and 003 bind them: Cryptlex's sample client sends
// `Key`, `Os`, `Fingerprint`; a body is rewritten to the documented names
// before its codec reads it. One property sent twice in two casings (`key`
// and `Key`) is ambiguous and refused, naming the field.
import * as E from 'fp-ts/Either'
import type { FieldError } from '../domain/validation.js'

/** The documented names of an object's properties; a nested shape for an object or array of objects under that name. */
export interface PropertyShape {
  readonly [name: string]: PropertyShape | null
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const fieldName = (path: string, name: string): string => (path === '' ? name : `${path}.${name}`)

/** Each shape's names by their lower case, worked out once per shape (a shape is a constant of its API). */
const byLowerCase = new WeakMap<PropertyShape, ReadonlyMap<string, string>>()

const lowerCased = (shape: PropertyShape): ReadonlyMap<string, string> => {
  let documented = byLowerCase.get(shape)
  if (documented === undefined) {
    documented = new Map(Object.keys(shape).map((name) => [name.toLowerCase(), name] as const))
    byLowerCase.set(shape, documented)
  }
  return documented
}

const rename = (value: unknown, shape: PropertyShape, path: string, errors: FieldError[]): unknown => {
  if (Array.isArray(value)) return value.map((item, index) => rename(item, shape, `${path}[${index}]`, errors))
  if (!isPlainObject(value)) return value
  const documented = lowerCased(shape)
  const renamed: Record<string, unknown> = {}
  const sentAs = new Map<string, string>()
  for (const [sent, inner] of Object.entries(value)) {
    // A name the document does not know is kept as sent: the codec that reads the body judges it.
    const name = documented.get(sent.toLowerCase()) ?? sent
    const earlier = sentAs.get(name)
    if (earlier !== undefined) {
      errors.push({ field: fieldName(path, name), message: `is sent twice, as ${earlier} and as ${sent}` })
      continue
    }
    sentAs.set(name, sent)
    const nested = Object.hasOwn(shape, name) ? shape[name] : null
    // Defined, not assigned: a member a client named `__proto__` must stay a member, never set the prototype.
    Object.defineProperty(renamed, name, {
      value: nested === null || nested === undefined ? inner : rename(inner, nested, fieldName(path, name), errors),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return renamed
}

/** The body with its property names as documented, or the fields sent twice in two casings. */
export const documentedNames = (body: unknown, shape: PropertyShape): E.Either<readonly FieldError[], unknown> => {
  const errors: FieldError[] = []
  const renamed = rename(body, shape, '', errors)
  return errors.length === 0 ? E.right(renamed) : E.left(errors)
}
