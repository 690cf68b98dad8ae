// The hash chain over the event log: each event's digest (SHA-256 of its
// canonical bytes) and each position's link, SHA-256 of the previous link and
// the digest. Any edit, removal, insertion or reordering of an event changes
// every link from its position on; a signed checkpoint (checkpoints.ts) pins
// the link at a position, so nobody without the signing key can rewrite the
// chain to match. Pure: the stores and the verifiers share it.
import { createHash } from 'node:crypto'

/** The link before the first event. */
export const GENESIS_LINK = '0'.repeat(64)

/** What of an event the chain covers: everything the store records of it. */
export interface ChainedEvent {
  readonly id: string
  readonly stream: string
  readonly revision: number
  readonly type: string
  readonly data: unknown
  readonly metadata: unknown
  /** ISO 8601 with milliseconds, as the store records it. */
  readonly recordedAt: string
}

/**
 * JSON with object members sorted by name (code units) and no white space:
 * the same value always gives the same bytes, whichever store held it and
 * whatever order its members came in (RFC 8785's ordering; numbers as
 * JavaScript writes them, which for the integers and short decimals of our
 * events is RFC 8785's too).
 */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`
  const record = value as Record<string, unknown>
  const members = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`)
  return `{${members.join(',')}}`
}

/** The event's canonical bytes: a JSON array of id, stream, revision, type, data, metadata and recorded time. */
export const canonicalBytes = (event: ChainedEvent): string =>
  canonicalJson([event.id, event.stream, event.revision, event.type, event.data, event.metadata, event.recordedAt])

export const eventDigest = (event: ChainedEvent): string => createHash('sha256').update(canonicalBytes(event)).digest('hex')

/** The link at a position: the previous link and the event's digest, hashed. */
export const nextLink = (previous: string, digest: string): string =>
  createHash('sha256').update(Buffer.from(previous, 'hex')).update(Buffer.from(digest, 'hex')).digest('hex')
