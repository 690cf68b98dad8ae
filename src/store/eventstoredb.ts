// The event store port on EventStoreDB / KurrentDB (gRPC client 6.x): for
// production clusters. The port's stream names are logical and carry the
// engine's prefix on the server (namespace.ts); the global log is $all as far
// as it holds the engine's streams, filtered by the server; positions are
// EventStoreDB's (commit, prepare) pairs packed into one bigint.
import {
  ANY,
  BACKWARDS,
  END,
  ErrorType,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  isCommandError,
  jsonEvent,
  streamNameFilter,
  type AppendExpectedRevision,
  type CurrentRevision,
  type Position as EsdbPosition,
  type ReadPosition,
} from '@eventstore/db-client'
import * as E from 'fp-ts/Either'
import { rethrow } from './eventstoredb-errors.js'
import { streamNamespace, type StreamNamespace, type StreamNamespaceSettings } from './namespace.js'
import type {
  EventStore,
  ExpectedVersion,
  JsonValue,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  Subscription,
  WrongExpectedVersion,
} from './port.js'
import { checkRetention, UnreadableEvent } from './port.js'

/** The calls of the gRPC client this adapter makes (tests hand in a stand-in for the server). */
export type EventStoreDbClient = Pick<EventStoreDBClient, 'appendToStream' | 'readStream' | 'readAll' | 'subscribeToAll' | 'setStreamMetadata' | 'dispose'>

export type EventStoreDbOptions = (
  /** e.g. `esdb://localhost:2113?tls=false`. */
  | { readonly connectionString: string }
  | { readonly client: EventStoreDbClient }
) & {
  /** Absent: the prefix `licensing.`, no legacy names. */
  readonly streams?: StreamNamespaceSettings
}

export const DEFAULT_STREAMS: StreamNamespaceSettings = { prefix: 'licensing.', legacy: false }

const PREPARE_RANGE = 2n ** 64n

/** commit * 2^64 + prepare: both are u64 on the wire, so numeric order is (commit, prepare) order. */
export const packPosition = ({ commit, prepare }: EsdbPosition): Position => {
  if (commit < 0n || commit >= PREPARE_RANGE || prepare < 0n || prepare >= PREPARE_RANGE) {
    throw new RangeError(`not an EventStoreDB position: (${commit}, ${prepare})`)
  }
  return commit * PREPARE_RANGE + prepare
}

export const unpackPosition = (position: Position): EsdbPosition => {
  if (position < 0n || position >= PREPARE_RANGE * PREPARE_RANGE) {
    throw new RangeError(`not a packed EventStoreDB position: ${position}`)
  }
  return { commit: position / PREPARE_RANGE, prepare: position % PREPARE_RANGE }
}

/** The server-side filter of the subscription to $all: this engine's streams, by name prefix. */
export const subscriptionFilter = (namespace: StreamNamespace) => streamNameFilter({ prefixes: [...namespace.prefixes] })

/** The fields of the client's RecordedEvent that we read, for reads of a stream and of $all alike. */
interface StoredEvent {
  readonly id: string
  readonly type: string
  readonly streamId: string
  readonly revision: bigint
  readonly isJson: boolean
  readonly data: unknown
  readonly metadata: unknown
  readonly created: Date
  readonly position?: EsdbPosition | undefined
}

// The server reports "no position" as u64::MAX in both fields (events it
// cannot place, e.g. explicit transactions read through a stream); servers
// before 22.6 send none for stream reads.
const positionOf = (event: StoredEvent): Position => {
  const position = event.position
  if (position === undefined || position.commit === PREPARE_RANGE - 1n) {
    throw new UnreadableEvent(`EventStoreDB gave no log position for event ${event.id} in ${event.streamId} (server before 22.6?)`)
  }
  return packPosition(position)
}

// Every append here goes through jsonEvent with an object as metadata, which
// the client hands back already parsed; bytes mean someone else wrote the event.
const hasJsonForm = (event: StoredEvent): boolean => event.isJson && !(event.metadata instanceof Uint8Array)

/** An event of one of our streams, under that stream's logical name. */
const toRecorded = (event: StoredEvent, streamName: string): RecordedEvent => {
  if (!hasJsonForm(event)) {
    throw new UnreadableEvent(`event ${event.id} in ${event.streamId} is not JSON; this store writes only JSON events`)
  }
  return {
    id: event.id,
    type: event.type,
    data: event.data as JsonValue,
    // Empty metadata comes back as undefined; ours is never empty ("{}" at least).
    metadata: (event.metadata ?? null) as JsonValue,
    streamName,
    revision: Number(event.revision),
    position: positionOf(event),
    recordedAt: event.created,
  }
}

const eventOf = (resolved: { readonly event?: StoredEvent | undefined }): StoredEvent => {
  // Without resolveLinkTos (never set here) every read result carries its event.
  if (resolved.event === undefined) throw new Error('EventStoreDB returned a read result without an event')
  return resolved.event
}

/**
 * An event of $all as ours: under its stream's logical name, or null when the
 * stream is not ours (the server filters those out of subscriptions, reads of
 * $all filter here) or the event is the server's own (type starting with `$`,
 * links `$>` included). In a stream of ours, an event that is not JSON is an
 * error (toRecorded throws), never a silent gap.
 */
const ourEvent = (namespace: StreamNamespace, event: StoredEvent): RecordedEvent | null => {
  const streamName = namespace.logical(event.streamId)
  return streamName === null || event.type.startsWith('$') ? null : toRecorded(event, streamName)
}

const toExpectedRevision = (expected: ExpectedVersion): AppendExpectedRevision => {
  switch (expected.kind) {
    case 'any':
      return ANY
    case 'no_stream':
      return NO_STREAM
    case 'stream_exists':
      return STREAM_EXISTS
    case 'exact':
      return BigInt(expected.revision)
  }
}

// The gRPC error path of older servers reports a missing stream as revision -1.
const actualRevision = (current: CurrentRevision): number | null =>
  current === NO_STREAM || current < 0n ? null : Number(current)

const satisfies = (expected: ExpectedVersion, actual: number | null): boolean =>
  expected.kind === 'any' ||
  (expected.kind === 'no_stream' && actual === null) ||
  (expected.kind === 'stream_exists' && actual !== null) ||
  (expected.kind === 'exact' && actual === expected.revision)

export const createEventStoreDbEventStore = (options: EventStoreDbOptions): EventStore => {
  const client = 'client' in options ? options.client : EventStoreDBClient.connectionString(options.connectionString)
  const namespace = streamNamespace(options.streams ?? DEFAULT_STREAMS)
  const filter = subscriptionFilter(namespace)
  const subscriptions = new Set<Subscription>()
  let closed = false

  const conflict = (streamName: string, expected: ExpectedVersion, actual: number | null) =>
    E.left<WrongExpectedVersion, never>({ _tag: 'WrongExpectedVersion', streamName, expected, actual })

  const readStream = async (streamName: string, opts: ReadStreamOptions = {}): Promise<readonly RecordedEvent[]> => {
    if (opts.maxCount !== undefined && opts.maxCount <= 0) return []
    const backwards = opts.direction === 'backwards'
    const read = () =>
      client.readStream(namespace.stored(streamName), {
        direction: backwards ? BACKWARDS : FORWARDS,
        // Stream revisions are inclusive in both directions, as the port wants.
        fromRevision: opts.fromRevision === undefined ? (backwards ? END : START) : BigInt(opts.fromRevision),
        ...(opts.maxCount === undefined ? {} : { maxCount: opts.maxCount }),
      })
    try {
      const events: RecordedEvent[] = []
      for await (const resolved of read()) events.push(toRecorded(eventOf(resolved), streamName))
      return events
    } catch (error) {
      // The client turns the server's stream-not-found read result into a
      // StreamNotFoundError thrown from the iterator; a missing stream is empty.
      if (error instanceof Error && isCommandError(error) && error.type === ErrorType.STREAM_NOT_FOUND) return []
      return rethrow(error)
    }
  }

  const lastRevision = async (streamName: string): Promise<number | null> => {
    const [last] = await readStream(streamName, { direction: 'backwards', maxCount: 1 })
    return last === undefined ? null : last.revision
  }

  /**
   * Our events of $all strictly after (forwards) or before (backwards) `from`,
   * lazily, page by page. The server's forward read includes the event at its
   * start position and its backward read excludes it; every page is cut at the
   * last position seen, so the port's exclusive bound holds either way.
   */
  async function* scanAll(direction: 'forwards' | 'backwards', from: Position | undefined, pageSize: number) {
    const forwards = direction === 'forwards'
    const readDirection = forwards ? FORWARDS : BACKWARDS
    let bound = from
    let cursor: ReadPosition = from === undefined ? (forwards ? START : END) : unpackPosition(from)
    for (;;) {
      const page: StoredEvent[] = []
      try {
        for await (const resolved of client.readAll({ direction: readDirection, fromPosition: cursor, maxCount: pageSize })) {
          page.push(eventOf(resolved))
        }
      } catch (error) {
        rethrow(error)
      }
      for (const event of page) {
        const position = positionOf(event)
        if (bound !== undefined && (forwards ? position <= bound : position >= bound)) continue
        bound = position
        const ours = ourEvent(namespace, event)
        if (ours !== null) yield ours
      }
      const last = page[page.length - 1]
      if (page.length < pageSize || last?.position === undefined) return
      cursor = last.position
    }
  }

  const readAll = async (opts: ReadAllOptions): Promise<readonly RecordedEvent[]> => {
    if (opts.maxCount <= 0) return []
    // One more than asked, for the boundary event a forward page repeats.
    const pageSize = Math.min(Math.max(opts.maxCount + 1, 64), 1024)
    const events: RecordedEvent[] = []
    for await (const event of scanAll(opts.direction ?? 'forwards', opts.from, pageSize)) {
      events.push(event)
      if (events.length >= opts.maxCount) break
    }
    return events
  }

  const headPosition = async (): Promise<Position | null> => {
    const [last] = await readAll({ direction: 'backwards', maxCount: 1 })
    return last?.position ?? null
  }

  const appendToStream: EventStore['appendToStream'] = async (streamName, events, expected) => {
    if (closed) throw new Error('event store is closed')
    if (events.length === 0) {
      // Nothing to write, so checking the expectation here is as good as the
      // server's check; and the client cannot report a missing stream's revision
      // for an empty append (it reads as 0).
      const actual = await lastRevision(streamName)
      if (!satisfies(expected, actual)) return conflict(streamName, expected, actual)
      return E.right({ nextRevision: actual ?? -1, position: (await headPosition()) ?? 0n })
    }
    try {
      const result = await client.appendToStream(
        namespace.stored(streamName),
        events.map((event) => jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: event.metadata })),
        { expectedRevision: toExpectedRevision(expected) },
      )
      if (!result.success) {
        // Only with throwOnAppendFailure=false in the connection string; then the
        // client's revision is not trustworthy (batch appends report 1 or -1), so ask the stream.
        return conflict(streamName, expected, await lastRevision(streamName))
      }
      if (result.position === undefined) {
        throw new Error(`EventStoreDB acknowledged the append to ${streamName} without a log position`)
      }
      // The server reports the position of the append's last event (its
      // transaction-end record), the same position a read gives that event.
      return E.right({ nextRevision: Number(result.nextExpectedRevision), position: packPosition(result.position) })
    } catch (error) {
      if (error instanceof Error && isCommandError(error) && error.type === ErrorType.WRONG_EXPECTED_VERSION) {
        return conflict(streamName, expected, actualRevision(error.actualVersion))
      }
      return rethrow(error)
    }
  }

  // The server applies $maxAge and $maxCount at once to reads of the stream, and deletes
  // what they no longer keep at its next scavenge. The metadata is replaced whole: these
  // streams carry no other. Written to `$$<stream>`, which the $all filter leaves out.
  const setStreamRetention: EventStore['setStreamRetention'] = async (streamName, retention) => {
    if (closed) throw new Error('event store is closed')
    const { maxAgeSeconds, maxCount } = checkRetention(retention)
    try {
      await client.setStreamMetadata(namespace.stored(streamName), {
        ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
        ...(maxCount === undefined ? {} : { maxCount }),
      })
    } catch (error) {
      rethrow(error)
    }
  }

  const subscribeToAll = (subscribeOptions: { readonly from?: Position } = {}): Subscription => {
    const from = subscribeOptions.from
    const source = client.subscribeToAll({
      fromPosition: from === undefined ? START : unpackPosition(from),
      filter,
    })
    // Errors reach the consumer through the iterator; this listener only keeps
    // an error on a subscription nobody iterates from crashing the process.
    source.on('error', () => {})
    const confirmed = new Promise<void>((resolve) => source.once('confirmation', () => resolve()))

    let stopped = false
    let stop: () => void = () => {}
    const whenStopped = new Promise<'stopped'>((resolve) => {
      stop = () => resolve('stopped')
    })

    // Checkpoints and caught-up notices are emitted as stream events by the
    // client, not as data, so only recorded events arrive here. The server
    // already starts strictly after `from`; cutting at the last position yielded
    // makes "after from, each once, in order" hold here instead of trusting it.
    async function* events(): AsyncGenerator<RecordedEvent> {
      const inner = source[Symbol.asyncIterator]()
      let bound = from
      while (!stopped) {
        const next = inner.next()
        next.catch(() => {}) // after close, a cancelled read may still reject
        const settled = await Promise.race([next, whenStopped])
        if (settled === 'stopped' || settled.done === true) return
        const event = eventOf(settled.value)
        const position = positionOf(event)
        if (bound !== undefined && position <= bound) continue
        bound = position
        // The server sends only our streams; this check holds the line should one send more.
        const ours = ourEvent(namespace, event)
        if (ours !== null) yield ours
      }
    }

    const iterator = events()
    const subscription: Subscription = {
      [Symbol.asyncIterator]: () => iterator,
      confirmed,
      close: async () => {
        if (stopped) return
        stopped = true
        stop()
        subscriptions.delete(subscription)
        await source.unsubscribe().catch(() => {})
        source.destroy()
        await iterator.return(undefined)
      },
    }
    subscriptions.add(subscription)
    return subscription
  }

  return {
    appendToStream,
    readStream,
    readAll,
    subscribeToAll,
    setStreamRetention,
    headPosition,
    close: async () => {
      if (closed) return
      closed = true
      await Promise.all([...subscriptions].map((subscription) => subscription.close()))
      await client.dispose()
    },
  }
}
