// Snapshots of streams' states, so that a cold load (the first after a start,
// or after the handler's cache let the stream go) reads a snapshot and the
// events after it instead of the whole stream: what it reads is bounded by
// the interval, whatever the stream's age. A snapshot is used only when it is
// of the stream's type at the type's state version, reads back, and the log
// holds, at its revision, the very event it was taken after; otherwise the
// stream is folded from the start. A snapshot decides nothing the fold would
// not: the state is the fold's, and the append's expected version still
// guards every decision.
import type { Logger } from 'pino'
import type { DomainEvent } from '../domain/events.js'
import type { RecordedEvent } from '../store/port.js'
import type { SnapshotStore, StoredSnapshot } from '../store/snapshots.js'
import type { StreamType } from './aggregate.js'

export interface Snapshot<State> {
  readonly state: State
  readonly revision: number
  /** Id of the event at `revision`. */
  readonly eventId: string
}

/** Where a cold load starts: a snapshot and the events after it, or (`from` null) every event of the stream. */
export interface ColdStart<State> {
  readonly from: Snapshot<State> | null
  readonly events: readonly RecordedEvent[]
}

export interface Snapshots {
  /** What a cold load folds; `readFrom` reads the stream from a revision on. */
  readonly coldStart: <State, Event extends DomainEvent>(
    type: StreamType<State, Event>,
    streamName: string,
    readFrom: (revision: number) => Promise<readonly RecordedEvent[]>,
  ) => Promise<ColdStart<State>>
  /**
   * Told the state after each load and append, and the revision of the
   * stream's last snapshot (null: none), takes a snapshot once `interval`
   * events or more came since, and writes it in the background. Returns the
   * revision of the stream's last snapshot.
   */
  readonly keep: <State, Event extends DomainEvent>(type: StreamType<State, Event>, streamName: string, at: Snapshot<State>, last: number | null) => number | null
  /** Writes what is pending, then closes the store. */
  readonly close: () => void
}

export const noSnapshots: Snapshots = {
  coldStart: async (_type, _streamName, readFrom) => ({ from: null, events: await readFrom(0) }),
  keep: (_type, _streamName, _at, last) => last,
  close: () => {},
}

export interface SnapshotOptions {
  readonly store: SnapshotStore
  /** Events read or appended since a stream's last snapshot that make it take the next. */
  readonly interval: number
  readonly logger: Logger
}

const FOLDING = 'folding the stream from the start'

export const createSnapshots = ({ store, interval, logger }: SnapshotOptions): Snapshots => {
  // Taken on the request's path (a state's JSON is exactly the state at its revision); written after it.
  const pending = new Map<string, StoredSnapshot>()
  let scheduled: NodeJS.Immediate | null = null

  const flush = (): void => {
    scheduled = null
    if (pending.size === 0) return
    const batch = [...pending.values()]
    pending.clear()
    try {
      store.write(batch)
    } catch (error) {
      logger.warn({ err: error, streams: batch.length }, 'could not write snapshots; cold loads of these streams read more until the next')
    }
  }

  const stored = (streamName: string): StoredSnapshot | undefined => {
    try {
      return pending.get(streamName) ?? store.read(streamName)
    } catch (error) {
      logger.warn({ err: error, stream: streamName }, `could not read the stream's snapshot; ${FOLDING}`)
      return undefined
    }
  }

  const usable = <State, Event extends DomainEvent>(type: StreamType<State, Event>, streamName: string): Snapshot<State> | null => {
    const snapshot = stored(streamName)
    if (snapshot === undefined) return null
    if (snapshot.type !== type.name || snapshot.version !== type.stateVersion) {
      logger.debug({ stream: streamName, snapshot: `${snapshot.type} v${snapshot.version}`, current: `${type.name} v${type.stateVersion}` }, `a snapshot of another state version; ${FOLDING}`)
      return null
    }
    try {
      return { state: JSON.parse(snapshot.state) as State, revision: snapshot.revision, eventId: snapshot.eventId }
    } catch (error) {
      logger.warn({ err: error, stream: streamName }, `the stream's snapshot does not read back; ${FOLDING}`)
      return null
    }
  }

  return {
    coldStart: async (type, streamName, readFrom) => {
      const snapshot = usable(type, streamName)
      if (snapshot !== null) {
        const [at, ...events] = await readFrom(snapshot.revision)
        if (at?.revision === snapshot.revision && at.id === snapshot.eventId) return { from: snapshot, events }
        logger.warn({ stream: streamName, revision: snapshot.revision }, `the log does not hold the event the snapshot was taken after; ${FOLDING}`)
      }
      return { from: null, events: await readFrom(0) }
    },
    keep: (type, streamName, at, last) => {
      if (at.revision - (last ?? -1) < Math.min(interval, type.snapshotEvery ?? interval)) return last
      const { name, stateVersion } = type
      let state: string
      try {
        state = JSON.stringify(at.state)
      } catch (error) {
        logger.warn({ err: error, stream: streamName }, 'could not take a snapshot')
        return last
      }
      pending.set(streamName, { streamName, type: name, version: stateVersion, revision: at.revision, eventId: at.eventId, state })
      scheduled ??= setImmediate(flush)
      return at.revision
    },
    close: () => {
      if (scheduled !== null) clearImmediate(scheduled)
      flush()
      store.close()
    },
  }
}
