// Command handling: load the stream (from a cache that catches up on the
// stream's tail), decide, append with the expected version, and retry a
// bounded number of times when another process appended first.
import * as E from 'fp-ts/Either'
import { v4 as uuid } from 'uuid'
import type { DomainEvent } from '../domain/events.js'
import { ExpectedVersion, type EventStore, type Position } from '../store/port.js'
import type { AggregateType } from './aggregate.js'
import { decodeRecorded, EventDecodeError, encodeEvent } from './event-codec.js'
import { createKeyedLock } from './keyed-lock.js'
import type { CommandMeta } from './metadata.js'

export interface Loaded<State> {
  readonly state: State
  /** Revision of the stream's last event; null when the stream does not exist. */
  readonly revision: number | null
}

export interface Executed<State, Event> extends Loaded<State> {
  readonly events: readonly Event[]
  /** Global position of the last appended event; null when nothing was appended. */
  readonly position: Position | null
}

export type ConcurrencyConflict = { readonly _tag: 'ConcurrencyConflict'; readonly streamName: string; readonly attempts: number }

export interface CommandHandler {
  readonly load: <State, Event extends DomainEvent>(aggregate: AggregateType<State, Event>, streamName: string) => Promise<Loaded<State>>
  /**
   * The state this process last saw for the stream, without reading the store
   * when it has one (loads it otherwise). For answers that write nothing and
   * may be a little behind another process's writes: a heartbeat that needs no renewal.
   */
  readonly peek: <State, Event extends DomainEvent>(aggregate: AggregateType<State, Event>, streamName: string) => Promise<Loaded<State>>
  readonly execute: <State, Event extends DomainEvent, Error>(
    aggregate: AggregateType<State, Event>,
    streamName: string,
    decide: (state: State, now: Date) => E.Either<Error, readonly Event[]>,
    meta: CommandMeta,
  ) => Promise<E.Either<Error | ConcurrencyConflict, Executed<State, Event>>>
  /** The furthest global position this process has appended at (for read-your-writes waits). */
  readonly lastAppended: () => Position | null
}

export interface CommandHandlerOptions {
  readonly store: EventStore
  readonly clock: () => Date
  readonly maxAttempts?: number
  readonly cacheSize?: number
  readonly newId?: () => string
}

interface Cached {
  readonly aggregate: string
  readonly state: unknown
  readonly revision: number | null
}

export const createCommandHandler = (options: CommandHandlerOptions): CommandHandler => {
  const { store, clock } = options
  const maxAttempts = options.maxAttempts ?? 10
  const cacheSize = options.cacheSize ?? 10_000
  const newId = options.newId ?? uuid
  const lock = createKeyedLock()
  const cache = new Map<string, Cached>()
  let lastPosition: Position | null = null

  const remember = (streamName: string, entry: Cached): void => {
    cache.delete(streamName)
    cache.set(streamName, entry)
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value!)
  }

  const load = async <State, Event extends DomainEvent>(
    aggregate: AggregateType<State, Event>,
    streamName: string,
  ): Promise<Loaded<State>> => {
    const cached = cache.get(streamName)
    const start: Loaded<State> =
      cached !== undefined && cached.aggregate === aggregate.name
        ? { state: cached.state as State, revision: cached.revision }
        : { state: aggregate.initialState, revision: null }
    // Only the tail the cache has not seen: another process may have appended.
    const tail = await store.readStream(streamName, { fromRevision: start.revision === null ? 0 : start.revision + 1 })
    let { state, revision } = start
    for (const recorded of tail) {
      const { event } = decodeRecorded(recorded)
      if (!aggregate.codec.is(event)) {
        throw new EventDecodeError(recorded, `not an event of the ${aggregate.name} aggregate`)
      }
      state = aggregate.evolve(state, event)
      revision = recorded.revision
    }
    if (tail.length > 0 || cached === undefined) remember(streamName, { aggregate: aggregate.name, state, revision })
    return { state, revision }
  }

  const pause = (attempt: number): Promise<void> =>
    new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)))

  const execute: CommandHandler['execute'] = (aggregate, streamName, decide, meta) =>
    lock.run(streamName, async () => {
      for (let attempt = 1; ; attempt += 1) {
        const { state, revision } = await load(aggregate, streamName)
        const decision = decide(state, clock())
        if (E.isLeft(decision)) return decision
        const events = decision.right
        if (events.length === 0) return E.right({ state, revision, events, position: null })

        const appended = await store.appendToStream(
          streamName,
          events.map((event) => encodeEvent(event, meta, newId())),
          ExpectedVersion.after(revision),
        )
        if (E.isRight(appended)) {
          const next = events.reduce(aggregate.evolve, state)
          const { nextRevision, position } = appended.right
          remember(streamName, { aggregate: aggregate.name, state: next, revision: nextRevision })
          if (lastPosition === null || position > lastPosition) lastPosition = position
          return E.right({ state: next, revision: nextRevision, events, position })
        }
        // Another process appended first: drop what we knew and decide again on the new state.
        cache.delete(streamName)
        if (attempt >= maxAttempts) return E.left({ _tag: 'ConcurrencyConflict', streamName, attempts: attempt })
        await pause(attempt)
      }
    })

  const peek: CommandHandler['peek'] = async (aggregate, streamName) => {
    const cached = cache.get(streamName)
    if (cached !== undefined && cached.aggregate === aggregate.name) {
      return { state: cached.state as Parameters<typeof aggregate.evolve>[0], revision: cached.revision }
    }
    return load(aggregate, streamName)
  }

  return { load, peek, execute, lastAppended: () => lastPosition }
}
