// Command handling, one path for every aggregate: load the stream (from a
// cache that catches up on the stream's tail; a cold load from the stream's
// snapshot and the events after it), decide the command with the
// aggregate's decider at the handler's `now`, append with the expected
// version, and decide again on the new state a bounded number of times when
// another process appended first. Commands on one stream take turns; the
// commands that queued while a turn's append was being made durable are the
// next turn, decided one after another and appended together, so a busy stream
// (one license's grants and releases) costs one commit per turn, not one per
// command. Work on one request goes through a session
// (session.ts), which reads each stream at most once. The cache follows the
// log (`follow`, fed by cache-follower.ts): every event of a cached stream
// that this node's subscription reads is folded into the cached state, so an
// answer from the cache (a heartbeat that needs no renewal) is never older
// than what the node has read of the log.
import * as E from 'fp-ts/Either'
import type * as RNEA from 'fp-ts/ReadonlyNonEmptyArray'
import { v4 as uuid } from 'uuid'
import { decideAll, type TimeContext } from '../domain/decider.js'
import type { DomainEvent } from '../domain/events.js'
import { ExpectedVersion, type EventStore, type NewEvent, type Position, type RecordedEvent } from '../store/port.js'
import type { Aggregate, StreamType } from './aggregate.js'
import { keepNewest } from './bounded-map.js'
import { decodeRecorded, EventDecodeError, encodeEvent } from './event-codec.js'
import { createKeyedLock } from './keyed-lock.js'
import type { CommandMeta } from './metadata.js'
import { createSession, type Session } from './session.js'
import { noSnapshots, type Snapshots } from './snapshots.js'

export interface Loaded<State> {
  readonly state: State
  /** Revision of the stream's last event; null when the stream does not exist. */
  readonly revision: number | null
}

export interface Handled<State, Event> extends Loaded<State> {
  readonly events: readonly Event[]
  /** Global position of the last appended event; null when nothing was appended. */
  readonly position: Position | null
  /** The moment the command was decided at: what the reply judges liveness and counts at. */
  readonly now: Date
}

export type ConcurrencyConflict = { readonly _tag: 'ConcurrencyConflict'; readonly streamName: string; readonly attempts: number }

/** One command, or several decided in turn on one stream and appended together. */
export type Commands<Command> = Command | RNEA.ReadonlyNonEmptyArray<Command>

/** What a decision needs besides the state, less the `now` the handler supplies from its clock. */
export type ContextOf<Context extends TimeContext> = Omit<Context, 'now'>

export type Handle = <Command, State, Event extends DomainEvent, Error, Context extends TimeContext>(
  aggregate: Aggregate<Command, State, Event, Error, Context>,
  command: Commands<Command>,
  context: ContextOf<Context>,
  meta: CommandMeta,
) => Promise<E.Either<Error | ConcurrencyConflict, Handled<State, Event>>>

export type Load = <State, Event extends DomainEvent>(type: StreamType<State, Event>, streamName: string) => Promise<Loaded<State>>

export interface CommandHandler {
  /** A unit of work (one request): each stream it needs is read once, and its commands start from what it read. */
  readonly session: () => Session
  /** Loads a stream's current state (reads its tail), in a session of its own. */
  readonly load: Load
  /** Handles a command in a session of its own. */
  readonly handle: Handle
  /** The furthest global position this process has appended at (for read-your-writes waits). */
  readonly lastAppended: () => Position | null
  /**
   * Folds an event the node's subscription read into the cached state of its
   * stream, if the cache holds it: skipped when the cache has it already (this
   * process appended or read it), the entry dropped when it cannot be folded
   * (an event missing before it, or one that is not the stream's), so the next
   * load reads the stream again.
   */
  readonly follow: (recorded: RecordedEvent) => void
  /**
   * The cache is followed by a subscription, whose run `run()` says: null
   * while it is down (a drop, until it heals) or failed, else a number that
   * changes each time it resubscribes after a drop. From now on a cached state
   * is answered without a read only while it is up, and the cache is emptied
   * when the run changes: what was cached before a drop may have missed events
   * the subscription has not caught up on yet.
   */
  readonly followedBy: (run: () => number | null) => void
}

/** What a session builds on: the process's cache, and handling from a state the session has. */
export interface HandlerCore {
  readonly load: Load
  /** Whether the cache follows the log now (see `followedBy`): a peek may answer from it without a read. */
  readonly following: () => boolean
  /** The process's cached state of the stream, if it has one. */
  readonly cached: <State, Event extends DomainEvent>(type: StreamType<State, Event>, streamName: string) => Loaded<State> | null
  /** `handle`, starting from `start` (what the session has) unless the process has seen the stream further. */
  readonly handleFrom: <Command, State, Event extends DomainEvent, Error, Context extends TimeContext>(
    aggregate: Aggregate<Command, State, Event, Error, Context>,
    command: Commands<Command>,
    context: ContextOf<Context>,
    meta: CommandMeta,
    start: () => Loaded<State> | null,
  ) => Promise<E.Either<Error | ConcurrencyConflict, Handled<State, Event>>>
}

export interface CommandHandlerOptions {
  readonly store: EventStore
  readonly clock: () => Date
  readonly maxAttempts?: number
  readonly cacheSize?: number
  readonly newId?: () => string
  /** Snapshots of long streams, for cold loads; absent: a cold load folds the whole stream. */
  readonly snapshots?: Snapshots
}

interface Cached {
  /** The stream's type: what `follow` folds the log's events with. */
  readonly type: StreamType<unknown, DomainEvent>
  readonly state: unknown
  readonly revision: number | null
  /** Id of the event at `revision`: what a snapshot of the state is tied to. */
  readonly eventId: string | null
  /** Revision of the stream's last snapshot, taken or loaded; null: none. */
  readonly snapshotAt: number | null
}

const listOf = <Command>(command: Commands<Command>): RNEA.ReadonlyNonEmptyArray<Command> =>
  (Array.isArray(command) ? command : [command]) as unknown as RNEA.ReadonlyNonEmptyArray<Command>

/** A command waiting for its stream's turn (handleFrom), and how to answer it. */
interface Waiting {
  readonly aggregate: Aggregate<unknown, unknown, DomainEvent, unknown, TimeContext>
  readonly commands: RNEA.ReadonlyNonEmptyArray<unknown>
  readonly context: unknown
  readonly meta: CommandMeta
  readonly start: () => Loaded<unknown> | null
  readonly done: (outcome: E.Either<unknown, Handled<unknown, DomainEvent>>) => void
  readonly failed: (error: unknown) => void
}

/** What a turn decided for one waiting command: its state and events after it, a refusal, or an exception. */
type Outcome =
  | { readonly _tag: 'Decided'; readonly state: unknown; readonly revision: number | null; readonly events: readonly DomainEvent[] }
  | { readonly _tag: 'Refused'; readonly refusal: E.Left<unknown> }
  | { readonly _tag: 'Threw'; readonly error: unknown }

/** The stream a command (or the first of several) is decided on. */
export const streamOfCommand = <Command>(aggregate: { readonly streamOf: (command: Command) => string }, command: Commands<Command>): string =>
  aggregate.streamOf(listOf(command)[0])

/** The recorded event as one of the stream type's; an EventDecodeError when it is not one. */
const eventOfType = <State, Event extends DomainEvent>(type: StreamType<State, Event>, recorded: RecordedEvent): Event => {
  const { event } = decodeRecorded(recorded)
  if (!type.events.is(event)) throw new EventDecodeError(recorded, `not an event of the ${type.name} aggregate`)
  return event
}

/** The same, or null: for following the log, where an event that cannot be folded drops the cached state instead. */
const foldable = <State, Event extends DomainEvent>(type: StreamType<State, Event>, recorded: RecordedEvent): Event | null => {
  try {
    return eventOfType(type, recorded)
  } catch {
    return null
  }
}

/** Revision as a number, -1 for a stream that does not exist. */
const at = (revision: number | null): number => revision ?? -1

const later = <State>(a: Loaded<State>, b: Loaded<State> | null): Loaded<State> => (b !== null && at(b.revision) > at(a.revision) ? b : a)

/** Attempts at a decision (the first and its retries after conflicts) before it is refused as ConcurrencyConflict. */
export const DEFAULT_MAX_ATTEMPTS = 20

/** The pause before attempt n + 1: random (so that racing nodes fall apart), up to 2^n ms and never more than 50 ms. */
/**
 * At most this many commands decided in one turn, one append: a license's clients reconnecting at once after an
 * outage must not make one append larger than a store takes (EventStoreDB refuses appends over its maximum size,
 * 1 MiB by default; a seat's events are well under a kilobyte each with their metadata).
 */
export const MAX_TURN = 100

const pauseBefore = (attempt: number): number => Math.random() * Math.min(50, 2 ** attempt)

export const createCommandHandler = (options: CommandHandlerOptions): CommandHandler => {
  const { store, clock } = options
  // Other nodes appending to the stream make the conflicts: a node that just won appends its next queued command at
  // once from its cache, while a loser pauses and reads the tail, so a loser may lose several times in a row. With
  // three nodes and 20 requests each racing on one order, 10 attempts left about one request in 150 a 409; 20 left
  // none in 1,800, for at most about 0.8 s of pauses in all.
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS
  const cacheSize = options.cacheSize ?? 10_000
  const newId = options.newId ?? uuid
  const snapshots = options.snapshots ?? noSnapshots
  const lock = createKeyedLock()
  const cache = new Map<string, Cached>()
  let lastPosition: Position | null = null
  let followedRun = (): number | null => 0
  let lastRun = 0
  /** Whether a peek may answer from the cache now (see `followedBy`). */
  const following = (): boolean => {
    const run = followedRun()
    if (run === null) return false
    if (run !== lastRun) {
      lastRun = run
      cache.clear()
    }
    return true
  }

  // Streams being loaded or decided on, and the furthest revision `follow` saw of each meanwhile: a state read
  // before the subscription passed a later event must not be cached, or the cache would be behind the subscription.
  const inFlight = new Map<string, { count: number; seen: number }>()
  /** Runs `work` on the stream, and says the furthest revision `follow` saw of the stream meanwhile (-1: none). */
  const watching = async <A>(streamName: string, work: () => Promise<A>): Promise<{ readonly result: A; readonly seen: number }> => {
    const watched = inFlight.get(streamName) ?? { count: 0, seen: -1 }
    watched.count += 1
    inFlight.set(streamName, watched)
    try {
      return { result: await work(), seen: watched.seen }
    } finally {
      watched.count -= 1
      if (watched.count === 0) inFlight.delete(streamName)
    }
  }

  /** The entry with its snapshot taken when one is due. */
  const withSnapshot = (streamName: string, entry: Cached): Cached => {
    const { type, state, revision, eventId } = entry
    return revision === null || eventId === null ? entry : { ...entry, snapshotAt: snapshots.keep(type, streamName, { state, revision, eventId }, entry.snapshotAt) }
  }

  /**
   * Keeps the stream's state in the cache (and a snapshot of it when one is due), unless the cache or the
   * subscription has seen the stream further (`seen`): the cache never goes back.
   */
  const remember = (streamName: string, entry: Cached, seen: number): void => {
    const current = cache.get(streamName)
    if (seen > at(entry.revision) || (current !== undefined && at(current.revision) > at(entry.revision))) return
    keepNewest(cache, streamName, withSnapshot(streamName, entry), cacheSize)
  }

  const follow = (recorded: RecordedEvent): void => {
    const { streamName, revision } = recorded
    const watched = inFlight.get(streamName)
    if (watched !== undefined && revision > watched.seen) watched.seen = revision
    const entry = cache.get(streamName)
    if (entry === undefined || revision <= at(entry.revision)) return
    const event = revision === at(entry.revision) + 1 ? foldable(entry.type, recorded) : null
    // A gap (the cache missed an event) or an event that cannot be folded: the next load reads the stream
    // (and fails loudly, if it is a stored event of ours that does not decode).
    if (event === null) {
      cache.delete(streamName)
      return
    }
    // Set in place: following the log does not make a stream recently used.
    cache.set(streamName, withSnapshot(streamName, { ...entry, state: entry.type.decider.evolve(entry.state, event), revision, eventId: recorded.id }))
  }

  const cached: HandlerCore['cached'] = (type, streamName) => {
    const entry = cache.get(streamName)
    return entry !== undefined && entry.type.name === type.name ? { state: entry.state as Parameters<typeof type.decider.evolve>[0], revision: entry.revision } : null
  }

  /** Where a load starts, and the events after it: the cache and the tail it has not seen (another process may have appended), else a cold start. */
  const startOf = async <State, Event extends DomainEvent>(type: StreamType<State, Event>, streamName: string): Promise<{ readonly start: Cached; readonly tail: readonly RecordedEvent[] }> => {
    const entry = cache.get(streamName)
    if (entry !== undefined && entry.type.name === type.name) {
      return { start: entry, tail: await store.readStream(streamName, { fromRevision: (entry.revision ?? -1) + 1 }) }
    }
    const { from, events } = await snapshots.coldStart(type, streamName, (fromRevision) => store.readStream(streamName, { fromRevision }))
    const start = from === null ? { state: type.decider.initialState, revision: null, eventId: null } : from
    return { start: { type: type as StreamType<unknown, DomainEvent>, ...start, snapshotAt: from?.revision ?? null }, tail: events }
  }

  const load: Load = async (type, streamName) => {
    const { result: loaded, seen } = await watching(streamName, () => startOf(type, streamName))
    const { start, tail } = loaded
    let state = start.state as Parameters<typeof type.decider.evolve>[0]
    let { revision, eventId } = start
    for (const recorded of tail) {
      state = type.decider.evolve(state, eventOfType(type, recorded))
      revision = recorded.revision
      eventId = recorded.id
    }
    if (tail.length > 0 || cache.get(streamName) !== start) remember(streamName, { ...start, state, revision, eventId }, seen)
    return { state, revision }
  }

  const pause = (attempt: number): Promise<void> =>
    new Promise((resolve) => setTimeout(resolve, pauseBefore(attempt)))

  /**
   * Decides the commands waiting on one stream (of one stream type) in turn, each on the state the one before
   * left, and appends all their events at once: one append, and one commit, for every request that queued on the
   * stream while the last append was being made durable. A decision is answered only once the append holding it
   * is durable; when another process appended first, all of them are decided again on the new state.
   */
  const decideInTurn = async (streamName: string, batch: readonly Waiting[]): Promise<void> => {
    const type = batch[0]!.aggregate
    const outcomes: Array<Outcome | null> = batch.map(() => null)
    // What the sessions read, or what this process wrote since (no conflict with our own writes), whichever is
    // further; a stream a session has not read is loaded, catching up on what other processes appended.
    const knowns = batch.map((waiting) => waiting.start())
    const latest = knowns.reduce<Loaded<unknown> | null>((a, b) => (a === null ? b : later(a, b)), cached(type, streamName))
    let current = knowns.includes(null) || latest === null ? await load(type, streamName) : latest
    for (let attempt = 1; ; attempt += 1) {
      const now = clock()
      let { state, revision } = current
      const encoded: NewEvent[] = []
      batch.forEach((waiting, i) => {
        const { aggregate, commands, context, meta } = waiting
        try {
          const decide = decideAll(aggregate.decider)
          // The revision decided on goes to every decision; the order's records it with a denial (UsageContext).
          const decision = decide(commands, state, { ...(context as object), now, revision } as unknown as Parameters<typeof decide>[2])
          if (E.isLeft(decision)) {
            outcomes[i] = { _tag: 'Refused', refusal: decision }
            return
          }
          const events = decision.right
          const after = events.reduce(aggregate.decider.evolve, state)
          for (const event of events) encoded.push(encodeEvent(event, meta, newId()))
          state = after
          if (events.length > 0) revision = at(revision) + events.length
          outcomes[i] = { _tag: 'Decided', state, revision, events }
        } catch (error) {
          outcomes[i] = { _tag: 'Threw', error }
        }
      })
      const answer = (position: Position | null): void =>
        batch.forEach((waiting, i) => {
          const outcome = outcomes[i]!
          if (outcome._tag === 'Threw') waiting.failed(outcome.error)
          else if (outcome._tag === 'Refused') waiting.done(outcome.refusal)
          else waiting.done(E.right({ state: outcome.state, revision: outcome.revision, events: outcome.events, position: outcome.events.length === 0 ? null : position, now }))
        })
      if (encoded.length === 0) return answer(null)

      const expected = ExpectedVersion.after(current.revision)
      let attempted: { readonly result: Awaited<ReturnType<EventStore['appendToStream']>>; readonly seen: number }
      try {
        attempted = await watching(streamName, () => store.appendToStream(streamName, encoded, expected))
      } catch (error) {
        // The append held the events of the decisions that wrote; its failure is theirs. A decision that wrote
        // nothing (a refusal, a no-op) needed no append, but it was made on a state that counted the failed
        // events (a seat refused because an earlier grant of the turn took the last place): it is decided again
        // alone, on what the stream holds, as it would have been without the turn.
        const alone: Waiting[] = []
        batch.forEach((waiting, i) => {
          const outcome = outcomes[i]!
          if (outcome._tag === 'Threw') waiting.failed(outcome.error)
          else if (outcome._tag === 'Decided' && outcome.events.length > 0) waiting.failed(error)
          else alone.push(waiting)
        })
        for (const waiting of alone) await decideInTurn(streamName, [waiting]).catch((failure: unknown) => waiting.failed(failure))
        return
      }
      const { result: appended, seen } = attempted
      if (E.isRight(appended)) {
        // Every decision's events are in this one append: its position (the last event's) is a safe read-your-writes
        // mark for each of them.
        const { nextRevision, position } = appended.right
        const snapshotAt = cache.get(streamName)?.snapshotAt ?? null
        remember(streamName, { type: type as unknown as StreamType<unknown, DomainEvent>, state, revision: nextRevision, eventId: encoded.at(-1)!.id, snapshotAt }, seen)
        if (lastPosition === null || position > lastPosition) lastPosition = position
        return answer(position)
      }
      // Another process appended first: decide again on the new state. The cached state is still the fold of the
      // stream up to its revision (the follower may have moved it on meanwhile), so only the tail after it is read.
      if (attempt >= maxAttempts) {
        for (const waiting of batch) waiting.done(E.left({ _tag: 'ConcurrencyConflict', streamName, attempts: attempt }))
        return
      }
      await pause(attempt)
      current = await load(type, streamName)
    }
  }

  /** Commands waiting for their stream's turn: the next turn decides all of them (decideInTurn). */
  const waiting = new Map<string, Waiting[]>()

  const handleFrom: HandlerCore['handleFrom'] = (aggregate, command, context, meta, start) =>
    new Promise((done, failed) => {
      const streamName = streamOfCommand(aggregate, command)
      const entry: Waiting = {
        aggregate: aggregate as unknown as Waiting['aggregate'],
        commands: listOf(command),
        context,
        meta,
        start: start as Waiting['start'],
        done: done as Waiting['done'],
        failed,
      }
      const queued = waiting.get(streamName)
      if (queued !== undefined) {
        queued.push(entry)
        return
      }
      waiting.set(streamName, [entry])
      void lock.run(streamName, async () => {
        const all = waiting.get(streamName) ?? []
        waiting.delete(streamName)
        // In turns of one stream type each (several aggregates may decide on one stream, sharing its fold).
        for (let from = 0; from < all.length; ) {
          let to = from + 1
          while (to < all.length && to - from < MAX_TURN && all[to]!.aggregate.name === all[from]!.aggregate.name) to += 1
          const turn = all.slice(from, to)
          await decideInTurn(streamName, turn).catch((error: unknown) => {
            for (const w of turn) w.failed(error)
          })
          from = to
        }
      })
    })

  const core: HandlerCore = { load, following, cached, handleFrom }
  const session = (): Session => createSession(core)

  return {
    session,
    load,
    handle: (aggregate, command, context, meta) => session().handle(aggregate, command, context, meta),
    lastAppended: () => lastPosition,
    follow,
    followedBy: (run) => {
      followedRun = run
      lastRun = run() ?? 0
    },
  }
}
