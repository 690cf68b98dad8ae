// Seed 002's info: the license and every token issued on it (activations,
// live seats, and revoked tokens, listed but never handed out again).
// On a license with a thousand live seats the answer is about a megabyte:
// each seat's entry is kept encoded, as JSON bytes, for as long as the seat
// is the same record and its token the same, and the answer is those bytes
// joined (encodedLicenseInfo), not the whole encoded again on every call.
import type { LicenseUsage } from '../../application/license-usage.js'
import { licenseExpiry, limitOf, liveSeats, supportExpiry, type Activation, type ExistingOrder, type RevokedToken, type Seat } from '../../domain/order/index.js'
import { counts, licensingMode, timestamp } from './view.js'

type Usage = Pick<LicenseUsage, 'tokensOf'>

/** Tokens as they come: kept ones at once (signed-tokens.ts), and only when some must be signed, all awaited together. */
const settled = async (tokens: readonly (string | Promise<string> | null)[]): Promise<readonly (string | null)[]> =>
  tokens.some((token) => token instanceof Promise) ? Promise.all(tokens) : (tokens as readonly (string | null)[])

const activationEntry = (order: ExistingOrder, a: Activation, token: string | null, expiry: Date | null) => ({
  token,
  licenseId: order.orderId,
  revoked: false,
  clientId: a.clientId,
  clientAddr: a.clientAddr,
  clientName: a.clientName,
  machineId: a.machineId,
  issuedAt: timestamp(a.activatedAt),
  expireAt: timestamp(expiry),
  lastHearbeat: null,
})

const seatEntry = (order: ExistingOrder, s: Seat, token: string | null) => ({
  token,
  licenseId: order.orderId,
  revoked: false,
  clientId: s.clientId,
  clientAddr: s.clientAddr,
  clientName: s.clientName,
  machineId: s.machineId,
  issuedAt: timestamp(s.grantedAt),
  expireAt: timestamp(s.leaseExpiresAt),
  // The last heartbeat written to the log: heartbeats that renew nothing are not recorded.
  lastHearbeat: timestamp(s.renewedAt),
})

const revokedEntry = (order: ExistingOrder, r: RevokedToken) => ({
  token: null,
  licenseId: order.orderId,
  revoked: true,
  clientId: r.clientId,
  clientAddr: null,
  clientName: r.clientName,
  machineId: r.machineId,
  issuedAt: timestamp(r.issuedAt),
  expireAt: timestamp(r.revokedAt),
  lastHearbeat: null,
})

/** The answer's members after its tokens; `taken` the places taken now, when the caller has counted them. */
const summary = (order: ExistingOrder, now: Date, expiry: Date | null, taken?: number) => ({
  licenseId: order.orderId,
  ...(taken === undefined ? counts(order, now) : { activeClientCount: taken, maxClientCount: limitOf(order) }),
  licensingMode: licensingMode(order),
  // At the license level, revoked means the order is disabled.
  revoked: !order.terms.enabled,
  issuedAt: timestamp(order.createdAt),
  expireAt: timestamp(expiry),
  supportExpireAt: timestamp(supportExpiry(order, now)),
})

/** What an answer lists: activations and live seats with their tokens (null without), and the revoked tokens. */
const listed = async (usage: Usage, order: ExistingOrder, now: Date, withTokens: boolean) => {
  const tokens = usage.tokensOf(order, now)
  const held = Object.values(order.usage.activations)
  const live = liveSeats(order.usage, now)
  const activationTokens = await settled(held.map((a) => (withTokens ? tokens.activation(a) : null)))
  const seatTokens = await settled(live.map((s) => (withTokens ? tokens.seat(s) : null)))
  return { held, activationTokens, live, seatTokens, revoked: Object.values(order.usage.revokedTokens) }
}

/**
 * The answer as a value. `now` is the instant the answer is for. For an
 * instant in the past (an `asOf` query) `withTokens` is false: the tokens
 * issued then are listed, but no token is signed for a state that is history.
 */
export const licenseInfo = async (usage: Usage, order: ExistingOrder, now: Date, withTokens = true) => {
  const expiry = licenseExpiry(order, now)
  const { held, activationTokens, live, seatTokens, revoked } = await listed(usage, order, now, withTokens)
  return {
    licenseTokens: [
      ...held.map((a, i) => activationEntry(order, a, activationTokens[i]!, expiry)),
      ...live.map((s, i) => seatEntry(order, s, seatTokens[i]!)),
      ...revoked.map((r) => revokedEntry(order, r)),
    ],
    ...summary(order, now, expiry),
  }
}

/**
 * A seat's entry as JSON bytes, by its record, with the comma that separates
 * it from the entry before: good while the record lists the same token (on
 * the same order).
 */
const seatBytes = new WeakMap<Seat, { readonly orderId: string; readonly token: string; readonly bytes: Buffer }>()

const encoded = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8')

const keptSeatEntry = (order: ExistingOrder, seat: Seat, token: string): Buffer => {
  const kept = seatBytes.get(seat)
  if (kept !== undefined && kept.token === token && kept.orderId === order.orderId) return kept.bytes
  const bytes = Buffer.from(`,${JSON.stringify(seatEntry(order, seat, token))}`, 'utf8')
  seatBytes.set(seat, { orderId: order.orderId, token, bytes })
  return bytes
}

const OPEN = Buffer.from('{"licenseTokens":[')
const COMMA = Buffer.from(',')
const CLOSE = Buffer.from('],')

/**
 * The answer licenseInfo gives now, with its tokens, as the bytes of its JSON
 * (the very bytes JSON.stringify of it gives), in pieces: a live seat's entry
 * is the one kept for its record while its token is the same (a renewal is a
 * new record, a change of the license's terms a new token).
 */
export const encodedLicenseInfo = async (usage: Usage, order: ExistingOrder, now: Date): Promise<readonly Buffer[]> => {
  const expiry = licenseExpiry(order, now)
  const { held, activationTokens, live, seatTokens, revoked } = await listed(usage, order, now, true)
  const pieces: Buffer[] = [OPEN]
  // Every entry but the first follows a comma; a kept seat entry carries its own.
  const entry = (bytes: Buffer): void => {
    if (pieces.length > 1) pieces.push(COMMA)
    pieces.push(bytes)
  }
  held.forEach((a, i) => entry(encoded(activationEntry(order, a, activationTokens[i]!, expiry))))
  live.forEach((s, i) => {
    const token = seatTokens[i]!
    if (token === null) entry(encoded(seatEntry(order, s, null)))
    else {
      const bytes = keptSeatEntry(order, s, token)
      pieces.push(pieces.length > 1 ? bytes : bytes.subarray(1))
    }
  })
  revoked.forEach((r) => entry(encoded(revokedEntry(order, r))))
  // An order with every seat's stream read (withLiveness) takes the places its activations and live seats do
  // (occupied, occupancy.ts): counted here, not by a second walk over its seats.
  const taken = order.usage.streams === undefined ? held.length + live.length : undefined
  // The summary's members, its opening brace left off: they follow the list.
  pieces.push(CLOSE, encoded(summary(order, now, expiry, taken)).subarray(1))
  return pieces
}
