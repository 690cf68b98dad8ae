// What a license token says: the license (id, mode, expiry, support expiry),
// the client and machine it was issued to, its own expiry and the features
// granted. A seat token expires with the lease it was issued with (a
// heartbeat moves the lease on the server; asking again returns a token with
// the current lease); an activation token with the license.
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import type { JWTPayload } from 'jose'
import { featureGrants, licenseExpiry, supportExpiry, type Activation, type ExistingOrder, type Seat } from '../domain/order/index.js'
import type { OwnClaims } from './signed-tokens.js'
import type { TokenSigner } from './signing.js'

export type LicensingMode = 'floating' | 'activation'

/** Seed 001's license_type read as a licensing mode: network licenses float, local ones are node-locked. */
export const licensingModeOf = (order: ExistingOrder): LicensingMode => (order.terms.license_type === 'network' ? 'floating' : 'activation')

const seconds = (iso: string | Date): number => Math.floor((typeof iso === 'string' ? Date.parse(iso) : iso.getTime()) / 1000)

const licenseClaim = (order: ExistingOrder, now: Date) => ({
  id: order.orderId,
  mode: licensingModeOf(order),
  expiresAt: licenseExpiry(order, now)?.toISOString() ?? null,
  supportExpiresAt: supportExpiry(order, now)?.toISOString() ?? null,
})

/**
 * The claims every token issued on the order shares at `now` (the license and
 * the features granted), worked out once for all its tokens; `text` tells
 * when they change (signed-tokens.ts).
 */
export const orderClaims = (order: ExistingOrder, now: Date) => {
  const license = licenseClaim(order, now)
  const features = featureGrants(order, now)
  return { license, features, text: JSON.stringify([order.orderId, license, features]) }
}
export type OrderClaims = ReturnType<typeof orderClaims>

export const seatTokenPayload = (order: ExistingOrder, seat: Seat, now: Date, shared: OrderClaims = orderClaims(order, now)): JWTPayload => ({
  sub: order.orderId,
  jti: seat.seatId,
  iat: seconds(seat.grantedAt),
  exp: seconds(seat.leaseExpiresAt),
  kind: 'seat',
  license: shared.license,
  client: { id: seat.clientId, name: seat.clientName },
  machine: { id: seat.machineId },
  features: shared.features,
})

/** What a seat's token says of the seat: with the order's claims, what its token changes with. */
export const seatClaimsText = (seat: Seat): string => JSON.stringify([seat.seatId, seat.grantedAt, seat.leaseExpiresAt, seat.clientId, seat.clientName, seat.machineId])

/** The seat's claims as signed-tokens.ts keeps them: the seat's record (immutable) stands for its text until another record comes. */
export const seatOwnClaims = (seat: Seat): OwnClaims => ({ record: seat, text: () => seatClaimsText(seat) })

export const activationTokenPayload = (order: ExistingOrder, activation: Activation, now: Date, shared: OrderClaims = orderClaims(order, now)): JWTPayload => {
  const expiry = licenseExpiry(order, now)
  return {
    sub: order.orderId,
    jti: activation.activationId,
    iat: seconds(activation.activatedAt),
    ...(expiry === null ? {} : { exp: seconds(expiry) }),
    kind: 'activation',
    license: shared.license,
    client: { id: activation.clientId, name: activation.clientName },
    machine: { id: activation.machineId },
    features: shared.features,
  }
}

/** What an activation's token says of it (its exp is the license's expiry, among the order's claims). */
export const activationClaimsText = (activation: Activation): string =>
  JSON.stringify([activation.activationId, activation.activatedAt, activation.clientId, activation.clientName, activation.machineId])

export const activationOwnClaims = (activation: Activation): OwnClaims => ({ record: activation, text: () => activationClaimsText(activation) })

/** What the engine reads back from a token it signed. */
export const TokenClaims = t.type({
  sub: t.string,
  jti: t.string,
  kind: t.union([t.literal('seat'), t.literal('activation')]),
  client: t.type({ id: t.string }),
  machine: t.type({ id: t.string }),
})
export type TokenClaims = t.TypeOf<typeof TokenClaims>

export type TokenRejection = { readonly _tag: 'InvalidToken'; readonly reason: string }

/**
 * A token presented back (release, heartbeat): its signature must be ours.
 * Its exp is not checked: whether the seat is alive is the server's lease, not the token's.
 */
export const readToken = async (signer: TokenSigner, token: string): Promise<E.Either<TokenRejection, TokenClaims>> => {
  const verified = await signer.verify(token)
  if (E.isLeft(verified)) return E.left({ _tag: 'InvalidToken', reason: verified.left })
  const claims = TokenClaims.decode(verified.right)
  return E.isLeft(claims) ? E.left({ _tag: 'InvalidToken', reason: 'claims' }) : E.right(claims.right)
}
