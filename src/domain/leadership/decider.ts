// One node at a time does a sender role's work. The role's lease is decided
// in its own stream under optimistic concurrency: of several nodes claiming a
// vacant or lapsed lease at once, one append wins; the holder renews it
// before it runs out; another node takes it only once it has lapsed (its
// holder stopped renewing: it died, or lost the store) or was given back.
import * as E from 'fp-ts/Either'
import type { Decider, TimeContext } from '../decider.js'
import type { LeadershipEvent, SenderRole } from './events.js'

export interface Lease {
  readonly node: string
  readonly expiresAt: string
}

export type LeadershipState = { readonly held: false } | ({ readonly held: true } & Lease)

/** Take the lease, or renew it when this node holds it. */
export interface ClaimLeadership {
  readonly type: 'ClaimLeadership'
  readonly role: SenderRole
  readonly node: string
  /** How long the lease runs from now without a renewal. */
  readonly leaseMs: number
}

/** Give the lease back (a node stopping), so another takes over at once. */
export interface ReleaseLeadership {
  readonly type: 'ReleaseLeadership'
  readonly role: SenderRole
  readonly node: string
}

export type LeadershipCommand = ClaimLeadership | ReleaseLeadership

export interface LeadershipHeld {
  readonly _tag: 'LeadershipHeld'
  readonly by: Lease
}

/** The live lease at `now`, or null when the role is vacant (never taken, given back, or lapsed). */
export const holderAt = (state: LeadershipState, now: Date): Lease | null =>
  state.held && Date.parse(state.expiresAt) > now.getTime() ? { node: state.node, expiresAt: state.expiresAt } : null

export const leadershipDecider: Decider<LeadershipCommand, LeadershipState, LeadershipEvent, LeadershipHeld, TimeContext> = {
  initialState: { held: false },
  evolve: (state, event) => {
    switch (event.type) {
      case 'LeadershipTaken':
      case 'LeadershipRenewed':
        return { held: true, node: event.data.node, expiresAt: event.data.expiresAt }
      case 'LeadershipReleased':
        return state.held && state.node === event.data.node ? { held: false } : state
    }
  },
  decide: (command, state, { now }) => {
    const at = now.toISOString()
    const { role, node } = command
    switch (command.type) {
      case 'ClaimLeadership': {
        const holder = holderAt(state, now)
        if (holder !== null && holder.node !== node) return E.left({ _tag: 'LeadershipHeld', by: holder })
        const expiresAt = new Date(now.getTime() + command.leaseMs).toISOString()
        // The holder's own lease, even one that lapsed while nobody else took it, is renewed: it never stopped being the last leader.
        const type = state.held && state.node === node ? 'LeadershipRenewed' : 'LeadershipTaken'
        return E.right([{ type, data: { role, node, expiresAt, at } }])
      }
      case 'ReleaseLeadership':
        return state.held && state.node === node ? E.right([{ type: 'LeadershipReleased', data: { role, node, at } }]) : E.right([])
    }
  },
}
