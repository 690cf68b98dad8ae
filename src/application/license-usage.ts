// Using a license: activating machines and borrowing floating seats, decided
// on the order's stream, each seat's liveness on its own (seat-liveness.ts
// orders the two). Each operation answers with the order as its decision left
// it, its seats' leases as their streams leave them (read-your-writes), and
// the moment it was decided at, so counts and deadlines in a reply agree with
// what was written. A heartbeat that needs no renewal is decided on the states
// this process has and written nowhere, so it never touches the store (see
// session.ts) and goes through the command handler once, for its seat's stream.
// A decision reads the streams of the seats it needs only (seat-liveness.ts),
// and a reply counts live seats without a walk over them (withStreams), so a
// heartbeat or a grant costs the same on a license of any size.
import * as E from 'fp-ts/Either'
import { v4 as uuid } from 'uuid'
import {
  activationRefusal,
  deadAt,
  earliestDeath,
  heldSeat,
  orderStream,
  ownEntry,
  presentable,
  seatOf,
  usageDecider,
  withLiveness,
  withStreams,
  type ActivateMachine,
  type ActivateMachineWithDetails,
  type Activation,
  type ChangeSeatSettings,
  type DeactivateMachine,
  type DefineMeterAttributes,
  type ExistingOrder,
  type ExpireLapsedSeats,
  type HeartbeatSeat,
  type OrderEvent,
  type ReleaseSeat,
  type RequestSeat,
  type RevokeLicenseToken,
  type Seat,
  type UpdateActivation,
  type UsageCommand,
  type UsageError,
} from '../domain/order/index.js'
import { authorize, liveLicense, type Forbidden, type License } from './access.js'
import { UsageAggregate } from './aggregates.js'
import type { ConcurrencyConflict } from './command-handler.js'
import type { Principal } from './credentials.js'
import {
  activationOwnClaims,
  activationTokenPayload,
  orderClaims,
  seatOwnClaims,
  seatTokenPayload,
  type TokenClaims,
  type TokenRejection,
} from './license-tokens.js'
import type { CommandMeta } from './metadata.js'
import { createSeatLiveness, type SeatWork, type Settled } from './seat-liveness.js'
import type { Session } from './session.js'
import { createSignedTokens } from './signed-tokens.js'
import type { TokenSigner } from './signing.js'
import { createVerifiedTokens } from './verified-tokens.js'

export type UsageFailure = UsageError | ConcurrencyConflict

/** A seat token was asked for and another kind was presented. */
export type WrongTokenKind = { readonly _tag: 'WrongTokenKind' }

/** The license a token names no longer exists. */
export type TokenLicenseNotFound = { readonly _tag: 'TokenLicenseNotFound'; readonly orderId: string }

export type SeatTokenFailure = TokenRejection | WrongTokenKind | TokenLicenseNotFound | Forbidden

export interface Decided {
  /** The order as the decision left it. */
  readonly order: ExistingOrder
  /** The moment the decision was made at: liveness and counts are judged at it. */
  readonly now: Date
  /** How many events the decision wrote, on the order's stream and its seats'. */
  readonly written: number
  /** The events it wrote on the order's stream. */
  readonly events: readonly OrderEvent[]
}

export interface LicenseUsageOptions {
  readonly clock: () => Date
  readonly signer: TokenSigner
  readonly newId?: () => string
  /** Gives a new seat's stream the configured retention of its renewals (lease-history.ts); absent: all are kept. */
  readonly keepLeaseHistory?: (seatStream: string) => Promise<void>
  /** The client's denial recorded within the recording window (denials.ts); absent: none is looked for. */
  readonly lastDenial?: (orderId: string, client: { readonly clientId: string; readonly machineId: string }, now: Date) => Promise<string | null>
}

const heldBy = <A extends { readonly clientId: string; readonly machineId: string }>(held: readonly A[], who: { readonly clientId: string; readonly machineId: string }) =>
  held.find((h) => h.clientId === who.clientId && h.machineId === who.machineId) ?? null

/**
 * The order a reply is made from: the leases of the seats whose streams were
 * read, and the moment before which no held seat dies (a seat granted just
 * now may die first).
 */
const answer = (recorded: ExistingOrder, events: readonly OrderEvent[], work: Settled): ExistingOrder => {
  let noneDieBefore = work.noneDieBefore
  for (const event of events) {
    const granted = event.type === 'SeatGranted' ? ownEntry(recorded.usage.seats, event.data.seatId) : undefined
    if (granted !== undefined) noneDieBefore = Math.min(noneDieBefore, deadAt(granted))
  }
  return withStreams(recorded, work.liveness, noneDieBefore)
}

/** Every held seat's stream read: the earliest death is worked out from them. */
const walked = (order: ExistingOrder, work: SeatWork): Settled => ({ ...work, noneDieBefore: earliestDeath(order, work.liveness) })

export const createLicenseUsage = ({ clock, signer, newId = uuid, keepLeaseHistory, lastDenial }: LicenseUsageOptions) => {
  const seats = createSeatLiveness(clock, keepLeaseHistory)
  const nothingYet: Settled = { liveness: {}, written: [], noneDieBefore: Infinity }
  const signed = createSignedTokens(signer)
  const verified = createVerifiedTokens(signer, clock)

  /** Handles a usage command, handed what the seats' streams say; a new activation or seat gets its id through the context. */
  const decide = async (session: Session, command: UsageCommand, meta: CommandMeta, work: Settled): Promise<E.Either<UsageFailure, Decided & { readonly recorded: ExistingOrder; readonly work: Settled }>> => {
    const handled = await session.handle(UsageAggregate, command, { newId: newId(), liveness: work.liveness }, meta)
    if (E.isLeft(handled)) return handled
    const { state, events, now } = handled.right
    const recorded = state as ExistingOrder
    seats.noteDecision(recorded, events)
    return E.right({ order: answer(recorded, events, work), recorded, now, written: events.length + work.written.length, events, work })
  }

  /** The order as the session has it (read once), or null; `peek`: as this process last saw it. */
  const orderOf = async (session: Session, orderId: string, peek = false): Promise<ExistingOrder | null> => {
    const { state } = await (peek ? session.peek : session.load)(UsageAggregate, orderStream(orderId))
    return state.exists ? state : null
  }

  /** A command on the order, its lapsed seats expired on their own streams first, so the order records them with it. */
  const settled = async (session: Session, command: UsageCommand, meta: CommandMeta) => {
    const order = await orderOf(session, command.orderId)
    if (order === null) return decide(session, command, meta, nothingYet)
    const work = await seats.settle(session, order, meta)
    return E.isLeft(work) ? work : decide(session, command, meta, work.right)
  }

  /** A command that touches no seat: the reply shows the seats as their streams say. */
  const use = async (session: Session, command: UsageCommand, meta: CommandMeta) => {
    const order = await orderOf(session, command.orderId)
    return decide(session, command, meta, order === null ? nothingYet : walked(order, await seats.livenessOf(session, order)))
  }

  const activate = async (session: Session, command: ActivateMachine, meta: CommandMeta): Promise<E.Either<UsageFailure, Decided & { readonly activation: Activation | null; readonly denialId?: string | null }>> => {
    const decided = await settled(session, command, meta)
    if (E.isLeft(decided)) return decided
    // A full license is an answer for the caller to render (success: false), with the counts as they are and the denial recorded.
    const activation = heldBy(Object.values(decided.right.order.usage.activations), command)
    if (activation !== null) return E.right({ ...decided.right, activation })
    return E.right({ ...decided.right, activation: null, denialId: activationRefusal(decided.right.recorded, command).denialId ?? null })
  }

  /** Seed 003: a described machine's activation, new (created) or the one it had, updated with what was sent. */
  const activateWithDetails = async (
    session: Session,
    command: ActivateMachineWithDetails,
    meta: CommandMeta,
  ): Promise<E.Either<UsageFailure, Decided & { readonly activation: Activation; readonly created: boolean }>> => {
    const decided = await settled(session, command, meta)
    if (E.isLeft(decided)) return decided
    const activation = heldBy(Object.values(decided.right.order.usage.activations), command)
    // Refused (every place taken): the failure names the denial recorded for the client.
    if (activation === null) return E.left(activationRefusal(decided.right.recorded, command))
    return E.right({ ...decided.right, activation, created: decided.right.events.some((e) => e.type === 'MachineActivated') })
  }

  /**
   * The id of the denial a refused request is answered with: the one it
   * recorded, or, when the client was denied within the recording window
   * already (nothing new written), that one. null: none found (an older log).
   */
  const denialOf = async (command: RequestSeat, events: readonly OrderEvent[], now: Date): Promise<string | null> => {
    const recorded = events.find((e) => e.type === 'SeatRequestDenied')
    if (recorded?.type === 'SeatRequestDenied') return recorded.data.denialId ?? null
    return lastDenial === undefined ? null : lastDenial(command.orderId, command, now)
  }

  /**
   * The client's seat after the decision, or null: no seat was free (granted:
   * false). A new seat's stream starts with its lease after the grant; a seat
   * the client holds already has its lease renewed there when due.
   */
  const request = async (
    session: Session,
    command: RequestSeat,
    meta: CommandMeta,
    again = true,
  ): Promise<E.Either<UsageFailure, Decided & { readonly seat: Seat | null; readonly denialId?: string | null }>> => {
    const decided = await settled(session, command, meta)
    if (E.isLeft(decided)) return decided
    const { recorded, events, work } = decided.right
    const held = seatOf(recorded.usage, command)
    if (held === undefined) return E.right({ ...decided.right, seat: null, denialId: await denialOf(command, events, decided.right.now) })
    const granted = events.some((e) => e.type === 'SeatGranted')
    const after = granted
      ? await seats.start(session, nothingYet, recorded, held, meta)
      : await seats.renew(session, nothingYet, recorded, held, meta)
    if (E.isLeft(after)) return after
    // Its lease ran out between the two: the order records the expiry, and the client asks anew.
    if (after.right.liveness[held.seatId]?.ended != null && again) return request(session, command, meta, false)
    const order = answer(recorded, events, { ...work, liveness: { ...work.liveness, ...after.right.liveness } })
    return E.right({ ...decided.right, order, written: decided.right.written + after.right.written.length, seat: heldSeat(order.usage, held.seatId) ?? null })
  }

  /**
   * The seat after the heartbeat, or null: it is no longer held. Decided on the
   * order and the seat's stream as this process last saw them: one that needs
   * no renewal writes nothing and reads nothing; a renewal is appended to the
   * seat's stream at the version it was decided on, so a change made elsewhere
   * meanwhile (an expiry, a release) is caught and decided again.
   */
  const heartbeat = async (session: Session, command: HeartbeatSeat, meta: CommandMeta): Promise<E.Either<UsageFailure, Decided & { readonly seat: Seat | null }>> => {
    const order = await orderOf(session, command.orderId, true)
    if (order === null) return E.map((decided: Decided) => ({ ...decided, seat: null }))(await decide(session, command, meta, nothingYet))
    const settledSeats = await seats.settle(session, order, meta)
    if (E.isLeft(settledSeats)) return settledSeats
    const { seatId } = command
    // The seat's own stream, as this process last saw it, beside the ended ones.
    const known = ownEntry(order.usage.seats, seatId) === undefined || ownEntry(settledSeats.right.liveness, seatId) !== undefined
    const work: Settled = known ? settledSeats.right : { ...settledSeats.right, liveness: { ...settledSeats.right.liveness, [seatId]: await seats.ownOf(session, seatId) } }
    // Decided first on the order this process has: when that writes nothing (no seat's end to record, the common
    // case), the command handler is not asked; a refusal is the answer as the handler would give it.
    const now = clock()
    const here = usageDecider.decide(command, order, { now, newId: '', liveness: work.liveness })
    if (E.isLeft(here)) return here
    const decided =
      here.right.length === 0 ? E.right({ order, recorded: order, now, written: work.written.length, events: [] as readonly OrderEvent[], work }) : await decide(session, command, meta, work)
    if (E.isLeft(decided)) return decided
    const { recorded } = decided.right
    const held = ownEntry(recorded.usage.seats, seatId)
    if (held === undefined) return E.right({ ...decided.right, order: answer(recorded, decided.right.events, work), seat: null })
    const renewed = await seats.renew(session, work, recorded, held, meta)
    if (E.isLeft(renewed)) return renewed
    const after: Settled = { ...work, ...renewed.right }
    // Its lease ran out just now: the order records the expiry.
    const outcome =
      after.liveness[seatId]?.ended != null
        ? await decide(session, command, meta, after)
        : E.right({ ...decided.right, order: answer(recorded, decided.right.events, after), written: decided.right.events.length + after.written.length })
    if (E.isLeft(outcome)) return outcome
    return E.right({ ...outcome.right, seat: heldSeat(outcome.right.order.usage, seatId) ?? null })
  }

  /** Gives a seat back: ended on its own stream first, then recorded on the order, which frees its place. */
  const release = async (session: Session, command: ReleaseSeat, meta: CommandMeta): Promise<E.Either<UsageFailure, Decided>> => {
    const order = await orderOf(session, command.orderId)
    if (order === null) return decide(session, command, meta, nothingYet)
    const allowed = presentable(order, command)
    if (E.isLeft(allowed)) return allowed
    const work = await seats.settle(session, order, meta)
    if (E.isLeft(work)) return work
    const held = ownEntry(order.usage.seats, command.seatId)
    const ended = held === undefined || work.right.liveness[held.seatId]?.ended != null ? work : await seats.end(session, work.right, order, held, 'released', meta)
    return E.isLeft(ended) ? ended : decide(session, command, meta, { ...work.right, ...ended.right })
  }

  /** Revokes a token; a seat's is ended on its own stream first, so no renewal can outlive the revocation. */
  const revokeToken = async (session: Session, command: RevokeLicenseToken, meta: CommandMeta): Promise<E.Either<UsageFailure, Decided>> => {
    const order = await orderOf(session, command.orderId)
    if (order === null) return decide(session, command, meta, nothingYet)
    const work = walked(order, await seats.livenessOf(session, order))
    const held = ownEntry(order.usage.seats, command.tokenId)
    const revoked = order.usage.revokedTokens[command.tokenId] !== undefined
    const ended = held === undefined || revoked ? E.right(work) : await seats.end(session, work, order, held, 'revoked', meta)
    return E.isLeft(ended) ? ended : decide(session, command, meta, { ...work, ...ended.right })
  }

  /**
   * Records the end of the order's seats whose lease ran out (or whose streams ended them already); how many there
   * were. The sweeper's: every held seat's stream is read, whatever the last walk said.
   */
  const expireLapsed = async (session: Session, command: ExpireLapsedSeats, meta: CommandMeta): Promise<E.Either<UsageFailure, number>> => {
    const order = await orderOf(session, command.orderId)
    const work = order === null ? E.right(nothingYet) : await seats.settleAll(session, order, meta)
    if (E.isLeft(work)) return work
    return E.map((decided: Decided) => decided.events.length)(await decide(session, command, meta, work.right))
  }

  /** The order with its seats' leases as their streams say (as this process last saw them): what a reply about seats shows. */
  const live = async (session: Session, order: ExistingOrder): Promise<ExistingOrder> => withLiveness(order, (await seats.livenessOf(session, order)).liveness)

  /** Tokens for the order's seats and activations at `now` (signed once, kept: signed-tokens.ts), the claims they share worked out once. */
  const tokensOf = (order: ExistingOrder, now: Date) => {
    const shared = orderClaims(order, now)
    return {
      seat: (seat: Seat): string | Promise<string> => signed.token(seat.seatId, shared.text, seatOwnClaims(seat), () => seatTokenPayload(order, seat, now, shared)),
      activation: (activation: Activation): string | Promise<string> =>
        signed.token(activation.activationId, shared.text, activationOwnClaims(activation), () => activationTokenPayload(order, activation, now, shared)),
    }
  }
  const seatToken = async (order: ExistingOrder, seat: Seat, now: Date): Promise<string> => tokensOf(order, now).seat(seat)
  const activationToken = async (order: ExistingOrder, activation: Activation, now: Date): Promise<string> => tokensOf(order, now).activation(activation)

  /**
   * The floating seat a token names: signed by us, a seat token, on a license
   * the principal may act on. The order is the one this process last saw (a
   * heartbeat must not read the store when it need not); the decision catches up.
   */
  const seatOfToken = async (session: Session, principal: Principal, token: string): Promise<E.Either<SeatTokenFailure, { readonly claims: TokenClaims; readonly license: License }>> => {
    const claims = await verified.read(token)
    if (E.isLeft(claims)) return claims
    if (claims.right.kind !== 'seat') return E.left({ _tag: 'WrongTokenKind' })
    const { state } = await session.peek(UsageAggregate, orderStream(claims.right.sub))
    if (!state.exists) return E.left({ _tag: 'TokenLicenseNotFound', orderId: claims.right.sub })
    return E.map((license: License) => ({ claims: claims.right, license }))(authorize(principal, await liveLicense(session, state)))
  }

  return {
    activate,
    activateWithDetails,
    updateActivation: (session: Session, command: UpdateActivation, meta: CommandMeta) => use(session, command, meta),
    deactivate: (session: Session, command: DeactivateMachine, meta: CommandMeta) => use(session, command, meta),
    request,
    heartbeat,
    release,
    expireLapsed,
    revokeToken,
    live,
    changeSeatSettings: (session: Session, command: ChangeSeatSettings, meta: CommandMeta) => use(session, command, meta),
    defineMeterAttributes: (session: Session, command: DefineMeterAttributes, meta: CommandMeta) => use(session, command, meta),
    tokensOf,
    seatToken,
    activationToken,
    seatOfToken,
    jwks: signer.jwks,
  }
}
export type LicenseUsage = ReturnType<typeof createLicenseUsage>
export type { TokenClaims, TokenRejection }
