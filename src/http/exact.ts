// Which members of a value an io-ts codec declares: the rest are named (to be
// refused) and left out of the value (so nothing undeclared is stored). io-ts
// keeps unknown members (an intersection even merges them back in), so this
// walks the codec's structure beside the value. A codec it cannot see into
// (a custom type without a declared shape, a record) lets its value through
// as it is.
import * as t from 'io-ts'
import type { Shaped } from '../domain/shaped.js'

type Members = ReadonlyMap<string, t.Decoder<unknown, unknown>>

/** Refinements, readonly and exact wrappers stand for what they wrap, a shaped custom codec for its shape. */
const unwrapped = (codec: t.Decoder<unknown, unknown>): t.Decoder<unknown, unknown> => {
  if (codec instanceof t.RefinementType || codec instanceof t.ReadonlyType || codec instanceof t.ExactType) return unwrapped(codec.type)
  return isShaped(codec) ? unwrapped(codec.shape) : codec
}

const isShaped = (codec: t.Decoder<unknown, unknown>): codec is t.Decoder<unknown, unknown> & Shaped => 'shape' in codec

/** Each codec's members, worked out once per codec (codecs are constants): a request walks its body, not its codec. */
const knownMembers = new WeakMap<t.Decoder<unknown, unknown>, Members | null>()

/** The members an object codec declares; null when the codec is not one whose members are known. */
const membersOf = (codec: t.Decoder<unknown, unknown>): Members | null => {
  if (knownMembers.has(codec)) return knownMembers.get(codec)!
  const members = membersFound(codec)
  knownMembers.set(codec, members)
  return members
}

const membersFound = (codec: t.Decoder<unknown, unknown>): Members | null => {
  const inner = unwrapped(codec)
  if (inner instanceof t.InterfaceType || inner instanceof t.PartialType) return new Map(Object.entries(inner.props as Record<string, t.Mixed>))
  if (inner instanceof t.IntersectionType || inner instanceof t.UnionType) {
    const parts = (inner.types as readonly t.Mixed[]).map(membersOf)
    // One opaque member of an intersection may declare anything: no check rather than a false refusal.
    if (inner instanceof t.IntersectionType && parts.some((part) => part === null)) return null
    const known = parts.filter((part): part is Members => part !== null)
    return known.length === 0 ? null : new Map(known.flatMap((part) => [...part]))
  }
  return null
}

/** The codec of an array's elements, if the codec is an array's. */
const elementOf = (codec: t.Decoder<unknown, unknown>): t.Decoder<unknown, unknown> | null => {
  const inner = unwrapped(codec)
  if (inner instanceof t.ArrayType || inner instanceof t.ReadonlyArrayType) return inner.type as t.Mixed
  if (inner instanceof t.UnionType) {
    for (const member of inner.types as readonly t.Mixed[]) {
      const element = elementOf(member)
      if (element !== null) return element
    }
  }
  return null
}

const isPlainObject = (value: unknown): value is Readonly<Record<string, unknown>> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

export interface Exactly {
  /** The value without the undeclared members. */
  readonly value: unknown
  /** Each undeclared member's path, as the client wrote it (`Features[0].colour`). */
  readonly unknown: readonly string[]
}

export const exactly = (codec: t.Decoder<unknown, unknown>, value: unknown, path = ''): Exactly => {
  if (Array.isArray(value)) {
    const element = elementOf(codec)
    if (element === null) return { value, unknown: [] }
    const items = value.map((item, index) => exactly(element, item, `${path}[${index}]`))
    return { value: items.map((item) => item.value), unknown: items.flatMap((item) => item.unknown) }
  }
  if (!isPlainObject(value)) return { value, unknown: [] }
  const members = membersOf(codec)
  if (members === null) return { value, unknown: [] }
  const kept: Record<string, unknown> = {}
  const unknown: string[] = []
  for (const [key, member] of Object.entries(value)) {
    const field = path === '' ? key : `${path}.${key}`
    const declared = members.get(key)
    if (declared === undefined) {
      unknown.push(field)
      continue
    }
    const inner = exactly(declared, member, field)
    // Only declared names are written, so none of them is `__proto__`.
    kept[key] = inner.value
    unknown.push(...inner.unknown)
  }
  return { value: kept, unknown }
}
