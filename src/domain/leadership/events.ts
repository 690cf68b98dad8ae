// Facts of a sender role's leadership stream (`leadership-<role>`): a node
// took the lease, its holder renewed it, or gave it back. Each carries the
// instant the lease runs to, so any node can tell a live lease from one
// whose holder died.
import * as t from 'io-ts'
import { Instant } from '../codecs.js'
import type { EventSchemas } from '../versioning.js'

/** The work only one node at a time may do: webhook delivery, e-mail notices, the seat sweeper. */
export const SenderRole = t.keyof({ webhooks: null, mail: null, 'seat-sweeper': null })
export type SenderRole = t.TypeOf<typeof SenderRole>

const lease = {
  role: SenderRole,
  /** The node's stable id (kept in its data directory, so a restarted node knows its own lease). */
  node: t.string,
  /** Past this instant without a renewal, the holder is taken to have died: another node may take the lease. */
  expiresAt: Instant,
  at: Instant,
}

export const LeadershipTaken = t.type({ type: t.literal('LeadershipTaken'), data: t.type(lease) })

export const LeadershipRenewed = t.type({ type: t.literal('LeadershipRenewed'), data: t.type(lease) })

export const LeadershipReleased = t.type({
  type: t.literal('LeadershipReleased'),
  data: t.type({ role: SenderRole, node: t.string, at: Instant }),
})

export const LeadershipEvent = t.union([LeadershipTaken, LeadershipRenewed, LeadershipReleased])
export type LeadershipEvent = t.TypeOf<typeof LeadershipEvent>

export const leadershipSchemas: EventSchemas<LeadershipEvent['type']> = {
  versions: { LeadershipTaken: 1, LeadershipRenewed: 1, LeadershipReleased: 1 },
  upcasters: {},
}
