// Work done once per Idempotency-Key, whichever nodes the requests reach: the
// key is claimed in its own stream before the work (of several requests racing
// on it, one claim is appended; the others find the key taken), the reply is
// recorded after it, and a request that finds the key claimed waits, bounded,
// for that reply. A claim lapses after a while, so a holder that died before
// recording a reply does not block its key for ever; the cost is that its work
// may then be done a second time.
import * as E from 'fp-ts/Either'
import { randomUUID } from 'node:crypto'
import { holderOf, idempotencyStream, type IdempotencyState, type IdempotentReply } from '../domain/idempotency/index.js'
import { IdempotencyAggregate } from './aggregates.js'
import type { CommandHandler } from './command-handler.js'
import type { CommandMeta } from './metadata.js'
import type { Session } from './session.js'

export interface IdempotencySettings {
  /** How long a claim holds without a reply before the key may be claimed again. */
  readonly claimTtlMs: number
  /** How long a request whose key another request holds waits for that request's reply. */
  readonly waitMs: number
}

export const DEFAULT_IDEMPOTENCY_SETTINGS: IdempotencySettings = { claimTtlMs: 60_000, waitMs: 5_000 }

/** How often a waiting request looks for the reply. */
const POLL_MS = 25

/** One use of a key: where it is unique, and what request it was sent with. */
export interface KeyUse {
  readonly scope: string
  readonly fingerprint: string
}

/** The reply kept for a key: what a retry gets again. */
export type KeptReply = Pick<IdempotentReply, 'status' | 'headers' | 'body'>

export type Once<A> =
  /** This request held the key and did the work. */
  | { readonly _tag: 'Done'; readonly value: A }
  /** The work was done before, by a request with this key: its reply. */
  | { readonly _tag: 'Replayed'; readonly reply: KeptReply }
  /** The key was used for another request. */
  | { readonly _tag: 'KeyReused' }
  /** Another request holds the key and did not answer within the wait. */
  | { readonly _tag: 'InProgress'; readonly retryAfterSeconds: number }

export interface IdempotentWritesOptions {
  readonly handler: CommandHandler
  readonly clock: () => Date
  readonly settings?: IdempotencySettings
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export const createIdempotentWrites = ({ handler, clock, settings = DEFAULT_IDEMPOTENCY_SETTINGS }: IdempotentWritesOptions) => {
  /** Gives a claim back (nothing worth keeping came of it); should that fail, the claim lapses by itself. */
  const release = (session: Session, scope: string, claim: string, meta: CommandMeta): Promise<unknown> =>
    session.handle(IdempotencyAggregate, { type: 'ReleaseClaim', scope, claim }, {}, meta).catch(() => undefined)

  /** Runs `work` holding the claim: then records what `kept` makes of its result, or gives the claim back. */
  const holding = async <A>(session: Session, use: KeyUse, claim: string, meta: CommandMeta, work: () => Promise<A>, kept: (value: A) => KeptReply | null): Promise<A> => {
    let value: A
    try {
      value = await work()
    } catch (error) {
      await release(session, use.scope, claim, meta)
      throw error
    }
    const reply = kept(value)
    if (reply === null) {
      await release(session, use.scope, claim, meta)
      return value
    }
    const recorded = await session.handle(IdempotencyAggregate, { type: 'RecordReply', ...use, ...reply }, {}, meta)
    if (E.isLeft(recorded)) throw new Error(`could not record the reply for an idempotency key: ${recorded.left._tag}`)
    return value
  }

  /**
   * Runs `work` once per key use: this request claims the key and does it, or
   * answers what the request that did it answered (waiting for that, bounded).
   * `kept` says what of the result to keep for retries (null: nothing, and the
   * key is given back for a retry to do the work).
   */
  const once = async <A>(session: Session, use: KeyUse, meta: CommandMeta, work: () => Promise<A>, kept: (value: A) => KeptReply | null): Promise<Once<A>> => {
    const stream = idempotencyStream(use.scope)
    const deadline = Date.now() + settings.waitMs
    let state: IdempotencyState = (await session.load(IdempotencyAggregate, stream)).state
    for (;;) {
      const now = clock()
      const holder = holderOf(state, now)
      if (holder === null) {
        const claim = randomUUID()
        const claimed = await session.handle(IdempotencyAggregate, { type: 'ClaimKey', ...use, claim, holdMs: settings.claimTtlMs }, {}, meta)
        if (E.isRight(claimed)) return { _tag: 'Done', value: await holding(session, use, claim, meta, work, kept) }
        // The key's stream kept changing under every attempt: come back shortly.
        if (claimed.left._tag !== 'IdempotencyKeyTaken') return { _tag: 'InProgress', retryAfterSeconds: 1 }
        // Another request claimed it first: that claim (or reply) holds it now.
        state = claimed.left.by
        continue
      }
      const fingerprint = holder.status === 'replied' ? holder.reply.fingerprint : holder.fingerprint
      if (fingerprint !== use.fingerprint) return { _tag: 'KeyReused' }
      if (holder.status === 'replied') return { _tag: 'Replayed', reply: holder.reply }
      if (Date.now() >= deadline) {
        const untilLapse = Date.parse(holder.expiresAt) - now.getTime()
        return { _tag: 'InProgress', retryAfterSeconds: Math.max(1, Math.ceil(Math.min(untilLapse, settings.waitMs) / 1000)) }
      }
      await pause(POLL_MS)
      // A read of its own: the session read the stream already, and would answer from that.
      state = (await handler.load(IdempotencyAggregate, stream)).state
    }
  }

  return { once }
}
export type IdempotentWrites = ReturnType<typeof createIdempotentWrites>
