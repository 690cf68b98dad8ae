// A cheaper way to decode what is almost always valid: reading the log back,
// nearly every stored event decodes to exactly the value stored. io-ts's
// `decode` builds a context and an Either for every field of every event;
// the check compiled here walks the codec's own structure once per value and
// answers whether `decode` would succeed AND return the very value given. Only
// then is the value taken as decoded; otherwise the codec's real `decode`
// runs, and refuses (with its own explanation) or transforms, as always. So
// nothing that does not decode is ever let through: a field the check cannot
// judge structurally (a codec of our own, such as a calendar date that must
// exist) is judged by that codec's own `decode`, and must come back unchanged.
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'

export type AsIs = (u: unknown) => boolean

const isRecord = (u: unknown): u is Record<string, unknown> => t.UnknownRecord.is(u)

/** The codec's own decode, trusted only when it succeeds and hands back the value itself. */
const byDecode =
  (codec: t.Mixed): AsIs =>
  (u) => {
    const result = codec.decode(u)
    return E.isRight(result) && result.right === u
  }

/** Where `decode` is `is` (io-ts's primitives, literals and keyofs): `is` alone says it, and what fails it does not decode. */
const isPlain = (codec: t.Mixed): boolean =>
  codec instanceof t.StringType ||
  codec instanceof t.NumberType ||
  codec instanceof t.BooleanType ||
  codec instanceof t.NullType ||
  codec instanceof t.UndefinedType ||
  codec instanceof t.UnknownType ||
  codec instanceof t.LiteralType ||
  codec instanceof t.KeyofType

const compile = (codec: t.Mixed): AsIs => {
  if (isPlain(codec)) return (u) => codec.is(u)
  if (codec instanceof t.InterfaceType) {
    const props = Object.entries(codec.props as Record<string, t.Mixed>).map(([key, prop]) => [key, compile(prop)] as const)
    return (u) => {
      if (!isRecord(u)) return false
      for (const [key, asIs] of props) {
        const value = u[key]
        // A missing key that decodes as undefined: `decode` returns a copy with the key set.
        if (value === undefined && !Object.prototype.hasOwnProperty.call(u, key)) return false
        if (!asIs(value)) return false
      }
      return true
    }
  }
  if (codec instanceof t.PartialType) {
    const props = Object.entries(codec.props as Record<string, t.Mixed>).map(([key, prop]) => {
      // A prop whose codec makes something of undefined (a default) changes a value that lacks it.
      const absent = prop.decode(undefined)
      return { key, asIs: compile(prop), keepsAbsent: !(E.isRight(absent) && absent.right !== undefined) }
    })
    return (u) => {
      if (!isRecord(u)) return false
      for (const { key, asIs, keepsAbsent } of props) {
        const value = u[key]
        if (value === undefined ? !keepsAbsent : !asIs(value)) return false
      }
      return true
    }
  }
  if (codec instanceof t.ArrayType || codec instanceof t.ReadonlyArrayType) {
    const element = compile(codec.type as t.Mixed)
    return (u) => Array.isArray(u) && u.every(element)
  }
  if (codec instanceof t.ReadonlyType) return compile(codec.type as t.Mixed)
  if (codec instanceof t.RefinementType) {
    const base = compile(codec.type as t.Mixed)
    const predicate = codec.predicate as (a: unknown) => boolean
    return (u) => base(u) && predicate(u)
  }
  if (codec instanceof t.IntersectionType) {
    const members = (codec.types as readonly t.Mixed[]).map(compile)
    return (u) => members.every((asIs) => asIs(u))
  }
  if (codec instanceof t.UnionType) {
    // `decode` takes the first member that decodes: that one must take the value as it is.
    const members = (codec.types as readonly t.Mixed[]).map((member) => ({ asIs: compile(member), member, plain: isPlain(member) }))
    return (u) => {
      for (const { asIs, member, plain } of members) {
        if (asIs(u)) return true
        if (!plain && E.isRight(member.decode(u))) return false
      }
      return false
    }
  }
  if (codec instanceof t.DictionaryType && codec.domain instanceof t.StringType) {
    const value = compile(codec.codomain as t.Mixed)
    return (u) => isRecord(u) && Object.values(u).every(value)
  }
  return byDecode(codec)
}

const compiled = new WeakMap<t.Mixed, AsIs>()

/** Whether `codec.decode(u)` would succeed and return `u` itself (false: ask `decode`). Compiled once per codec. */
export const decodesAsIs = (codec: t.Mixed): AsIs => {
  let asIs = compiled.get(codec)
  if (asIs === undefined) {
    asIs = compile(codec)
    compiled.set(codec, asIs)
  }
  return asIs
}
