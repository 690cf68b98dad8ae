// A unit of work: what one request (or one pass of a background job) reads
// and decides. It reads each stream it needs at most once and reuses the
// state for the access check, the decision and the reply; a command starts
// from the state the session has. That state may be behind another process's
// writes: the append's expected version catches it, and the handler decides
// again on the new state, so correctness never rests on the memo. It also
// records how far into the log its appends went, for read-your-writes on any
// node (the reply carries that position).
import * as E from 'fp-ts/Either'
import type { DomainEvent } from '../domain/events.js'
import { furthest, type Position } from '../store/port.js'
import type { StreamType } from './aggregate.js'
import { streamOfCommand, type Handle, type HandlerCore, type Load, type Loaded } from './command-handler.js'

export interface Session {
  /** The stream's current state, read from the store once per session. */
  readonly load: Load
  /**
   * The state this process last saw, without a read when it has one and its cache follows the log (it is then no
   * older than what the node has read of the log); a later `load` reads the tail once.
   */
  readonly peek: Load
  /**
   * Starts a stream this process has just named (a new seat's, by an id made here) from its initial state, without
   * a read: it cannot exist yet. Should it exist all the same, the append's expected version (no stream) says so
   * and the command is decided again on what the stream holds.
   */
  readonly begin: <State, Event extends DomainEvent>(type: StreamType<State, Event>, streamName: string) => void
  /** Handles a command, starting from the state this session has of its stream. */
  readonly handle: Handle
  /** The global position of the last event this session appended; null when it appended nothing. */
  readonly written: () => Position | null
}

interface Memo {
  readonly name: string
  readonly loaded: Loaded<unknown>
  /** Read from the store in this session (or written by it): a `load` needs no read. */
  readonly fresh: boolean
}

export const createSession = (core: HandlerCore): Session => {
  const memo = new Map<string, Memo>()
  let written: Position | null = null

  const known = <State, Event extends DomainEvent>(type: StreamType<State, Event>, streamName: string, freshOnly: boolean): Loaded<State> | null => {
    const entry = memo.get(streamName)
    if (entry === undefined || entry.name !== type.name || (freshOnly && !entry.fresh)) return null
    return entry.loaded as Loaded<State>
  }

  const keep = <State>(name: string, streamName: string, loaded: Loaded<State>, fresh: boolean): Loaded<State> => {
    memo.set(streamName, { name, loaded, fresh })
    return loaded
  }

  const load: Load = async (type, streamName) =>
    known(type, streamName, true) ?? keep(type.name, streamName, await core.load(type, streamName), true)

  const peek: Load = async (type, streamName) => {
    const seen = known(type, streamName, false)
    if (seen !== null) return seen
    // Only while the cache follows the log (or nothing but this process writes to it): else the tail is read.
    const cached = core.following() ? core.cached(type, streamName) : null
    return cached !== null ? keep(type.name, streamName, cached, false) : load(type, streamName)
  }

  const handle: Handle = async (aggregate, command, context, meta) => {
    const streamName = streamOfCommand(aggregate, command)
    const before = memo.get(streamName)
    const handled = await core.handleFrom(aggregate, command, context, meta, () => known(aggregate, streamName, false))
    if (E.isRight(handled)) {
      const { state, revision, position } = handled.right
      keep(aggregate.name, streamName, { state, revision }, true)
      written = furthest(written, position)
    } else {
      // A refused decision was made on the latest state the handler had: keep that for the reply.
      const latest = core.cached(aggregate, streamName)
      if (latest !== null) keep(aggregate.name, streamName, latest, before?.fresh ?? true)
    }
    return handled
  }

  const begin: Session['begin'] = (type, streamName) => {
    keep(type.name, streamName, { state: type.decider.initialState, revision: null }, false)
  }

  return { load, peek, begin, handle, written: () => written }
}
