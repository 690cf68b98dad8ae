// What-if replay of a seat policy: the seat requests, heartbeats and releases
// a license's log recorded, fed again, in log order and at their recorded
// times, through the real deciders (the order's and each seat's; a heartbeat
// by the seat decider's own rule on numbers, renewalOutcome), in memory,
// appending nothing; once under the policy in force and once under a
// proposed one (seats allowed, lease, heartbeat interval) from the period's
// start (what comes before it is alike under both, and replayed once). The
// log is read once, up to the period's end (what-if-log.ts). Everything else
// the log holds (the license's creation and updates, activations,
// revocations) is taken as it happened.
//
// What it cannot know: requests refused within a minute of a recorded denial
// of the same client and heartbeats that renewed nothing are not in the log
// (they changed nothing), so a proposed policy replays only the requests and
// heartbeats that were recorded; a client refused under the proposed policy
// is assumed not to retry beyond what it did, and a heartbeat of a client the
// proposal left without a seat is counted, not turned into a request.
import * as E from 'fp-ts/Either'
import {
  evolveOrder,
  lapsedBy,
  leaseTimesOf,
  occupied,
  seatOf,
  seatSettingsOf,
  usageDecider,
  withLiveness,
  type ExistingOrder,
  type OrderEvent,
  type OrderState,
  type Seat,
  type SeatSettings,
  type UsageCommand,
} from '../domain/order/index.js'
import { afterRenewal, initialSeatState, renewalOutcome, seatDecider, type SeatCommand, type SeatState } from '../domain/seat/index.js'
import type { EventStore } from '../store/port.js'
import { recordedSeat } from './seat-liveness.js'
import { clientKeyOf, FACT, HEARTBEAT, readActionLog, REQUEST, type ActionLog, type Fact, type Request, type StoredRows } from './what-if-log.js'

export interface SeatPolicy {
  /** Places allowed (activations_allowed); absent: as recorded. */
  readonly seats?: number
  readonly leaseSeconds?: number
  readonly heartbeatIntervalSeconds?: number
}

export interface Period {
  readonly from: Date
  readonly to: Date
}

export interface Outcome {
  readonly requests: number
  /** Requests that left the client holding a seat (a new grant or the one it held). */
  readonly grants: number
  readonly denials: number
  readonly peakConcurrency: number
  readonly seatHours: number
  readonly deniedClients: readonly { readonly clientId: string; readonly machineId: string; readonly at: string }[]
  /** Recorded heartbeats of clients that held no seat under this policy. */
  readonly heartbeatsWithoutSeat: number
}

/**
 * Where a replay stands after some of the log: enough to go on from there.
 * Before the period's start every policy replays alike (a proposal applies
 * from the start), so that part is replayed once for both.
 */
export interface Standing {
  /** The next action's index. */
  readonly index: number
  readonly state: OrderState
  readonly liveness: Readonly<Record<string, SeatState>>
  readonly began: ReadonlyMap<string, number>
  readonly generated: number
}

const beginning: Standing = { index: 0, state: usageDecider.initialState, liveness: {}, began: new Map(), generated: 0 }

interface Options {
  readonly onProgress?: (done: number) => void
  /** Each place count the peak is taken from (the moment, the places held), when it changed: for a product's peak across its licenses. */
  readonly onLevel?: (at: number, level: number) => void
  readonly start?: Standing
  /** Stops before this action (default: the log's end). */
  readonly stop?: number
}

/** Replays the actions under the policy (from the period's start; null: as recorded throughout). */
const replayed = (log: ActionLog, period: Period, policy: SeatPolicy | null, { onProgress, onLevel, start = beginning, stop = log.length }: Options): { readonly outcome: Outcome; readonly standing: Standing } => {
  let state: OrderState = start.state
  // The held seats' streams as the replay leaves them, kept up to date as it advances: what every decision on the order is handed.
  const liveness: Record<string, SeatState> = Object.assign(Object.create(null) as Record<string, SeatState>, start.liveness)
  const began = new Map(start.began)
  let seatMs = 0
  let requests = 0
  let grants = 0
  let denials = 0
  let peak = 0
  let lastLevel = -1
  let heartbeatsWithoutSeat = 0
  let generated = start.generated
  const deniedClients: { clientId: string; machineId: string; at: string }[] = []
  const from = period.from.getTime()
  const to = period.to.getTime()

  const inPeriod = (at: number): boolean => at >= from && at < to
  const overridden = (order: OrderState, at: number): OrderState => {
    if (!order.exists || policy === null || at < from) return order
    const settings: SeatSettings = {
      heartbeatIntervalSeconds: policy.heartbeatIntervalSeconds ?? seatSettingsOf(order).heartbeatIntervalSeconds,
      leaseSeconds: policy.leaseSeconds ?? seatSettingsOf(order).leaseSeconds,
    }
    return {
      ...order,
      terms: policy.seats === undefined ? order.terms : { ...order.terms, activations_allowed: policy.seats },
      usage: { ...order.usage, seatSettings: settings },
    }
  }
  /** Seat-time within the period, from its grant to its end. */
  const ended = (seatId: string, endMs: number): void => {
    const start = began.get(seatId)
    if (start === undefined) return
    began.delete(seatId)
    seatMs += Math.max(0, Math.min(endMs, to) - Math.max(start, from))
  }
  const applyOrder = (events: readonly OrderEvent[], at: number): void => {
    for (const event of events) {
      state = evolveOrder(state, event)
      if (event.type === 'SeatGranted') began.set(event.data.seatId, Date.parse(event.data.at))
      if (event.type === 'SeatReleased' || event.type === 'SeatExpired' || event.type === 'LicenseTokenRevoked') {
        const seatId = event.type === 'LicenseTokenRevoked' ? event.data.tokenId : event.data.seatId
        ended(seatId, Date.parse(event.data.at))
        // The order has recorded its end: its stream's state is needed no more (the liveness handed to decisions stays small).
        delete liveness[seatId]
      }
    }
    state = overridden(state, at)
  }
  const onSeat = (command: SeatCommand, now: Date): void => {
    const id = command.seat.seatId
    const current = liveness[id] ?? initialSeatState
    const decided = seatDecider.decide(command, current, { now })
    if (E.isRight(decided)) liveness[id] = decided.right.reduce(seatDecider.evolve, current)
  }
  const decide = (command: UsageCommand, now: Date, newId: string): boolean => {
    const decided = usageDecider.decide(command, state, { now, newId, liveness })
    if (E.isLeft(decided)) return false
    applyOrder(decided.right, now.getTime())
    return true
  }
  /** The seats whose lease ran out are expired on their streams first, as a request's or a heartbeat's settling does. */
  const settle = (order: ExistingOrder, now: Date): void => {
    for (const seat of Object.values(order.usage.seats)) {
      const known = liveness[seat.seatId]
      if (known?.ended == null && lapsedBy(leaseTimesOf(seat, known), now.getTime())) onSeat({ type: 'ExpireSeatLease', seat: recordedSeat(order, seat) }, now)
    }
  }

  /**
   * A heartbeat on a held seat's stream, decided on numbers (renewalOutcome) and folded without its event: what
   * RenewSeatLease decides and its event would fold to, with no date parsed or formatted (an expiry formats one).
   */
  const onHeartbeat = (order: ExistingOrder, seat: Seat, at: number): void => {
    const current = liveness[seat.seatId] ?? initialSeatState
    if (current.ended !== null) return
    const lease = leaseTimesOf(seat, current)
    const outcome = renewalOutcome(lease, at)
    if (outcome !== 'none') liveness[seat.seatId] = afterRenewal(current, outcome, lease, seatSettingsOf(order), at)
  }

  // The order's seats by client number (the log's), rebuilt only when its seats change: a heartbeat finds its seat without a scan.
  let indexed: ExistingOrder['usage']['seats'] | null = null
  let byClient = new Map<number, ExistingOrder['usage']['seats'][string]>()
  const seatOfClient = (order: ExistingOrder, client: number) => {
    if (indexed !== order.usage.seats) {
      indexed = order.usage.seats
      byClient = new Map()
      for (const seat of Object.values(order.usage.seats)) {
        const n = log.clientNumbers.get(clientKeyOf(seat))
        if (n !== undefined) byClient.set(n, seat)
      }
    }
    return byClient.get(client)
  }

  const { kinds, times, refs } = log
  let index = start.index
  let applied = false
  for (; index < stop; index += 1) {
    if (index % 10_000 === 0) onProgress?.(index)
    const kind = kinds[index]!
    const at = times[index]!
    // The proposal applies from the period's start, not from the next change of the order after it.
    if (!applied && at >= from) {
      state = overridden(state, at)
      applied = true
    }
    if (kind === FACT) {
      applyOrder([(log.details[refs[index]!] as Fact).event], at)
      continue
    }
    if (!state.exists) continue
    const order = state
    const orderId = order.orderId
    if (kind === HEARTBEAT) {
      // The renewal is the seat stream's; the ends the order records with a heartbeat are recorded alike at the
      // next request (which settles first), so only what decides grants is replayed here, at replay speed.
      const held = seatOfClient(order, refs[index]!)
      if (held === undefined) {
        if (inPeriod(at)) heartbeatsWithoutSeat += 1
        continue
      }
      onHeartbeat(order, held, at)
      if (liveness[held.seatId]?.ended != null) decide({ type: 'HeartbeatSeat', orderId, seatId: held.seatId, clientId: null, machineId: null }, new Date(at), held.seatId)
      continue
    }
    const now = new Date(at)
    if (kind === REQUEST) {
      const action = log.details[refs[index]!] as Request
      // As a request does: lapsed seats are expired on their streams first (a heartbeat's renewal expires its own seat if lapsed).
      settle(order, now)
      const newId = action.seatId ?? `what-if-${(generated += 1)}`
      decide({ type: 'RequestSeat', orderId, ...action.client }, now, newId)
      const after = state as ExistingOrder
      const held = seatOf(after.usage, action.client)
      if (held !== undefined && liveness[held.seatId] === undefined) onSeat({ type: 'StartSeatLease', seat: recordedSeat(after, held) }, now)
      if (inPeriod(at)) {
        requests += 1
        if (held !== undefined) grants += 1
        else {
          denials += 1
          deniedClients.push({ clientId: action.client.clientId, machineId: action.client.machineId, at: action.at })
        }
      }
    } else {
      const held = seatOfClient(order, refs[index]!)
      if (held === undefined) {
        if (inPeriod(at)) heartbeatsWithoutSeat += 1
        continue
      }
      onSeat({ type: 'EndSeatLease', seat: recordedSeat(order, held), reason: 'released' }, now)
      decide({ type: 'ReleaseSeat', orderId, seatId: held.seatId, clientId: null, machineId: null }, now, held.seatId)
    }
    if (inPeriod(at) && state.exists) {
      const level = occupied(withLiveness(state, liveness), now)
      peak = Math.max(peak, level)
      if (level !== lastLevel) onLevel?.(at, level)
      lastLevel = level
    }
  }
  const standing: Standing = { index, state, liveness: { ...liveness }, began: new Map(began), generated }
  // Seats still held at the period's end count until their lease (as it stood then) ran out or the period ended.
  if (state.exists) {
    for (const seat of Object.values(state.usage.seats)) ended(seat.seatId, leaseTimesOf(seat, liveness[seat.seatId]).expiresMs)
  }
  const outcome = { requests, grants, denials, peakConcurrency: peak, seatHours: Math.round((seatMs / 3_600_000) * 1000) / 1000, deniedClients, heartbeatsWithoutSeat }
  return { outcome, standing }
}

/** The replay up to the period's start: the same under any policy. */
export const standingAt = (log: ActionLog, period: Period, onProgress?: (done: number) => void): Standing => {
  const from = period.from.getTime()
  let stop = 0
  while (stop < log.length && log.times[stop]! < from) stop += 1
  return replayed(log, period, null, { stop, ...(onProgress === undefined ? {} : { onProgress }) }).standing
}

/** Replays the actions under the policy (from the period's start; null: as recorded throughout), from the log's start or where `start` stands. */
export const replay = (log: ActionLog, period: Period, policy: SeatPolicy | null, options: Options = {}): Outcome => replayed(log, period, policy, options).outcome

export interface WhatIfReport {
  readonly orderId: string
  readonly period: { readonly from: string; readonly to: string }
  readonly policy: { readonly recorded: Required<SeatPolicy>; readonly proposed: Required<SeatPolicy> }
  /** The recorded actions replayed under the policy in force: the log's own outcome. */
  readonly recorded: Outcome
  readonly proposed: Outcome
  readonly actions: number
}

/** A level of one license at a moment: its places held from then on. */
interface Level {
  readonly license: number
  readonly at: number
  readonly level: number
}

/** The most places held at once across licenses: their levels swept in time order, each license's latest counted. */
const peakAcross = (levels: readonly Level[]): number => {
  const sorted = [...levels].sort((a, b) => a.at - b.at)
  const current = new Map<number, number>()
  let total = 0
  let peak = 0
  for (const { license, level } of sorted) {
    total += level - (current.get(license) ?? 0)
    current.set(license, level)
    peak = Math.max(peak, total)
  }
  return peak
}

/** A product's outcome: its licenses' summed, their denied clients in time order, the peak of places held at once across them. */
const combined = (outcomes: readonly Outcome[], levels: readonly Level[]): Outcome => {
  const sum = (of: (o: Outcome) => number): number => outcomes.reduce((total, o) => total + of(o), 0)
  return {
    requests: sum((o) => o.requests),
    grants: sum((o) => o.grants),
    denials: sum((o) => o.denials),
    peakConcurrency: peakAcross(levels),
    seatHours: Math.round(sum((o) => o.seatHours) * 1000) / 1000,
    deniedClients: outcomes.flatMap((o) => o.deniedClients).sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
    heartbeatsWithoutSeat: sum((o) => o.heartbeatsWithoutSeat),
  }
}

export interface ProductWhatIfReport {
  readonly productId: string
  readonly period: { readonly from: string; readonly to: string }
  /** The proposal, applied to each license (seats: each license's activations_allowed). */
  readonly proposal: SeatPolicy
  /** Each license's own report, as POST /reports/what-if gives it for that license. */
  readonly licenses: readonly WhatIfReport[]
  readonly recorded: Outcome
  readonly proposed: Outcome
  readonly actions: number
}

type Progress = (phase: string, done: number, total: number) => void

/** `rows`: the embedded log's table, a faster way to the seats' renewals (what-if-log.ts); absent: the store's reads. */
export const createWhatIf = (store: EventStore, rows?: StoredRows) => {
  /** null: no such order. `levels`: where each replay's place counts go (a product's peak). */
  const run = async (
    orderId: string,
    period: Period,
    proposal: SeatPolicy,
    onProgress?: Progress,
    levels?: { readonly recorded: (at: number, level: number) => void; readonly proposed: (at: number, level: number) => void },
  ): Promise<WhatIfReport | null> => {
    const log = await readActionLog(store, orderId, period.to.getTime(), (done, total) => onProgress?.('reading the log', done, total), rows)
    if (log === null) return null
    const start = standingAt(log, period, (done) => onProgress?.('replaying up to the period’s start', done, log.length))
    const recorded = replay(log, period, null, { start, onProgress: (done) => onProgress?.('replaying under the recorded policy', done, log.length), ...(levels === undefined ? {} : { onLevel: levels.recorded }) })
    const proposed = replay(log, period, proposal, { start, onProgress: (done) => onProgress?.('replaying under the proposed policy', done, log.length), ...(levels === undefined ? {} : { onLevel: levels.proposed }) })
    // The policy in force at the period's end, as recorded.
    let atEnd: OrderState = usageDecider.initialState
    for (let i = 0; i < log.length; i += 1) if (log.kinds[i] === FACT && log.times[i]! < period.to.getTime()) atEnd = evolveOrder(atEnd, (log.details[log.refs[i]!] as Fact).event)
    const inForce = atEnd.exists
      ? { seats: atEnd.terms.activations_allowed, leaseSeconds: seatSettingsOf(atEnd).leaseSeconds, heartbeatIntervalSeconds: seatSettingsOf(atEnd).heartbeatIntervalSeconds }
      : { seats: 0, leaseSeconds: 0, heartbeatIntervalSeconds: 0 }
    return {
      orderId,
      period: { from: period.from.toISOString(), to: period.to.toISOString() },
      policy: { recorded: inForce, proposed: { ...inForce, ...proposal } },
      recorded,
      proposed,
      actions: log.length,
    }
  }

  /**
   * A product's what-if: each of its licenses (`orderIds`, found by the caller) replayed as `run` does, under
   * the policy in force on each and the proposal applied to each; the product's figures are theirs summed, its
   * peak the most places held at once across them.
   */
  const runProduct = async (productId: string, orderIds: readonly string[], period: Period, proposal: SeatPolicy, onProgress?: Progress): Promise<ProductWhatIfReport> => {
    const licenses: WhatIfReport[] = []
    const recordedLevels: Level[] = []
    const proposedLevels: Level[] = []
    for (const [index, orderId] of orderIds.entries()) {
      onProgress?.('licenses', index, orderIds.length)
      const report = await run(orderId, period, proposal, onProgress, {
        recorded: (at, level) => recordedLevels.push({ license: index, at, level }),
        proposed: (at, level) => proposedLevels.push({ license: index, at, level }),
      })
      if (report !== null) licenses.push(report)
    }
    return {
      productId,
      period: { from: period.from.toISOString(), to: period.to.toISOString() },
      proposal,
      licenses,
      recorded: combined(licenses.map((l) => l.recorded), recordedLevels),
      proposed: combined(licenses.map((l) => l.proposed), proposedLevels),
      actions: licenses.reduce((total, l) => total + l.actions, 0),
    }
  }

  return { run, runProduct }
}
export type WhatIf = ReturnType<typeof createWhatIf>
