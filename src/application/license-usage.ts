// Using a license: activating machines and borrowing floating seats, decided
// on the order's stream. Each operation answers with the order as its
// decision left it (read-your-writes) and the moment it was decided at, so
// counts and deadlines in a reply agree with what was written. A heartbeat
// that needs no renewal is decided on the state this process has and written
// nowhere, so it never touches the store (see session.ts).
import * as E from 'fp-ts/Either'
import { v4 as uuid } from 'uuid'
import {
  orderStream,
  ownEntry,
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
import { activationTokenPayload, readToken, seatTokenPayload, type TokenClaims, type TokenRejection } from './license-tokens.js'
import type { CommandMeta } from './metadata.js'
import type { Session } from './session.js'
import type { TokenSigner } from './signing.js'

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
  /** How many events the decision wrote. */
  readonly written: number
  /** The events it wrote. */
  readonly events: readonly OrderEvent[]
}

export interface LicenseUsageOptions {
  readonly clock: () => Date
  readonly signer: TokenSigner
  readonly newId?: () => string
}

const heldBy = <A extends { readonly clientId: string; readonly machineId: string }>(held: readonly A[], who: { readonly clientId: string; readonly machineId: string }) =>
  held.find((h) => h.clientId === who.clientId && h.machineId === who.machineId) ?? null

export const createLicenseUsage = ({ clock, signer, newId = uuid }: LicenseUsageOptions) => {
  /** Handles a usage command; a new activation or seat gets its id through the context. */
  const use = async (session: Session, command: UsageCommand, meta: CommandMeta): Promise<E.Either<UsageFailure, Decided>> => {
    const handled = await session.handle(UsageAggregate, command, { newId: newId() }, meta)
    if (E.isLeft(handled)) return handled
    const { state, events, now } = handled.right
    return E.right({ order: state as ExistingOrder, now, written: events.length, events })
  }

  /** The order as the session has it; null when there is none. */
  const current = async (session: Session, orderId: string): Promise<ExistingOrder | null> => {
    const { state } = await session.load(UsageAggregate, orderStream(orderId))
    return state.exists ? state : null
  }

  const activate = async (session: Session, command: ActivateMachine, meta: CommandMeta): Promise<E.Either<UsageFailure, Decided & { readonly activation: Activation | null }>> => {
    const decided = await use(session, command, meta)
    if (E.isLeft(decided)) {
      // A full license is an answer for the caller to render, with the counts as they are.
      if (decided.left._tag !== 'ActivationLimitReached') return decided
      const order = await current(session, command.orderId)
      return order === null ? decided : E.right({ order, now: clock(), written: 0, events: [], activation: null })
    }
    return E.right({ ...decided.right, activation: heldBy(Object.values(decided.right.order.usage.activations), command) })
  }

  /** Seed 003: a described machine's activation, new (created) or the one it had, updated with what was sent. */
  const activateWithDetails = async (
    session: Session,
    command: ActivateMachineWithDetails,
    meta: CommandMeta,
  ): Promise<E.Either<UsageFailure, Decided & { readonly activation: Activation; readonly created: boolean }>> => {
    const decided = await use(session, command, meta)
    if (E.isLeft(decided)) return decided
    const activation = heldBy(Object.values(decided.right.order.usage.activations), command)!
    return E.right({ ...decided.right, activation, created: decided.right.events.some((e) => e.type === 'MachineActivated') })
  }

  /** The client's seat after the decision, or null: no seat was free (granted: false). */
  const request = async (session: Session, command: RequestSeat, meta: CommandMeta): Promise<E.Either<UsageFailure, Decided & { readonly seat: Seat | null }>> => {
    const decided = await use(session, command, meta)
    if (E.isLeft(decided)) return decided
    return E.right({ ...decided.right, seat: heldBy(Object.values(decided.right.order.usage.seats), command) })
  }

  /**
   * The seat after the heartbeat, or null: it is no longer held. Decided on the
   * order as this process last saw it: one that needs no renewal writes
   * nothing and reads nothing; one that does is appended at the version it was
   * decided on, so a change made elsewhere meanwhile is caught and decided again.
   */
  const heartbeat = async (session: Session, command: HeartbeatSeat, meta: CommandMeta): Promise<E.Either<UsageFailure, Decided & { readonly seat: Seat | null }>> => {
    await session.peek(UsageAggregate, orderStream(command.orderId))
    const decided = await use(session, command, meta)
    if (E.isLeft(decided)) return decided
    return E.right({ ...decided.right, seat: ownEntry(decided.right.order.usage.seats, command.seatId) ?? null })
  }

  /** Writes the expiry of the order's lapsed seats; how many there were. */
  const expireLapsed = async (session: Session, command: ExpireLapsedSeats, meta: CommandMeta): Promise<E.Either<UsageFailure, number>> =>
    E.map((decided: Decided) => decided.written)(await use(session, command, meta))

  const seatToken = (order: ExistingOrder, seat: Seat, now: Date): Promise<string> => signer.sign(seatTokenPayload(order, seat, now))
  const activationToken = (order: ExistingOrder, activation: Activation, now: Date): Promise<string> =>
    signer.sign(activationTokenPayload(order, activation, now))

  /**
   * The floating seat a token names: signed by us, a seat token, on a license
   * the principal may act on. The order is the one this process last saw (a
   * heartbeat must not read the store when it need not); the decision catches up.
   */
  const seatOfToken = async (session: Session, principal: Principal, token: string): Promise<E.Either<SeatTokenFailure, { readonly claims: TokenClaims; readonly license: License }>> => {
    const claims = await readToken(signer, token)
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
    release: (session: Session, command: ReleaseSeat, meta: CommandMeta) => use(session, command, meta),
    expireLapsed,
    revokeToken: (session: Session, command: RevokeLicenseToken, meta: CommandMeta) => use(session, command, meta),
    changeSeatSettings: (session: Session, command: ChangeSeatSettings, meta: CommandMeta) => use(session, command, meta),
    defineMeterAttributes: (session: Session, command: DefineMeterAttributes, meta: CommandMeta) => use(session, command, meta),
    seatToken,
    activationToken,
    seatOfToken,
    jwks: signer.jwks,
  }
}
export type LicenseUsage = ReturnType<typeof createLicenseUsage>
export type { TokenClaims, TokenRejection }
