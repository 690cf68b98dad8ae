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
// in the last renewal of the same seat was judged already and is not judged
// again (the times of a renewal always differ, so they always are). The
// metadata is parsed and judged whole, and must be at the renewal's current
// schema version (no upcast to run). Anything else is no answer.
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
    fields: props.map(([, prop]) => decodesAsIs(prop)),
  }
}

const metadataAsIs = decodesAsIs(EventMetadata)
const VERSION = domainSchemas.versions[RENEWAL]

/**
 * A reader of stored renewals: `read(type, data, metadata, into)` fills `into` and answers true when the row
 * is a renewal that decodes as it is; false: no answer (decode it the usual way). Keeps what it judged of each seat.
 */
export const storedRenewals = (codec: t.Mixed = SeatLeaseRenewed) => {
  const shape = shapeOf(codec)
  const seatAt = shape?.keys.indexOf('seatId') ?? -1
  const clientAt = shape?.keys.indexOf('clientId') ?? -1
  const machineAt = shape?.keys.indexOf('machineId') ?? -1
  const atAt = shape?.keys.indexOf('at') ?? -1
  /** Each seat's values last judged, by its seat id. */
  const judged = new Map<string, unknown[]>()
  const values: unknown[] = []

  const read = (type: string, data: string, metadata: string, into: Renewal): boolean => {
    if (shape === null || type !== RENEWAL) return false
    const match = shape.pattern.exec(data)
    if (match === null) return false
    const { fields } = shape
    for (let i = 0; i < fields.length; i += 1) {
      const text = match[2 * i + 1]
      values[i] = text !== undefined ? text : Number(match[2 * i + 2])
    }
    const seatId = values[seatAt]
    const before = typeof seatId === 'string' ? judged.get(seatId) : undefined
    for (let i = 0; i < fields.length; i += 1) {
      if (before !== undefined && before[i] === values[i]) continue
      if (!fields[i]!(values[i])) return false
    }
    let meta: unknown
    try {
      meta = JSON.parse(metadata)
    } catch {
      return false
    }
    if (!metadataAsIs(meta) || (meta as EventMetadata).schemaVersion !== VERSION) return false
    if (before !== undefined) for (let i = 0; i < fields.length; i += 1) before[i] = values[i]
    else judged.set(seatId as string, values.slice())
    into.clientId = values[clientAt] as string
    into.machineId = values[machineAt] as string
    into.atMs = Date.parse(values[atAt] as string)
    return true
  }
  return { read }
}
