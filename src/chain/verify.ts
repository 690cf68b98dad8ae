// Verifies a log (or an export of one) against its hash chain and signed
// checkpoints, entry by entry in position order, stopping at the first
// position that differs. Whoever reads the log (the SQLite log, EventStoreDB,
// an NDJSON export) turns it into entries; the judgement is this one.
import * as E from 'fp-ts/Either'
import type { JSONWebKeySet } from 'jose'
import { verifyCheckpoint, type Checkpoint } from './checkpoints.js'
import { eventDigest, GENESIS_LINK, nextLink, type ChainedEvent } from './links.js'

export type ChainEntry =
  /** An event of the log, with what the chain recorded of it, where it keeps that (null: nothing kept, e.g. an export's digest). */
  | { readonly kind: 'event'; readonly position: bigint; readonly event: ChainedEvent; readonly digest: string | null; readonly link: string | null }
  /** An event its stream's retention deleted: only its digest is left, which its checkpoint still vouches for. */
  | { readonly kind: 'trimmed'; readonly position: bigint; readonly stream: string; readonly revision: number; readonly digest: string; readonly link: string | null }
  /** A problem the reader found itself (an event with no link, a link with no event its retention explains). */
  | { readonly kind: 'broken'; readonly position: bigint; readonly reason: string }

export interface Problem {
  readonly position: bigint
  readonly reason: string
}

export interface Verified {
  readonly events: number
  readonly trimmed: number
  readonly checkpoints: number
  readonly lastPosition: bigint | null
  readonly lastCheckpoint: bigint | null
  /** Events after the last checkpoint: chained, but not signed yet. */
  readonly unsigned: number
}

export interface VerifyOptions {
  readonly jwks: JSONWebKeySet
  /** Every `every` entries (progress on a long log). */
  readonly onProgress?: (entries: number, position: bigint) => void
  readonly every?: number
}

export const verifyChain = async (
  entries: Iterable<ChainEntry> | AsyncIterable<ChainEntry>,
  checkpoints: readonly Checkpoint[],
  options: VerifyOptions,
): Promise<E.Either<Problem, Verified>> => {
  const pending = [...checkpoints].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0))
  let next = 0
  let link = GENESIS_LINK
  let last: bigint | null = null
  let lastCheckpoint: bigint | null = null
  let events = 0
  let trimmed = 0
  let sinceCheckpoint = 0
  const every = options.every ?? 100_000

  /** The checkpoints at or before `position`: each must sign the link there, with a key of the set. */
  const checkpointsUpTo = async (position: bigint | null, here: boolean): Promise<Problem | null> => {
    while (next < pending.length && (position === null || pending[next]!.position <= position)) {
      const checkpoint = pending[next]!
      next += 1
      const previous = lastCheckpoint === null ? 'the start of the log' : `the checkpoint at ${lastCheckpoint}`
      if (!here || checkpoint.position !== position) {
        return { position: checkpoint.position, reason: `a signed checkpoint names position ${checkpoint.position}, which is not in the log: events were removed or renumbered after ${previous}` }
      }
      const signed = await verifyCheckpoint(checkpoint.jws, options.jwks)
      if (E.isLeft(signed)) return { position: checkpoint.position, reason: `the checkpoint at ${checkpoint.position}: ${signed.left}` }
      if (signed.right.position !== checkpoint.position || signed.right.link !== checkpoint.link) {
        return { position: checkpoint.position, reason: `the checkpoint at ${checkpoint.position} is not what its signature says` }
      }
      if (signed.right.link !== link) {
        return { position: checkpoint.position, reason: `the chain at ${checkpoint.position} is not the signed one: an event after ${previous} and at or before ${checkpoint.position} was changed, removed, inserted or reordered (and the chain rewritten to hide it)` }
      }
      lastCheckpoint = checkpoint.position
      sinceCheckpoint = 0
    }
    return null
  }

  for await (const entry of entries) {
    if (last !== null && entry.position <= last) return E.left({ position: entry.position, reason: `position ${entry.position} comes after ${last}: the log is out of order` })
    const early = await checkpointsUpTo(entry.position - 1n, false)
    if (early !== null) return E.left(early)
    if (entry.kind === 'broken') return E.left({ position: entry.position, reason: entry.reason })
    const digest = entry.kind === 'event' ? eventDigest(entry.event) : entry.digest
    if (entry.kind === 'event' && entry.digest !== null && entry.digest !== digest) {
      return E.left({ position: entry.position, reason: `the event at ${entry.position} (${entry.event.stream}@${entry.event.revision}, ${entry.event.type}) is not the one chained there: it was edited, or another event was put in its place (inserted, removed or reordered)` })
    }
    link = nextLink(link, digest)
    if (entry.link !== null && entry.link !== link) {
      return E.left({ position: entry.position, reason: `the link at ${entry.position} does not follow from the one before: an event at or before it was removed, inserted or reordered` })
    }
    last = entry.position
    if (entry.kind === 'event') events += 1
    else trimmed += 1
    sinceCheckpoint += 1
    const at = await checkpointsUpTo(entry.position, true)
    if (at !== null) return E.left(at)
    if ((events + trimmed) % every === 0) options.onProgress?.(events + trimmed, entry.position)
  }
  const late = await checkpointsUpTo(null, false)
  if (late !== null) return E.left(late)
  return E.right({ events, trimmed, checkpoints: pending.length, lastPosition: last, lastCheckpoint, unsigned: sinceCheckpoint })
}
