// The hash chain on EventStoreDB, where the server orders $all: a subscriber
// chains this engine's events in $all order, in memory, and each signed
// checkpoint is appended as an event to a stream of its own, outside the
// engine's prefix (so no projection ever reads it). Seat streams' events may
// be deleted by their retention ($maxAge, then a scavenge), so a checkpoint
// also carries the digests of the seat events it covers: the chain still
// verifies across what a scavenge removed, and nothing else may be missing.
import { BACKWARDS, END, ErrorType, EventStoreDBClient, FORWARDS, START, isCommandError, jsonEvent } from '@eventstore/db-client'
import * as E from 'fp-ts/Either'
import type { JSONWebKeySet } from 'jose'
import type { Checkpoint } from '../chain/checkpoints.js'
import type { ChainLedger } from '../chain/ledger.js'
import { eventDigest, GENESIS_LINK, nextLink, type ChainedEvent } from '../chain/links.js'
import { verifyChain, type ChainEntry, type Problem, type Verified } from '../chain/verify.js'
import type { Config } from '../config.js'
import { DEFAULT_STORE_CONFIG } from '../config.js'
import { backoff, pause } from './backoff.js'
import { createEventStoreDbEventStore } from './eventstoredb.js'
import type { EventStore, RecordedEvent } from './port.js'

/** The checkpoints' stream: named after the prefix, but not under it. */
export const checkpointStream = (prefix: string): string => `log-checkpoints@${prefix}`

/** Streams whose events a retention may delete (the seats' liveness records). */
const trimmable = (stream: string): boolean => stream.startsWith('seat-')

interface TrimmableDigest {
  readonly position: string
  readonly stream: string
  readonly revision: number
  readonly digest: string
}

interface CheckpointData {
  readonly position: string
  readonly link: string
  readonly signedAt: string
  readonly jws: string
  readonly events: number
  readonly trimmable: readonly TrimmableDigest[]
}

export const chainedOfRecorded = (event: RecordedEvent): ChainedEvent => ({
  id: event.id,
  stream: event.streamName,
  revision: event.revision,
  type: event.type,
  data: event.data,
  metadata: event.metadata,
  recordedAt: event.recordedAt.toISOString(),
})

type Client = Pick<EventStoreDBClient, 'appendToStream' | 'readStream'>

const readCheckpoints = async (client: Client, stream: string, backwardsOne: boolean): Promise<CheckpointData[]> => {
  const found: CheckpointData[] = []
  try {
    const read = client.readStream(stream, {
      direction: backwardsOne ? BACKWARDS : FORWARDS,
      fromRevision: backwardsOne ? END : START,
      ...(backwardsOne ? { maxCount: 1 } : {}),
    })
    for await (const resolved of read) if (resolved.event !== undefined) found.push(resolved.event.data as unknown as CheckpointData)
  } catch (error) {
    if (error instanceof Error && isCommandError(error) && error.type === ErrorType.STREAM_NOT_FOUND) return []
    throw error
  }
  return found
}

const checkpointOf = (data: CheckpointData): Checkpoint => ({ position: BigInt(data.position), link: data.link, signedAt: data.signedAt, jws: data.jws })

/**
 * Chains $all as the engine's subscription sees it, from the last checkpoint
 * on; `start` before use. A subscription that fails (an event that cannot be
 * read, a drop the store below did not heal) is made again from the chain's
 * tip after a growing pause, as the store's other subscribers' are
 * (healing.ts), and `health` says so meanwhile: checkpoints stop while it is
 * down, and /healthz must show why.
 */
export const createEventStoreDbChainLedger = (deps: {
  readonly store: EventStore
  readonly client: Client
  readonly prefix: string
  /** Each failure of the subscription, before the pause (for the log). */
  readonly onDrop?: (error: unknown, attempt: number, pauseMs: number) => void
  readonly firstPauseMs?: number
  readonly maxPauseMs?: number
  readonly clock?: () => Date
}): ChainLedger & { readonly start: () => Promise<void> } => {
  const stream = checkpointStream(deps.prefix)
  const firstPauseMs = deps.firstPauseMs ?? 100
  const maxPauseMs = deps.maxPauseMs ?? 30_000
  const clock = deps.clock ?? (() => new Date())
  let last: CheckpointData | null = null
  let tip: { position: bigint; link: string } | null = null
  // The positions chained after the last checkpoint: a checkpoint covers those up to its own position only
  // (the chain may have moved on while it was signed), and the rest still count towards the next one.
  let unsigned: bigint[] = []
  let pending: TrimmableDigest[] = []
  let subscription: ReturnType<EventStore['subscribeToAll']> | null = null
  let loop: Promise<void> = Promise.resolve()
  // Since when the subscription is down, why, and the attempts to make it again since; null while it follows the log.
  let down: { readonly since: Date; readonly error: string; readonly attempts: number } | null = null
  const stopping = new AbortController()

  const chain = (event: RecordedEvent): void => {
    const chained = chainedOfRecorded(event)
    const digest = eventDigest(chained)
    tip = { position: event.position, link: nextLink(tip?.link ?? GENESIS_LINK, digest) }
    unsigned.push(event.position)
    if (trimmable(chained.stream)) pending.push({ position: event.position.toString(), stream: chained.stream, revision: chained.revision, digest })
  }

  /** Follows $all from the tip, subscribing again after each failure, until closed. */
  const follow = async (): Promise<void> => {
    for (let attempt = 1; !stopping.signal.aborted; attempt += 1) {
      const from = tip?.position
      const sub = deps.store.subscribeToAll({ ...(from === undefined ? {} : { from }), name: 'log chain' })
      subscription = sub
      // Up once the store says so (EventStoreDB confirms), or at once where it has nothing to say.
      void (sub.confirmed ?? Promise.resolve()).then(() => {
        if (subscription === sub && !stopping.signal.aborted) down = null
      })
      try {
        for await (const event of sub) {
          chain(event)
          down = null
          attempt = 1
        }
        if (stopping.signal.aborted) return
        throw new Error('the subscription ended by itself')
      } catch (error) {
        if (stopping.signal.aborted) return
        const wait = backoff(attempt, firstPauseMs, maxPauseMs)
        down = { since: down?.since ?? clock(), error: error instanceof Error ? error.message : String(error), attempts: attempt }
        deps.onDrop?.(error, attempt, wait)
        await sub.close().catch(() => {})
        await pause(wait, stopping.signal)
      }
    }
  }

  const start = async (): Promise<void> => {
    ;[last = null] = await readCheckpoints(deps.client, stream, true)
    tip = last === null ? null : { position: BigInt(last.position), link: last.link }
    loop = follow()
  }

  return {
    start,
    health: () =>
      down === null
        ? { ok: true, detail: `following the log at position ${tip?.position ?? 'start'}` }
        : {
            ok: false,
            detail: `the log chain's subscription is down since ${down.since.toISOString()} (${down.attempts} attempts to resubscribe; last error: ${down.error}); resuming after ${tip?.position ?? 'the start'}`,
          },
    tip: async () => (tip === null ? null : { ...tip, sinceCheckpoint: unsigned.length, lastCheckpoint: last === null ? null : checkpointOf(last) }),
    put: async (checkpoint) => {
      if (last !== null && BigInt(last.position) >= checkpoint.position) return
      const covered = pending.filter((entry) => BigInt(entry.position) <= checkpoint.position)
      const events = unsigned.filter((position) => position <= checkpoint.position).length
      const data: CheckpointData = {
        position: checkpoint.position.toString(),
        link: checkpoint.link,
        signedAt: checkpoint.signedAt,
        jws: checkpoint.jws,
        events,
        trimmable: covered,
      }
      await deps.client.appendToStream(stream, jsonEvent({ type: 'LogCheckpointSigned', data: data as never }))
      pending = pending.slice(covered.length)
      unsigned = unsigned.slice(events)
      last = data
    },
    checkpoints: async () => (await readCheckpoints(deps.client, stream, false)).map(checkpointOf),
    read: async () => {
      const data = await readCheckpoints(deps.client, stream, false)
      return { checkpoints: data.map(checkpointOf), entries: entriesOf(deps.store, data), close: () => undefined }
    },
    close: async () => {
      stopping.abort()
      await subscription?.close()
      await loop
    },
  }
}

/** The log on EventStoreDB, read forwards, with the digests its checkpoints kept of events a scavenge may have removed. */
async function* entriesOf(store: EventStore, checkpoints: readonly CheckpointData[]): AsyncGenerator<ChainEntry> {
  const kept = checkpoints.flatMap((checkpoint) => checkpoint.trimmable)
  let k = 0
  let from: bigint | undefined
  for (;;) {
    const page = await store.readAll({ ...(from === undefined ? {} : { from }), maxCount: 1_000 })
    for (const event of page) {
      while (k < kept.length && BigInt(kept[k]!.position) < event.position) {
        const gone = kept[k++]!
        yield { kind: 'trimmed', position: BigInt(gone.position), stream: gone.stream, revision: gone.revision, digest: gone.digest, link: null }
      }
      const digest = k < kept.length && BigInt(kept[k]!.position) === event.position ? kept[k++]!.digest : null
      yield { kind: 'event', position: event.position, event: chainedOfRecorded(event), digest, link: null }
    }
    if (page.length === 0) break
    from = page[page.length - 1]!.position
  }
  for (; k < kept.length; k += 1) {
    const gone = kept[k]!
    yield { kind: 'trimmed', position: BigInt(gone.position), stream: gone.stream, revision: gone.revision, digest: gone.digest, link: null }
  }
}

/** verify-log on EventStoreDB: $all recomputed against every checkpoint of the checkpoints' stream. */
export const verifyEventStoreDbChain = async (
  config: Config,
  jwks: JSONWebKeySet,
  onProgress: (entries: number, position: bigint) => void,
): Promise<E.Either<Problem, Verified>> => {
  const settings = config.store ?? DEFAULT_STORE_CONFIG
  const client = EventStoreDBClient.connectionString(config.eventStoreConnectionString!)
  const store = createEventStoreDbEventStore({ client, streams: { prefix: settings.streamPrefix, legacy: settings.legacyStreamNames } })
  try {
    const checkpoints = await readCheckpoints(client, checkpointStream(settings.streamPrefix), false)
    return await verifyChain(entriesOf(store, checkpoints), checkpoints.map(checkpointOf), { jwks, onProgress })
  } finally {
    await store.close()
  }
}

export { entriesOf as eventStoreDbChainEntries, readCheckpoints as readEventStoreDbCheckpoints }
