// Between domain events and stored events: encoding with metadata and schema
// version on the way in; upcasting and io-ts decoding on the way out. A stored
// event that does not decode is an error, never skipped.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import { DomainEvent, domainSchemas } from '../domain/events.js'
import { upcast } from '../domain/versioning.js'
import { fieldErrors } from '../domain/validation.js'
import type { JsonObject, NewEvent, RecordedEvent } from '../store/port.js'
import { decodesAsIs, type AsIs } from './decodes-as-is.js'
import { EventMetadata, type CommandMeta } from './metadata.js'

export class EventDecodeError extends Error {
  constructor(
    readonly event: Pick<RecordedEvent, 'id' | 'type' | 'streamName' | 'revision' | 'position'>,
    readonly reason: string,
  ) {
    super(
      `stored event ${event.type} (${event.id}) at ${event.streamName}@${event.revision}, position ${event.position}, does not decode: ${reason}`,
    )
    this.name = 'EventDecodeError'
  }
}

export const encodeEvent = (event: DomainEvent, meta: CommandMeta, id: string): NewEvent => ({
  id,
  type: event.type,
  data: event.data as unknown as JsonObject,
  metadata: { ...meta, schemaVersion: domainSchemas.versions[event.type] },
})

const explain = (errors: t.Errors): string =>
  fieldErrors(errors)
    .map((e) => `${e.field} ${e.message}`)
    .join('; ')

/**
 * Each event type's own codec, found once in the union of every event: only
 * the member whose literal `type` matches can decode an event, so decoding
 * with that member is what the union does, without the union's search (read
 * back for every event of the log). A type not found here goes through the union.
 */
const membersByType = (codec: t.Mixed, into = new Map<string, t.Mixed>()): Map<string, t.Mixed> => {
  if (codec instanceof t.UnionType) for (const member of codec.types as readonly t.Mixed[]) membersByType(member, into)
  else if (codec instanceof t.InterfaceType) {
    const tag = (codec.props as Record<string, t.Mixed>)['type']
    if (tag instanceof t.LiteralType && typeof tag.value === 'string' && !into.has(tag.value)) into.set(tag.value, codec)
  }
  return into
}
const memberOfType: ReadonlyMap<string, t.Mixed> = membersByType(DomainEvent)
const asIsOfType: ReadonlyMap<string, AsIs> = new Map([...memberOfType].map(([type, codec]) => [type, decodesAsIs(codec)]))
const metadataAsIs = decodesAsIs(EventMetadata)

export type Decoded = { readonly event: DomainEvent; readonly metadata: EventMetadata }

// A recorded event the store hands to several readers at once (its subscribers, following the log live) is
// decoded once: the same object decodes to the same event.
const decodedOnce = new WeakMap<RecordedEvent, Decoded>()

/** The stored event as a domain event at its current schema version, with its metadata. */
export const decodeRecorded = (recorded: RecordedEvent): Decoded => {
  const known = decodedOnce.get(recorded)
  if (known !== undefined) return known
  const decoded = decodeAfresh(recorded)
  decodedOnce.set(recorded, decoded)
  return decoded
}

/**
 * The same, without that sharing: for events read by one reader alone (a
 * rebuild reading the log in chunks), which nobody else decodes. Remembering
 * each of a million events in a weak map costs a third of decoding them.
 */
export const decodeAfresh = (recorded: RecordedEvent): Decoded => {
  // Nearly every stored event is exactly what its codec decodes it to: checked so (decodes-as-is.ts),
  // it is taken as it is; anything else goes through io-ts's decode, which refuses or transforms it.
  const metadata: E.Either<t.Errors, EventMetadata> = metadataAsIs(recorded.metadata)
    ? E.right(recorded.metadata as EventMetadata)
    : EventMetadata.decode(recorded.metadata)
  if (E.isLeft(metadata)) throw new EventDecodeError(recorded, `metadata: ${explain(metadata.left)}`)
  const upcasted = upcast(domainSchemas, recorded.type, metadata.right.schemaVersion, recorded.data)
  if (!upcasted.ok) throw new EventDecodeError(recorded, JSON.stringify(upcasted.error))
  const stored = { type: recorded.type, data: upcasted.data }
  const codec = memberOfType.get(recorded.type)
  if (codec !== undefined && asIsOfType.get(recorded.type)!(stored)) return { event: stored as DomainEvent, metadata: metadata.right }
  const member = codec?.decode(stored)
  if (member !== undefined && E.isRight(member)) return { event: member.right as DomainEvent, metadata: metadata.right }
  // Failing, the union says why, in its own words.
  return pipe(
    DomainEvent.decode(stored),
    E.match(
      (errors) => {
        throw new EventDecodeError(recorded, explain(errors))
      },
      (event) => ({ event, metadata: metadata.right }),
    ),
  )
}
