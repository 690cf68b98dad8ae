// A lease renewal taken from its stored row (JSON text) the cheap way, for a
// reader that goes through millions of them (the what-if): exactly the
// renewal decodeRecorded would give, or no answer (the row then goes through
// decodeRecorded, which decodes it or refuses it as it always does).
//
// Why it is exact: the data is taken only in the form the engine writes it,
// the codec's keys in the codec's order with string values free of escapes
// and whole numbers (one regular expression, built from the codec); such text
// parses to exactly those keys with exactly the matched values. Each value is
// then judged by its own field's codec (decodes-as-is.ts), as the renewal's
// codec, a plain object of independent fields, judges it; a value the same as
// in the first renewal of the same seat was judged already and is not judged
// again (the times of a renewal always differ, so they always are). The
// metadata, whose fields are all plain (strings, numbers, nulls), is judged by
// its text alone: a regular expression built from its codec, its keys in the
// order met in the log, admits only text that parses to exactly those keys
// with values of their fields' sorts; else it is parsed and judged whole. It
// must be at the renewal's current schema version (no upcast to run).
// Anything else is no answer.
import * as t from 'io-ts'
import { domainSchemas } from '../domain/events.js'
import { SeatLeaseRenewed } from '../domain/seat/index.js'
import { decodesAsIs, type AsIs } from './decodes-as-is.js'
import { EventMetadata } from './metadata.js'

export const RENEWAL = 'SeatLeaseRenewed'

/** What a reader of renewals needs of one: filled in place, so that millions of them make no garbage. */
export interface Renewal {
  clientId: string
  machineId: string
  /** The client and machine as a number, the same for the same two (0, 1, ...): a reader can find its own record of them by it. */
  holder: number
  /** `at`, in epoch milliseconds. */
  atMs: number
}

/** A string free of escapes and control characters (its JSON text is the string itself), or a whole number. */
const VALUE = String.raw`(?:"([^"\\\u0000-\u001f]*)"|(-?(?:0|[1-9][0-9]{0,14})))`

interface Shape {
  readonly pattern: RegExp
  readonly keys: readonly string[]
  readonly fields: readonly AsIs[]
}

/**
 * Whether the field's codec decodes the value to itself: decodes-as-is.ts's answer, but for a codec of our own
 * (a `t.Type` made directly, which that asks `decode`) its `validate` asked with one context kept for every call
 * (`decode` makes one per value; the context only names a failure, which is not looked at here).
 */
const fieldAsIs = (codec: t.Mixed): AsIs => {
  if (Object.getPrototypeOf(codec) !== t.Type.prototype) return decodesAsIs(codec)
  const context: t.Context = [{ key: '', type: codec, actual: undefined }]
  return (u) => {
    const result = codec.validate(u, context)
    return result._tag === 'Right' && result.right === u
  }
}

/** The data's shape as the engine writes it, or null where the codec is not a plain object of fields (then there is no cheap way). */
const shapeOf = (codec: t.Mixed): Shape | null => {
  if (!(codec instanceof t.InterfaceType) || Object.keys(codec.props as object).join() !== 'type,data') return null
  const data = (codec.props as Record<string, t.Mixed>)['data']
  if (!(data instanceof t.InterfaceType)) return null
  const props = Object.entries(data.props as Record<string, t.Mixed>)
  const keys = props.map(([key]) => key)
  if (!['seatId', 'clientId', 'machineId', 'at'].every((key) => keys.includes(key)) || keys.some((key) => !/^[A-Za-z0-9_]+$/.test(key))) return null
  return {
    pattern: new RegExp(`^\\{${keys.map((key) => `"${key}":${VALUE}`).join(',')}\\}$`),
    keys,
    fields: props.map(([, prop]) => fieldAsIs(prop)),
  }
}

const metadataAsIs = decodesAsIs(EventMetadata)
const VERSION = domainSchemas.versions[RENEWAL]

const STRING = String.raw`"[^"\\\u0000-\u001f]*"`
const INTEGER = '-?(?:0|[1-9][0-9]{0,14})'
/** The JSON text of every value a plain codec takes as it is (a subset of it: numbers only whole), or null: not plain. */
const literalOf = (codec: t.Mixed): string | null => {
  if (codec instanceof t.StringType) return STRING
  if (codec instanceof t.NumberType) return INTEGER
  if (codec instanceof t.NullType) return 'null'
  if (codec instanceof t.UnionType) {
    const members = (codec.types as readonly t.Mixed[]).map(literalOf)
    return members.every((m) => m !== null) ? `(?:${members.join('|')})` : null
  }
  return null
}

/**
 * The metadata's text judged without parsing it: one pattern per order of its keys met (learnt from metadata
 * parsed and judged whole), the schema version captured. null: its codec is not a plain object of plain fields.
 */
const metadataPatterns = (codec: t.Mixed) => {
  if (!(codec instanceof t.InterfaceType)) return null
  const literals = new Map(Object.entries(codec.props as Record<string, t.Mixed>).map(([key, prop]) => [key, literalOf(prop)] as const))
  if ([...literals].some(([key, literal]) => literal === null || !/^[A-Za-z0-9_]+$/.test(key)) || literals.get('schemaVersion') !== INTEGER) return null
  const patterns: RegExp[] = []
  return {
    /** The schema version of metadata whose text one of the patterns admits; NaN: none does. */
    versionOf: (text: string): number => {
      for (const pattern of patterns) {
        const match = pattern.exec(text)
        if (match !== null) return Number(match[1])
      }
      return NaN
    },
    /** Metadata that decodes as it is: its keys' order is learnt (a few orders at most). */
    learn: (value: object): void => {
      const keys = Object.keys(value)
      if (patterns.length >= 4 || keys.length !== literals.size || !keys.every((key) => literals.has(key))) return
      const fields = keys.map((key) => `"${key}":${key === 'schemaVersion' ? `(${INTEGER})` : literals.get(key)!}`)
      const pattern = new RegExp(`^\\{${fields.join(',')}\\}$`)
      if (!patterns.some((known) => known.source === pattern.source)) patterns.push(pattern)
    },
  }
}

/**
 * A reader of stored renewals: `read(data, metadata, into)`, of a renewal's row, fills `into` and answers true
 * when it decodes as it is; false: no answer (decode it the usual way). Keeps what it judged of each seat.
 */
export const storedRenewals = (codec: t.Mixed = SeatLeaseRenewed) => {
  const shape = shapeOf(codec)
  const seatAt = shape?.keys.indexOf('seatId') ?? -1
  const clientAt = shape?.keys.indexOf('clientId') ?? -1
  const machineAt = shape?.keys.indexOf('machineId') ?? -1
  const atAt = shape?.keys.indexOf('at') ?? -1
  const metadataText = metadataPatterns(EventMetadata)
  /** Each seat's values first judged, by its seat id, and its holder's number. */
  const judged = new Map<string, { readonly values: unknown[]; readonly holder: number }>()
  const holders = new Map<string, number>()
  const holderOf = (clientId: string, machineId: string): number => {
    const key = `${clientId}\u0000${machineId}`
    let n = holders.get(key)
    if (n === undefined) holders.set(key, (n = holders.size))
    return n
  }
  const values: unknown[] = []

  const read = (data: string, metadata: string, into: Renewal): boolean => {
    if (shape === null) return false
    const match = shape.pattern.exec(data)
    if (match === null) return false
    const { fields } = shape
    for (let i = 0; i < fields.length; i += 1) {
      const text = match[2 * i + 1]
      values[i] = text !== undefined ? text : Number(match[2 * i + 2])
    }
    const seatId = values[seatAt]
    const seat = typeof seatId === 'string' ? judged.get(seatId) : undefined
    const before = seat?.values
    for (let i = 0; i < fields.length; i += 1) {
      if (before !== undefined && before[i] === values[i]) continue
      if (!fields[i]!(values[i])) return false
    }
    const version = metadataText?.versionOf(metadata) ?? NaN
    if (Number.isNaN(version)) {
      let meta: unknown
      try {
        meta = JSON.parse(metadata)
      } catch {
        return false
      }
      if (!metadataAsIs(meta) || (meta as EventMetadata).schemaVersion !== VERSION) return false
      metadataText?.learn(meta as object)
    } else if (version !== VERSION) return false
    // The seat's first values are kept (they are what its later renewals repeat); a value that differs from them is judged each time.
    const clientId = values[clientAt] as string
    const machineId = values[machineAt] as string
    if (seat === undefined) judged.set(seatId as string, { values: values.slice(), holder: holderOf(clientId, machineId) })
    into.clientId = clientId
    into.machineId = machineId
    into.holder = seat !== undefined && before![clientAt] === clientId && before![machineAt] === machineId ? seat.holder : holderOf(clientId, machineId)
    into.atMs = Date.parse(values[atAt] as string)
    return true
  }
  return { read }
}
