// The event store port: the one interface through which everything above the
// store appends to and reads from the log. Adapters: sqlite.ts (embedded,
// default) and eventstoredb.ts (production clusters).
import type * as E from 'fp-ts/Either'

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue }
export type JsonObject = { readonly [key: string]: JsonValue }

/** What the writer expects the stream to look like before its append. */
export type ExpectedVersion =
  | { readonly kind: 'any' }
  | { readonly kind: 'no_stream' }
  | { readonly kind: 'stream_exists' }
  /** The revision of the stream's last event (0-based), as read by the writer. */
  | { readonly kind: 'exact'; readonly revision: number }

export const ExpectedVersion = {
  any: { kind: 'any' } as ExpectedVersion,
  noStream: { kind: 'no_stream' } as ExpectedVersion,
  streamExists: { kind: 'stream_exists' } as ExpectedVersion,
  exact: (revision: number): ExpectedVersion => ({ kind: 'exact', revision }),
  /** The expectation that matches a stream read at `revision` (null: not there yet). */
  after: (revision: number | null): ExpectedVersion =>
    revision === null ? { kind: 'no_stream' } : { kind: 'exact', revision },
}

/**
 * A global log position. Totally ordered; opaque to callers except for
 * comparison and (de)serialisation. EventStoreDB's (commit, prepare) pair is
 * packed as commit * 2^64 + prepare so the order is kept.
 */
export type Position = bigint

/** The further of two positions (null: none, before the start of the log). */
export const furthest = (a: Position | null, b: Position | null): Position | null => (a === null || (b !== null && b > a) ? b : a)

export interface NewEvent {
  readonly id: string
  readonly type: string
  readonly data: JsonObject
  readonly metadata: JsonObject
}

export interface RecordedEvent {
  readonly id: string
  readonly type: string
  readonly data: JsonValue
  readonly metadata: JsonValue
  readonly streamName: string
  /** 0-based index of the event in its stream. */
  readonly revision: number
  readonly position: Position
  readonly recordedAt: Date
}

export interface AppendResult {
  /** Revision of the last event appended. */
  readonly nextRevision: number
  /** Global position of the last event appended. */
  readonly position: Position
}

export interface WrongExpectedVersion {
  readonly _tag: 'WrongExpectedVersion'
  readonly streamName: string
  readonly expected: ExpectedVersion
  /** Revision of the stream's last event, or null when the stream does not exist. */
  readonly actual: number | null
}

export interface ReadStreamOptions {
  /** Forwards: first revision returned (default 0). Backwards: last revision returned (default: the end). */
  readonly fromRevision?: number
  readonly direction?: 'forwards' | 'backwards'
  readonly maxCount?: number
}

export interface ReadAllOptions {
  /** Forwards: events strictly after this position. Backwards: events strictly before it. Omitted: from the start (forwards) or the end (backwards). */
  readonly from?: Position
  readonly direction?: 'forwards' | 'backwards'
  readonly maxCount: number
}

/**
 * How much of a stream its store keeps: the newest `maxCount` events, the
 * events younger than `maxAgeSeconds` (by the time the store recorded them),
 * or, both given, only what both keep. Neither: everything, forever. Either
 * way the stream's revisions stay as they were: the next append expects the
 * revision of the stream's last event, kept or not, and the global log
 * positions of other events do not move.
 */
export interface StreamRetention {
  readonly maxAgeSeconds?: number
  readonly maxCount?: number
}

/** Whole numbers of at least 1; anything else is a programming error, not a business outcome. */
export const checkRetention = (retention: StreamRetention): StreamRetention => {
  for (const [name, value] of Object.entries(retention)) {
    if (value !== undefined && (!Number.isSafeInteger(value) || (value as number) < 1)) throw new RangeError(`stream retention: ${name} must be a whole number of at least 1, not ${String(value)}`)
  }
  return retention
}

export interface SubscribeOptions {
  readonly from?: Position
  /** Whose subscription it is (the read models, the mailer, ...): /healthz names it. */
  readonly name?: string
}

/** A catch-up subscription: first the events already stored after the start position, then live ones, in log order, each once. */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  readonly close: () => Promise<void>
  /** Resolves once the store has taken the subscription (EventStoreDB confirms it); absent where that is at once. Never rejects. */
  readonly confirmed?: Promise<void>
  /** True while it is down, waiting to resubscribe (a healing subscription says; absent: it never is). */
  readonly down?: () => boolean
  /** How many times it has failed so far: drops and failed attempts to resubscribe (a healing subscription counts; absent: it never does). */
  readonly drops?: () => number
}

/**
 * The store cannot answer now but may on a retry: it is unreachable, has no
 * leader, let a deadline pass, or is locked by another writer. Whether an
 * interrupted append took effect is unknown; sending it again with the same
 * event ids is safe (see `appendToStream`).
 */
export class StoreUnavailable extends Error {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options)
    this.name = 'StoreUnavailable'
  }
}

/** A stored event of ours that cannot be read back as one (not JSON, no log position): no retry can help. */
export class UnreadableEvent extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UnreadableEvent'
  }
}

export interface EventStore {
  /**
   * Appends atomically, if the stream is as expected. Idempotent as
   * EventStoreDB's append is: when the events (by id) are already in the
   * stream, where the expected version says or (any, stream_exists) anywhere,
   * nothing is written and the first append's result comes back; when only
   * some of them are, it is a WrongExpectedVersion.
   */
  readonly appendToStream: (
    streamName: string,
    events: readonly NewEvent[],
    expected: ExpectedVersion,
  ) => Promise<E.Either<WrongExpectedVersion, AppendResult>>
  /** The stream's events; an empty array when the stream does not exist. */
  readonly readStream: (streamName: string, options?: ReadStreamOptions) => Promise<readonly RecordedEvent[]>
  readonly readAll: (options: ReadAllOptions) => Promise<readonly RecordedEvent[]>
  /**
   * Catch-up subscription to the global log, starting strictly after `from`
   * (omitted: the beginning). `name` says whose it is, for health reports.
   */
  readonly subscribeToAll: (options?: SubscribeOptions) => Subscription
  /**
   * Sets how much of the stream is kept from now on (replacing what was set
   * before; `{}`: everything). Events past it are no longer read from the
   * stream; the store deletes them in its own time (EventStoreDB: `$maxAge` and
   * `$maxCount` in the stream's metadata, removed by a scavenge; SQLite: old
   * rows deleted in small batches, now and periodically). Until deleted they
   * may still be read from `$all`.
   */
  readonly setStreamRetention: (streamName: string, retention: StreamRetention) => Promise<void>
  /** Position of the last event in the log, null when it is empty. */
  readonly headPosition: () => Promise<Position | null>
  readonly close: () => Promise<void>
}

export const positionFromString = (text: string): Position | null =>
  /^\d{1,40}$/.test(text) ? BigInt(text) : null
