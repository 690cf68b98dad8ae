// Metadata recorded with every event: who did it and in answer to what. Audit
// and compliance queries read it, so every field is always present (null when
// it does not apply) and the credential is named by id, never by its secret.
import * as t from 'io-ts'

export const EventMetadata = t.type({
  /** Schema version of the event's data, for upcasting when read. */
  schemaVersion: t.number,
  /** Id of the credential that caused the change (an API key id, "admin-token", "system:<job>"). */
  actor: t.union([t.string, t.null]),
  correlationId: t.string,
  causationId: t.union([t.string, t.null]),
  requestId: t.union([t.string, t.null]),
  clientIp: t.union([t.string, t.null]),
  idempotencyKey: t.union([t.string, t.null]),
})
export type EventMetadata = t.TypeOf<typeof EventMetadata>

/** What a caller knows about the cause of a command; the schema version is added per event. */
export type CommandMeta = Omit<EventMetadata, 'schemaVersion'>

/** Metadata for work the engine does by itself (sweepers, reactions to other events). */
export const systemMeta = (job: string, correlationId: string, causationId: string | null = null): CommandMeta => ({
  actor: `system:${job}`,
  correlationId,
  causationId,
  requestId: null,
  clientIp: null,
  idempotencyKey: null,
})
