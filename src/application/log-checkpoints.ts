// Signs checkpoints of the log's hash chain: every `everyEvents` events, and
// at least once every `everyMs` while events arrive (nothing new, nothing to
// sign). It looks at the chain's tip every `pollMs`; a checkpoint may also be
// asked for (an export signs the tip it ends at). Several nodes on one log may
// each sign; a position signed twice keeps the first.
import type { Logger } from 'pino'
import type { Checkpoint, CheckpointSigner } from '../chain/checkpoints.js'
import type { ChainLedger } from '../chain/ledger.js'

export interface LogCheckpointSettings {
  readonly everyEvents: number
  readonly everyMs: number
  readonly pollMs: number
}

export const DEFAULT_LOG_CHECKPOINTS: LogCheckpointSettings = { everyEvents: 1_000, everyMs: 60_000, pollMs: 1_000 }

export interface LogCheckpointer {
  readonly start: () => void
  /** Signs the tip now if it is not signed yet; the checkpoint that covers the tip (null: an empty log). */
  readonly checkpoint: () => Promise<Checkpoint | null>
  readonly stop: () => Promise<void>
}

export const createLogCheckpointer = (deps: {
  readonly ledger: ChainLedger
  readonly sign: CheckpointSigner
  readonly clock: () => Date
  readonly settings: LogCheckpointSettings
  readonly logger: Logger
}): LogCheckpointer => {
  const { ledger, sign, clock, settings, logger } = deps
  let timer: NodeJS.Timeout | null = null
  let running: Promise<unknown> = Promise.resolve()

  /** One at a time: a tick and an asked-for checkpoint never sign the same tip twice. */
  const serial = <A>(work: () => Promise<A>): Promise<A> => {
    const next = running.then(work, work)
    running = next.catch(() => undefined)
    return next
  }

  const signTip = async (due: (sinceCheckpoint: number, last: Checkpoint | null) => boolean): Promise<Checkpoint | null> => {
    const tip = await ledger.tip()
    if (tip === null) return null
    const last = tip.lastCheckpoint
    if (last !== null && last.position >= tip.position) return last
    if (!due(tip.sinceCheckpoint, last)) return last
    const checkpoint = await sign(tip.position, tip.link, clock())
    await ledger.put(checkpoint)
    return checkpoint
  }

  const tick = (): Promise<unknown> =>
    serial(() =>
      signTip(
        (since, last) => since >= settings.everyEvents || last === null || clock().getTime() - Date.parse(last.signedAt) >= settings.everyMs,
      ),
    ).catch((error: unknown) => logger.warn({ err: error }, 'could not sign a checkpoint of the log; trying again'))

  return {
    start: () => {
      if (timer !== null) return
      timer = setInterval(() => void tick(), settings.pollMs)
      timer.unref()
    },
    checkpoint: () => serial(() => signTip(() => true)),
    stop: async () => {
      if (timer !== null) clearInterval(timer)
      timer = null
      await running
    },
  }
}
