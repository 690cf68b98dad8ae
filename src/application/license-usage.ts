// Using a license: activating machines and borrowing floating seats, decided
// on the order's stream. Each operation answers with the order as its
// decision left it (read-your-writes) and the moment it was decided at, so
// counts and deadlines in a reply agree with what was written. A heartbeat
// that needs no renewal is answered from this process's cached state without
// touching the store; anything that writes goes through the command handler.
import * as E from 'fp-ts/Either'
import { v4 as uuid } from 'uuid'
import type { Target } from '../domain/api-key/access.js'
import {
  decideUsage,
  orderStream,
  usageDecider,
  type Activation,
  type ActivationChanges,
  type ActivationDetails,
  type ActivationSelector,
  type ExistingOrder,
  type MeterDefinition,
  type OrderEvent,
  type SeatSettings,
  type Seat,
  type UsageCommand,
  type UsageError,
} from '../domain/order/index.js'
import { productTemplateStream } from '../domain/product-template/index.js'
import { OrderAggregate, ProductTemplateAggregate } from './aggregates.js'
import type { CommandHandler, ConcurrencyConflict } from './command-handler.js'
import { activationTokenPayload, readToken, seatTokenPayload, type TokenClaims, type TokenRejection } from './license-tokens.js'
import type { CommandMeta } from './metadata.js'
import type { TokenSigner } from './signing.js'

export type UsageFailure = UsageError | ConcurrencyConflict

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

export interface Requester {
  readonly clientId: string
  readonly machineId: string
  readonly clientName: string | null
  readonly clientAddr: string | null
}

export interface Presenter {
  readonly clientId: string | null
  readonly machineId: string | null
}

export interface LicenseUsageOptions {
  readonly handler: CommandHandler
  readonly clock: () => Date
  readonly signer: TokenSigner
  readonly newId?: () => string
}

const clientOf = <A extends { readonly clientId: string; readonly machineId: string }>(held: readonly A[], who: { readonly clientId: string; readonly machineId: string }) =>
  held.find((h) => h.clientId === who.clientId && h.machineId === who.machineId) ?? null

export const createLicenseUsage = ({ handler, clock, signer, newId = uuid }: LicenseUsageOptions) => {
  const stream = orderStream

  const decide = async (orderId: string, command: UsageCommand, meta: CommandMeta): Promise<E.Either<UsageFailure, Decided>> => {
    let decidedAt = clock()
    const executed = await handler.execute(
      OrderAggregate,
      stream(orderId),
      (state, now) => {
        decidedAt = now
        return decideUsage(command, state, { now, newId: newId() })
      },
      meta,
    )
    if (E.isLeft(executed)) return executed
    const { state, events } = executed.right
    return E.right({ order: state as ExistingOrder, now: decidedAt, written: events.length, events })
  }

  /** The order as last written, read from its stream (no projection lag); null when there is none. */
  const current = async (orderId: string): Promise<Decided | null> => {
    const { state } = await handler.load(OrderAggregate, stream(orderId))
    return state.exists ? { order: state, now: clock(), written: 0, events: [] } : null
  }

  /** Who may act on this license: its product and its order. Templates never change, so the cached one is good. */
  const targetOf = async (order: ExistingOrder): Promise<Target> => {
    const { state } = await handler.peek(ProductTemplateAggregate, productTemplateStream(order.terms.product_template_id))
    return { productId: state.exists ? state.productId : null, orderId: order.orderId }
  }

  const activate = async (
    orderId: string,
    requester: Requester,
    details: ActivationDetails,
    meta: CommandMeta,
  ): Promise<E.Either<UsageFailure, Decided & { readonly activation: Activation | null }>> => {
    const decided = await decide(orderId, { type: 'ActivateMachine', orderId, ...requester, details }, meta)
    if (E.isLeft(decided)) {
      // A full license is an answer for the caller to render, with the counts as they are.
      if (decided.left._tag !== 'ActivationLimitReached') return decided
      const now = await current(orderId)
      return now === null ? decided : E.right({ ...now, activation: null })
    }
    return E.right({ ...decided.right, activation: clientOf(Object.values(decided.right.order.usage.activations), requester) })
  }

  /** Seed 003: a described machine's activation, new (created) or the one it had, updated with what was sent. */
  const activateWithDetails = async (
    orderId: string,
    requester: Requester,
    changes: ActivationChanges,
    meta: CommandMeta,
  ): Promise<E.Either<UsageFailure, Decided & { readonly activation: Activation; readonly created: boolean }>> => {
    const decided = await decide(orderId, { type: 'ActivateMachineWithDetails', orderId, ...requester, changes }, meta)
    if (E.isLeft(decided)) return decided
    const activation = clientOf(Object.values(decided.right.order.usage.activations), requester)!
    return E.right({ ...decided.right, activation, created: decided.right.events.some((e) => e.type === 'MachineActivated') })
  }

  const defineMeterAttributes = (orderId: string, attributes: readonly MeterDefinition[], meta: CommandMeta) =>
    decide(orderId, { type: 'DefineMeterAttributes', orderId, attributes }, meta)

  const updateActivation = async (orderId: string, activationId: string, changes: ActivationChanges, meta: CommandMeta) =>
    decide(orderId, { type: 'UpdateActivation', orderId, activationId, changes }, meta)

  const deactivate = (orderId: string, activation: ActivationSelector, meta: CommandMeta) =>
    decide(orderId, { type: 'DeactivateMachine', orderId, activation }, meta)

  /** The client's seat after the decision, or null: no seat was free (granted: false). */
  const request = async (orderId: string, requester: Requester, meta: CommandMeta): Promise<E.Either<UsageFailure, Decided & { readonly seat: Seat | null }>> => {
    const decided = await decide(orderId, { type: 'RequestSeat', orderId, ...requester }, meta)
    if (E.isLeft(decided)) return decided
    return E.right({ ...decided.right, seat: clientOf(Object.values(decided.right.order.usage.seats), requester) })
  }

  const heartbeat = async (
    orderId: string,
    seatId: string,
    presenter: Presenter,
    meta: CommandMeta,
  ): Promise<E.Either<UsageFailure, Decided & { readonly seat: Seat | null }>> => {
    const command: UsageCommand = { type: 'HeartbeatSeat', orderId, seatId, ...presenter }
    const seatIn = (decided: Decided) => ({ ...decided, seat: decided.order.usage.seats[seatId] ?? null })
    const { state } = await handler.peek(OrderAggregate, stream(orderId))
    const now = clock()
    // Nothing to renew and nothing lapsed: answered from memory, the store is not touched.
    const quick = usageDecider.decide(command, state, { now, newId: '' })
    if (E.isRight(quick) && quick.right.length === 0 && state.exists) return E.right(seatIn({ order: state, now, written: 0, events: [] }))
    const decided = await decide(orderId, command, meta)
    return E.isLeft(decided) ? decided : E.right(seatIn(decided.right))
  }

  const release = (orderId: string, seatId: string, presenter: Presenter, meta: CommandMeta) =>
    decide(orderId, { type: 'ReleaseSeat', orderId, seatId, ...presenter }, meta)

  /** Writes the expiry of the order's lapsed seats; how many there were. */
  const expireLapsed = async (orderId: string, meta: CommandMeta): Promise<E.Either<UsageFailure, number>> => {
    const decided = await decide(orderId, { type: 'ExpireLapsedSeats', orderId }, meta)
    return E.isLeft(decided) ? decided : E.right(decided.right.written)
  }

  const revokeToken = (orderId: string, tokenId: string, meta: CommandMeta) => decide(orderId, { type: 'RevokeLicenseToken', orderId, tokenId }, meta)

  const changeSeatSettings = (orderId: string, settings: SeatSettings, meta: CommandMeta) =>
    decide(orderId, { type: 'ChangeSeatSettings', orderId, settings }, meta)

  const seatToken = (order: ExistingOrder, seat: Seat, now: Date): Promise<string> => signer.sign(seatTokenPayload(order, seat, now))
  const activationToken = (order: ExistingOrder, activation: Activation, now: Date): Promise<string> =>
    signer.sign(activationTokenPayload(order, activation, now))

  const verifyToken = (token: string): Promise<E.Either<TokenRejection, TokenClaims>> => readToken(signer, token)

  /** The order a token names, as this process last saw it (a heartbeat must not read the store when it need not). */
  const orderOfToken = async (claims: TokenClaims): Promise<ExistingOrder | null> => {
    const { state } = await handler.peek(OrderAggregate, stream(claims.sub))
    return state.exists ? state : null
  }

  return {
    activate,
    activateWithDetails,
    defineMeterAttributes,
    updateActivation,
    deactivate,
    request,
    heartbeat,
    release,
    expireLapsed,
    revokeToken,
    changeSeatSettings,
    current,
    targetOf,
    seatToken,
    activationToken,
    verifyToken,
    orderOfToken,
    jwks: signer.jwks,
  }
}
export type LicenseUsage = ReturnType<typeof createLicenseUsage>
