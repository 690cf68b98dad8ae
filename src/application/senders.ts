// Who sends, when several nodes share the log: webhook delivery, the e-mail
// notices and the seat sweeper each run on the node leading that role
// (leadership.ts), and only once that node has followed the log to its head,
// so that it knows what the last leader recorded as sent. The leader records
// what it sends in the log (deliveries streams), and on taking a role first
// records what it sent before the log recorded it, so that no node that
// leads after it sends that again. A node alone on its log leads every role
// it may and records nothing.
import type { Logger } from 'pino'
import { randomUUID } from 'node:crypto'
import { deliveriesStream, type DeliveryEvent } from '../domain/deliveries/index.js'
import { leadershipStream, type SenderRole } from '../domain/leadership/index.js'
import { ExpectedVersion, type EventStore, type Position } from '../store/port.js'
import { createCommandHandler } from './command-handler.js'
import { encodeEvent } from './event-codec.js'
import { createLeadership, soleLeadership, type Leadership } from './leadership.js'
import { systemMeta } from './metadata.js'
import type { Snapshots } from './snapshots.js'

/** What the senders must offer for a node to take a role over: follow the log, say what they sent unrecorded, send. */
export interface RoleWork {
  readonly waitFor: (position: Position | null, timeoutMs: number) => Promise<boolean>
  /** Up to `limit` of what was sent and is not recorded in the log, as records; `markInLog` takes their ids back. */
  readonly unrecorded: (limit: number) => readonly { readonly id: string; readonly record: DeliveryEvent }[]
  readonly markInLog: (ids: readonly string[]) => void
  /** Look for work now. */
  readonly wake: () => void
}

export interface SendersOptions {
  readonly store: EventStore
  readonly clock: () => Date
  readonly logger: Logger
  readonly snapshots: Snapshots
  /** The roles this node may lead. */
  readonly roles: readonly SenderRole[]
  /** Whether other nodes may write to the log (else this node leads every role without asking). */
  readonly shared: boolean
  readonly leaseMs: number
  readonly nodeId: () => string
}

const BACKFILL_BATCH = 500
/** Events kept of a leadership stream: its state is its last one; a few more show the last hand-overs. */
export const LEADERSHIP_KEPT = 20

// Each renewal is an event, so a role's leadership stream grows by one every half lease for as long as a
// leader lives. Deciding a lease reads only the cached state and the stream's tail (or a snapshot and what
// follows it), so what is read stays bounded; what is kept is not. The lease's state is its last Taken or
// Renewed event, so the store keeps the last LEADERSHIP_KEPT events of each `leadership-<role>` stream
// (set at start by every node that may lead the role; setting it again is harmless).
// The deliveries streams must be kept whole: a node started late learns from them what was sent.

export const createSenders = (options: SendersOptions) => {
  const { store, clock, logger, roles, shared, leaseMs } = options
  /** The roles this node leads and has followed the log for. */
  const caughtUp = new Set<SenderRole>(shared ? [] : roles)
  let onLead: (role: SenderRole) => void = () => undefined
  const leadership: Leadership = shared
    ? createLeadership({
        // A handler of its own: renewals are no writes of this node's clients, and must not make its reads wait for them.
        handler: createCommandHandler({ store, clock, snapshots: options.snapshots }),
        roles,
        node: options.nodeId(),
        leaseMs,
        clock,
        logger,
        onChange: (role, leading) => {
          if (leading) onLead(role)
          else caughtUp.delete(role)
        },
      })
    : soleLeadership(roles)

  const recordAll = async (role: 'webhooks' | 'mail', events: readonly DeliveryEvent[]): Promise<void> => {
    const meta = systemMeta(role, randomUUID())
    const appended = await store.appendToStream(deliveriesStream(role), events.map((event) => encodeEvent(event, meta, randomUUID())), ExpectedVersion.any)
    if (appended._tag === 'Left') throw new Error(`could not record a delivery in ${appended.left.streamName}`)
  }

  /** Records, in batches, what this node sent that the log does not hold. */
  const backfill = async (role: 'webhooks' | 'mail', work: RoleWork): Promise<void> => {
    for (let batch = 1; ; batch += 1) {
      const unrecorded = work.unrecorded(BACKFILL_BATCH)
      if (unrecorded.length === 0) return
      if (batch === 1) logger.info({ role }, 'recording in the log what this node sent before the log recorded it')
      await recordAll(role, unrecorded.map((one) => one.record))
      work.markInLog(unrecorded.map((one) => one.id))
    }
  }

  return {
    /** Whether this node does `role`'s work now. */
    sends: (role: SenderRole): boolean => leadership.leads(role) && caughtUp.has(role),
    leads: (role: SenderRole): boolean => leadership.leads(role),
    /** Records what was sent in the log, for the other nodes; undefined alone on the log (nobody needs it). */
    record: shared ? (role: 'webhooks' | 'mail', event: DeliveryEvent): Promise<void> => recordAll(role, [event]) : undefined,
    /** The senders to hand a role to, and the sweep to run on taking the sweeper's; then claims the roles. */
    start: async (work: { readonly webhooks: RoleWork | null; readonly mail: RoleWork | null; readonly sweep: () => void }): Promise<void> => {
      onLead = (role) => {
        if (role === 'seat-sweeper') return work.sweep()
        const sender = role === 'webhooks' ? work.webhooks : work.mail
        if (sender === null) return
        void (async () => {
          const followed = await sender.waitFor(await store.headPosition(), leaseMs * 4)
          if (!followed) logger.warn({ role }, 'took the lead before following the log to its head; sending what is known')
          if (!leadership.leads(role)) return
          await backfill(role, sender).catch((error: unknown) => logger.warn({ err: error, role }, 'could not record in the log what this node sent before'))
          caughtUp.add(role)
          sender.wake()
        })().catch((error: unknown) => logger.warn({ err: error, role }, 'could not follow the log on taking the lead'))
      }
      if (shared) for (const role of roles) await store.setStreamRetention(leadershipStream(role), { maxCount: LEADERSHIP_KEPT })
      await leadership.start()
    },
    /** For /healthz. */
    health: () => {
      const leads = leadership.held()
      return { ok: true, leads, detail: leads.length === 0 ? 'leads no sender role (another node sends)' : `leads ${leads.join(', ')}` }
    },
    stop: () => leadership.stop(),
  }
}
export type Senders = ReturnType<typeof createSenders>
