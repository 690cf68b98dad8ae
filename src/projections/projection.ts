// A projection folds events into read-model tables. `open` creates its tables
// when missing and prepares its statements once; what it returns starts its
// work in one transaction of the runner: `apply` folds events in log order
// (in as many calls as they are read), `flush` writes what it held back, and
// the runner commits both with the checkpoint, so a read model and its
// checkpoint never disagree. Holding back, a projection reads each row it
// folds once per transaction and writes it once, however many events touch it.
import type Database from 'better-sqlite3'
import type { EventMetadata } from '../application/metadata.js'
import type { DomainEvent } from '../domain/events.js'
import type { EventSchemas } from '../domain/versioning.js'
import type { RecordedEvent } from '../store/port.js'

export interface Envelope {
  readonly event: DomainEvent
  readonly metadata: EventMetadata
  readonly recorded: RecordedEvent
}

/** A projection's work in one transaction. */
export interface Batch {
  /** Folds events, in log order. */
  readonly apply: (events: readonly Envelope[]) => void
  /** Writes what `apply` held back; once, before the transaction commits. */
  readonly flush: () => void
}

export interface Projection {
  readonly name: string
  /** Creates its tables when missing and prepares its statements; returns what starts its work in a transaction. */
  readonly open: (db: Database.Database) => () => Batch
  /**
   * Its secondary indexes (`CREATE INDEX IF NOT EXISTS ...`), which nothing
   * applying events reads. A read store built from the start of the log gets
   * them once it has caught up: sorting a finished table once costs far less
   * than keeping an index in order row by row. See batch.ts.
   */
  readonly indexes?: readonly string[]
}

/** A projection that writes as it goes, one event at a time, and holds nothing back. */
export const eachEvent =
  (apply: (envelope: Envelope) => void) =>
  (): Batch => ({
    apply: (events) => {
      for (const envelope of events) apply(envelope)
    },
    flush: () => undefined,
  })

/** Applies events as one batch of their own: `apply`, then `flush`. */
export const applyEvents = (begin: () => Batch, events: readonly Envelope[]): void => {
  const batch = begin()
  batch.apply(events)
  batch.flush()
}

/**
 * Whether a decoded event is one of an aggregate's, by its type's name: it
 * has been decoded already, so its name says it (the codec's own `is` would
 * check every field again, for every event and projection).
 */
export const eventsOf = <T extends DomainEvent['type']>(schemas: EventSchemas<T>) => {
  const types: ReadonlySet<string> = new Set(Object.keys(schemas.versions))
  return (event: DomainEvent): event is Extract<DomainEvent, { readonly type: T }> => types.has(event.type)
}

/** One JSON state per key: the read models that keep an aggregate's own fold. */
export const jsonRows = <S>(db: Database.Database, table: string, keyColumn: string) => {
  const select = db.prepare(`SELECT state FROM ${table} WHERE ${keyColumn} = ?`)
  return (key: string | number): S | null => {
    const row = select.get(key) as { state: string } | undefined
    return row === undefined ? null : (JSON.parse(row.state) as S)
  }
}

/**
 * The states one batch folds, each read once (through `read`) and kept in
 * memory for the batch: a row that many of the batch's events touch costs one
 * read and, listed by `changed` for the projection to write, one write.
 * Made anew for every batch, so nothing outlives its transaction.
 */
export const batchStates = <K, S>(read: (key: K) => S) => {
  const states = new Map<K, S>()
  const changed = new Set<K>()
  return {
    get: (key: K): S => {
      if (states.has(key)) return states.get(key)!
      const state = read(key)
      states.set(key, state)
      return state
    },
    set: (key: K, state: S): void => {
      states.set(key, state)
      changed.add(key)
    },
    changed: (): (readonly [K, S])[] => [...changed].map((key) => [key, states.get(key)!] as const),
  }
}
