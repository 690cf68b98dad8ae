// Which sender roles this node leads. For each role it may lead, the node
// claims the role's lease in the log (the leadership decider) and, while it
// holds it, renews it every half lease; another node's live lease is left
// alone and claimed again the moment it would lapse. The holder counts its
// lease from before each renewal was sent, by its own monotonic timer, and
// steps down (stops doing the role's work) as soon as that runs out without
// a renewal: by then another node may take the lease. So two nodes do a
// role's work at once only while a send begun before a step-down finishes.
import * as E from 'fp-ts/Either'
import type { Logger } from 'pino'
import { v4 as uuid } from 'uuid'
import type { SenderRole } from '../domain/leadership/index.js'
import { LeadershipAggregate } from './aggregates.js'
import type { CommandHandler } from './command-handler.js'
import { systemMeta } from './metadata.js'

export interface LeadershipOptions {
  readonly handler: Pick<CommandHandler, 'handle'>
  /** The roles this node may lead (MAILER_ENABLED, WEBHOOKS_ENABLED opt out). */
  readonly roles: readonly SenderRole[]
  /** This node's stable id. */
  readonly node: string
  readonly leaseMs: number
  /** The time the other nodes' leases are judged at (the handler decides with the same clock). */
  readonly clock: () => Date
  readonly logger: Logger
  /** Milliseconds that only move forward, for this node's own deadline (default: performance.now). */
  readonly monotonic?: () => number
  /** Called when this node starts or stops leading a role. */
  readonly onChange?: (role: SenderRole, leading: boolean) => void
}

export interface Leadership {
  /** Claims every role once (the node that finds them vacant leads at once), then keeps claiming in the background. */
  readonly start: () => Promise<void>
  readonly leads: (role: SenderRole) => boolean
  /** The roles this node leads now. */
  readonly held: () => readonly SenderRole[]
  /** Stops claiming and gives back what it holds, so another node takes over at once. */
  readonly stop: () => Promise<void>
}

/** A node that leads every role it may, without asking anyone: the only process on its log. */
export const soleLeadership = (roles: readonly SenderRole[]): Leadership => ({
  start: async () => {},
  leads: (role) => roles.includes(role),
  held: () => roles,
  stop: async () => {},
})

/** How long before its lease runs out the holder stops: room for clocks that differ a little. */
const marginOf = (leaseMs: number): number => Math.min(1_000, Math.floor(leaseMs / 10))

export const createLeadership = (options: LeadershipOptions): Leadership => {
  const { handler, roles, node, leaseMs, clock, logger } = options
  const monotonic = options.monotonic ?? (() => performance.now())
  const half = Math.max(1, Math.floor(leaseMs / 2))
  const margin = marginOf(leaseMs)
  /** Per role led: until when (monotonic) this node may act on its lease. */
  const heldUntil = new Map<SenderRole, number>()
  const timers = new Map<SenderRole, NodeJS.Timeout>()
  const stepDowns = new Map<SenderRole, NodeJS.Timeout>()
  const attempts = new Set<Promise<void>>()
  let stopped = false

  const change = (role: SenderRole, leading: boolean): void => {
    logger.info({ role, node }, leading ? 'leading this role now' : 'no longer leading this role')
    options.onChange?.(role, leading)
  }

  const stepDown = (role: SenderRole): void => {
    clearTimeout(stepDowns.get(role))
    stepDowns.delete(role)
    if (heldUntil.delete(role)) change(role, false)
  }

  const hold = (role: SenderRole, until: number): void => {
    const was = heldUntil.has(role)
    heldUntil.set(role, until)
    clearTimeout(stepDowns.get(role))
    const timer = setTimeout(() => {
      logger.warn({ role, node }, 'could not renew the lease in time: stepping down')
      stepDown(role)
    }, Math.max(0, until - monotonic()))
    timer.unref()
    stepDowns.set(role, timer)
    if (!was) change(role, true)
  }

  /** One claim (or renewal); resolves with how long to wait before the next. */
  const claim = async (role: SenderRole): Promise<number> => {
    const sent = monotonic()
    try {
      const outcome = await handler.handle(LeadershipAggregate, { type: 'ClaimLeadership', role, node, leaseMs }, {}, systemMeta('leadership', uuid()))
      if (stopped) return half
      if (E.isRight(outcome)) {
        hold(role, sent + leaseMs - margin)
        return half
      }
      if (outcome.left._tag === 'LeadershipHeld') {
        stepDown(role)
        // Claimed again just after the holder's lease would lapse, unless it renews first.
        const untilLapse = Date.parse(outcome.left.by.expiresAt) - clock().getTime()
        return Math.min(half, Math.max(10, untilLapse + 10))
      }
      return Math.min(half, 100)
    } catch (error) {
      logger.warn({ err: error, role }, 'could not claim or renew a lease; trying again')
      return Math.min(half, 1_000)
    }
  }

  const schedule = (role: SenderRole, waitMs: number): void => {
    if (stopped) return
    const timer = setTimeout(() => {
      const running = claim(role).then((next) => schedule(role, next))
      attempts.add(running)
      void running.finally(() => attempts.delete(running))
    }, waitMs)
    timer.unref()
    timers.set(role, timer)
  }

  return {
    start: async () => {
      const waits = await Promise.all(roles.map((role) => claim(role)))
      roles.forEach((role, index) => schedule(role, waits[index]!))
    },
    leads: (role) => {
      const until = heldUntil.get(role)
      return until !== undefined && monotonic() < until
    },
    held: () => roles.filter((role) => heldUntil.has(role)),
    stop: async () => {
      stopped = true
      for (const timer of timers.values()) clearTimeout(timer)
      await Promise.allSettled([...attempts])
      const releasing = [...heldUntil.keys()]
      for (const role of releasing) stepDown(role)
      await Promise.allSettled(
        releasing.map((role) => handler.handle(LeadershipAggregate, { type: 'ReleaseLeadership', role, node }, {}, systemMeta('leadership', uuid()))),
      )
    },
  }
}
